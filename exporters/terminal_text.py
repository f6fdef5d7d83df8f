"""What a terminal showed, as plain text: the output of a command captured for the record.

A pure function of a string. Control sequences (colours, cursor moves, window titles,
hyperlinks, device queries) are removed; a carriage return starts the line again and later
text overwrites it, and a backspace steps back one character, as on the screen: a progress
bar that redraws itself ends as its last state, not as every frame of it.
"""

from __future__ import annotations

import re
from typing import Final

# Strings that run to a terminator: OSC (titles, hyperlinks), DCS, SOS, PM and APC, in
# their 7-bit (ESC ]) and 8-bit (\x9d) forms; the terminator is BEL or ST (ESC \ or \x9c).
_STRING: Final = r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
# CSI (ESC [ or \x9b): parameters, intermediates, one final byte. An unfinished one at the
# end of the text (a capture cut short) goes too.
_CSI: Final = r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
# Any other escape: ESC, intermediates, one final character (ESC ( B, ESC 7, ESC =).
_ESCAPE: Final = r"\x1b[\x20-\x2f]*[\x30-\x7e]?"
_SEQUENCE: Final = re.compile(f"{_STRING}|{_CSI}|{_ESCAPE}")
# Controls with nothing to show: all C0 but tab, newline, carriage return and backspace;
# DEL; C1.
_INVISIBLE: Final = re.compile(r"[\x00-\x07\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_PARTS: Final = re.compile(r"(\r|\x08)")


def _draw_line(line: str) -> str:
    """One line as it ends on the screen after its carriage returns and backspaces."""
    if "\r" not in line and "\x08" not in line:
        return line
    cells: list[str] = []
    column = 0
    for part in _LINE_PARTS.split(line):
        if part == "\r":
            column = 0
        elif part == "\x08":
            column = max(0, column - 1)
        else:
            cells[column : column + len(part)] = part
            column += len(part)
    return "".join(cells)


def plain_text(text: str) -> str:
    """``text`` as the terminal showed it, without control sequences (see the module)."""
    text = _SEQUENCE.sub("", text)
    text = _INVISIBLE.sub("", text)
    # A terminal's line end is CR LF: the CR is not a redraw.
    text = text.replace("\r\n", "\n")
    return "\n".join(_draw_line(line) for line in text.split("\n"))
