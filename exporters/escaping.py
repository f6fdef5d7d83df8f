"""Reversible escaping for the workbook's Markdown.

Two kinds of text go into the postmortem:

* **Inline text** (entry text, titles, owners, authors, links): escaped so it can never be
  read as Markdown or HTML. The escaped form is one line, fits in a table cell, and renders
  on GitHub as the original characters. :func:`unescape_inline` undoes it exactly.
* **Narratives** (summary, root cause, …): Markdown written by people, emitted as written.
  Only lines that would break the document (a line ending in white space, a carriage return
  or another control character, a line that looks like one of the workbook's own markers)
  make the narrative switch to an encoded form, which :func:`decode_narrative` undoes.

Both encodings use the same three kinds of token, all of which GitHub renders legibly:
a backslash before ASCII punctuation (``\\*``), a decimal character reference (``&#9;``)
and ``<br>`` for a newline in inline text.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Escaped wherever they occur: each can start a span, an entity, an escape or a cell break.
_ALWAYS: Final = frozenset("\\`*_[]<#|~&$")
# Any ASCII punctuation as the first character (a list marker, a quote, a heading…).
_ASCII_PUNCTUATION: Final = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# Characters never written raw: they break lines, vanish, or are not valid text.
_HIDDEN_CATEGORIES: Final = frozenset({"Cc", "Cs", "Zl", "Zp"})

_PLAIN_INLINE: Final = re.compile(r"[A-Za-z0-9 ,.;:!?'\"()/@%+=\-]*")
_INLINE_TOKEN: Final = re.compile(r"\\([!-/:-@\[-`{-~])|&#([0-9]{1,7});|<br>")
_REFERENCE: Final = re.compile(r"&#([0-9]{1,7});")

NARRATIVE_RESERVED_PREFIX: Final = "<!-- workbook:"


def _hidden(ch: str) -> bool:
    return unicodedata.category(ch) in _HIDDEN_CATEGORIES


def _reference(ch: str) -> str:
    return f"&#{ord(ch)};"


# Everything that is escaped wherever it stands: what _escape_char changes away from the edges.
_HIDDEN_CLASS: Final = "\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\ud800-\\udfff"
_INNER: Final = re.compile(r"[\\`*_\[\]<#|~&$\n" + _HIDDEN_CLASS + "]")
_INNER_WITH_SPACES: Final = re.compile(r"[\\`*_\[\]<#|~&$\n " + _HIDDEN_CLASS + "]")


def _escape_char(ch: str, *, first: bool, edge: bool, encode_spaces: bool) -> str:
    if ch == "\n":
        return "<br>"
    if ch in _ALWAYS or (first and ch in _ASCII_PUNCTUATION):
        return "\\" + ch
    if _hidden(ch) or (ch == " " and encode_spaces) or (edge and ch.isspace()):
        return _reference(ch)
    return ch


def escape_inline(text: str, *, encode_spaces: bool = False) -> str:
    """One line of Markdown that renders as ``text`` and forges nothing.

    Newlines become ``<br>``; control characters, and white space at either end (which a
    table cell would trim), become character references; Markdown punctuation gets a
    backslash. With ``encode_spaces`` every space is a reference too (for space-separated
    lists).
    """
    if (
        not encode_spaces
        and _PLAIN_INLINE.fullmatch(text)
        and (not text or (text[0] not in _ASCII_PUNCTUATION and " " not in (text[0], text[-1])))
    ):
        return text
    if not text:
        return text
    first = _escape_char(text[0], first=True, edge=True, encode_spaces=encode_spaces)
    if len(text) == 1:
        return first
    # The middle goes through one regular expression: exports of long timelines spend
    # their time here.
    inner = _INNER_WITH_SPACES if encode_spaces else _INNER
    middle = inner.sub(
        lambda m: _escape_char(m.group(), first=False, edge=False, encode_spaces=encode_spaces),
        text[1:-1],
    )
    last = _escape_char(text[-1], first=False, edge=True, encode_spaces=encode_spaces)
    return first + middle + last


def _inline_token(match: re.Match[str]) -> str:
    punctuation, code = match.group(1), match.group(2)
    if punctuation is not None:
        return punctuation
    if code is not None:
        number = int(code)
        return chr(number) if number <= 0x10FFFF else match.group(0)
    return "\n"


def unescape_inline(text: str) -> str:
    """The original text of :func:`escape_inline`'s output.

    Anything the escaper never writes (a lone ``&``, a ``<`` that is not ``<br>``, a
    backslash before a letter) is kept as it is, so hand-edited text still reads sensibly.
    """
    if "\\" not in text and "&" not in text and "<" not in text:
        return text
    return _INLINE_TOKEN.sub(_inline_token, text)


# Narratives ---------------------------------------------------------------------------


def _hidden_in_narrative(ch: str) -> bool:
    # A tab inside a line is ordinary Markdown (code blocks); every other control is not.
    return ch != "\t" and _hidden(ch)


def _line_is_plain(line: str) -> bool:
    if line.startswith(NARRATIVE_RESERVED_PREFIX):
        return False
    if line and line[-1].isspace():
        return False
    return not any(_hidden_in_narrative(ch) for ch in line if not ch.isprintable())


def narrative_is_plain(text: str) -> bool:
    """Whether the narrative can be written exactly as it is."""
    return all(_line_is_plain(line) for line in text.split("\n"))


def _encode_line(line: str) -> str:
    # Literal "&#" first, so every "&#" left in the output starts a reference.
    line = line.replace("&#", "&#38;#")
    if line.startswith(NARRATIVE_RESERVED_PREFIX):
        line = _reference("<") + line[1:]
    line = "".join(_reference(ch) if _hidden_in_narrative(ch) else ch for ch in line)
    if line and line[-1].isspace():
        line = line[:-1] + _reference(line[-1])
    return line


def encode_narrative(text: str) -> list[str]:
    """The lines of a narrative that is not plain, each safe to write.

    Only character references are added: ``&#38;#`` for a literal ``&#``, ``&#60;`` for the
    ``<`` of a line that looks like a workbook marker, and a reference for each control
    character but the tab and for a line's last character when it is white space. (Inside
    a code block GitHub shows such a reference as written: the price of exactness.)
    """
    return [_encode_line(line) for line in text.split("\n")]


def _reference_token(match: re.Match[str]) -> str:
    number = int(match.group(1))
    return chr(number) if number <= 0x10FFFF else match.group(0)


def decode_narrative(lines: list[str]) -> str:
    """The narrative :func:`encode_narrative` was given."""
    return "\n".join(_REFERENCE.sub(_reference_token, line) for line in lines)
