"""What the record keeps of a command run through ``workbook run``: pure functions.

The entry's text is the command line as a shell would show it, with how it ended and how
long it took; what it printed becomes a text attachment, as the terminal showed it, cut to
its last part. Secrets go before anything is kept, found by the one detector publishing
uses (:mod:`exporters.secret_scan`).
"""

from __future__ import annotations

import os
import re
import shlex
import signal
from collections.abc import Sequence

from exporters.secret_scan import REDACTED, find_secrets, redact
from exporters.terminal_text import plain_text

COMMAND_TAG = "command"


def command_line(argv: Sequence[str]) -> str:
    """``argv`` shell-quoted, with every likely secret replaced by ``[REDACTED]``.

    Secrets are looked for in the words as typed, joined by spaces (``mysql -pS3cret``):
    quoting first would hide the space the detector reads as the start of an option.
    """
    joined = " ".join(argv)
    found = find_secrets(joined)
    words: list[str] = []
    offset = 0
    for word in argv:
        start, end = offset, offset + len(word)
        offset = end + 1
        cuts = [
            (max(m.start, start), min(m.end, end)) for m in found if m.start < end and m.end > start
        ]
        for cut_start, cut_end in reversed(cuts):
            word = word[: cut_start - start] + REDACTED + word[cut_end - start :]
        words.append(word)
    return redact(shlex.join(words))


def _duration(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def entry_text(line: str, *, status: int, seconds: float, died_of: int | None = None) -> str:
    """The entry for a command that ran: ``$ LINE`` and, below it, how it ended."""
    if died_of is not None:
        ended = f"killed by {_signal_name(died_of)} (exit {status})"
    else:
        ended = f"exit {status}"
    return f"$ {line}\n{ended}, after {_duration(seconds)}"


def output_text(raw: bytes, *, dropped: int, limit: int) -> str:
    """What the command printed, as plain text with secrets redacted, at most ``limit``
    bytes of UTF-8 from its end; a first line says when earlier output was left out.

    A cut falls at the start of a line where it can, so no secret is kept in halves.
    """
    text = plain_text(raw.decode("utf-8", errors="replace"))
    if dropped and "\n" in text:
        text = text.split("\n", 1)[1]  # the first line was printed only in part
    text = redact(text)
    data = text.encode("utf-8")
    if len(data) > limit:
        data = data[len(data) - limit :]
        newline = data.find(b"\n")
        if 0 <= newline < len(data) - 1:
            data = data[newline + 1 :]
        text = data.decode("utf-8", errors="ignore")
        dropped += 1
    if dropped:
        kept = len(text.encode("utf-8"))
        text = f"[earlier output not kept: only the last {_size(kept)} are]\n" + text
    return text


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MiB"
    if count >= 1024:
        return f"{count / 1024:.0f} KiB"
    return f"{count} bytes"


def output_name(argv: Sequence[str]) -> str:
    """The attachment's file name: the command's own name, then ``-output.txt``."""
    program = re.sub(r"[^A-Za-z0-9_-]+", "-", os.path.basename(argv[0] if argv else "")).strip("-")
    return f"{program or 'command'}-output.txt"
