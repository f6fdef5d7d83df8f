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
import string
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


# What escape_inline changes away from the edges, besides _ALWAYS: line breaks and hidden
# characters (all of category Cc, Cs, Zl, Zp), which become <br> and references.
_HIDDEN_OR_BREAK: Final = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# Characters _escape_char leaves alone at the start and at the end of a text.
_PLAIN_FIRST: Final = frozenset(string.ascii_letters + string.digits)
_PLAIN_LAST: Final = frozenset(string.ascii_letters + string.digits + string.punctuation) - _ALWAYS
# The backslash goes first, so the backslashes added for the others are never doubled.
_ALWAYS_IN_ORDER: Final = "\\" + "".join(sorted(_ALWAYS - {"\\"}))


def _escape_char(ch: str, *, first: bool, edge: bool, encode_spaces: bool) -> str:
    if ch == "\n":
        return "<br>"
    if ch in _ALWAYS or (first and ch in _ASCII_PUNCTUATION):
        return "\\" + ch
    if _hidden(ch) or (ch == " " and encode_spaces) or (edge and ch.isspace()):
        return _reference(ch)
    return ch


def _hidden_or_break(match: re.Match[str]) -> str:
    ch = match.group()
    return "<br>" if ch == "\n" else _reference(ch)


def _escape_middle(text: str, *, encode_spaces: bool) -> str:
    """What _escape_char does to each character away from the edges, a method call per
    kind of character rather than a function call per character: exports of long
    timelines spend their time here."""
    for ch in _ALWAYS_IN_ORDER:
        if ch in text:
            text = text.replace(ch, "\\" + ch)
    # After the backslashes, so that the & and < of the references stay bare.
    if _HIDDEN_OR_BREAK.search(text) is not None:
        text = _HIDDEN_OR_BREAK.sub(_hidden_or_break, text)
    if encode_spaces and " " in text:
        text = text.replace(" ", _reference(" "))
    return text


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
    first = text[0]
    if first not in _PLAIN_FIRST:
        first = _escape_char(first, first=True, edge=True, encode_spaces=encode_spaces)
    if len(text) == 1:
        return first
    middle = _escape_middle(text[1:-1], encode_spaces=encode_spaces)
    last = text[-1]
    if last not in _PLAIN_LAST:
        last = _escape_char(last, first=False, edge=True, encode_spaces=encode_spaces)
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
    if "\\" not in text:
        if "&" not in text and "<" not in text:
            return text
    elif "&" not in text and "<" not in text:
        # Only backslash escapes (the common case): a method call per kind of character
        # undoes them. Should any backslash be left (an escaped backslash, which this never
        # removes, or one before other punctuation or a letter), the general way decides.
        plain = text
        for ch in _ALWAYS_IN_ORDER[1:]:
            if ch in plain:
                plain = plain.replace("\\" + ch, ch)
        if "\\" not in plain:
            return plain
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


# -- text attachments inside <pre> ----------------------------------------------------------
# A text attachment is shown in a <pre> element, where GitHub interprets no Markdown and
# the browser only character references. Escaped: the three characters HTML reads (& < >),
# hidden characters, white space at a line's end (the document keeps none), a newline first
# (a parser drops one right after <pre>). Undone exactly by unescape_pre_text, which reads
# only these tokens, so nothing a log line holds can come back changed.
_PRE_NAMED: Final = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_PRE_TOKEN: Final = re.compile(r"&(amp|lt|gt|#[0-9]{1,7});")
_PRE_NAMED_BACK: Final = {"amp": "&", "lt": "<", "gt": ">"}


def escape_pre_text(text: str) -> str:
    out: list[str] = []
    lines = text.split("\n")
    for line in lines:
        trailing = len(line) - len(line.rstrip())
        body, tail = line[: len(line) - trailing], line[len(line) - trailing :]
        chunk = "".join(
            _PRE_NAMED.get(ch) or (_reference(ch) if _hidden(ch) and ch != "\t" else ch)
            for ch in body
        )
        out.append(chunk + "".join(_reference(ch) for ch in tail))
    escaped = "\n".join(out)
    if escaped.startswith("\n"):
        escaped = "&#10;" + escaped[1:]
    return escaped


def _pre_token(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.startswith("#"):
        return chr(int(name[1:]))
    return _PRE_NAMED_BACK[name]


def unescape_pre_text(escaped: str) -> str:
    return _PRE_TOKEN.sub(_pre_token, escaped)
