"""Reading one line typed into the workbook's quick-entry bar.

The syntax is ``[TIME] text #tag #tag``:

* TIME is optional and comes first, in any form ``workbook log --at`` accepts
  (``10:45``, ``2:30pm``, ``2:30 pm``, ``-5m``, ``-1h30m``, ``2026-03-02 23:50``);
  without it the entry is logged at ``now``.
* A word starting with ``#`` anywhere in the line is a tag (short aliases such as ``#fl``
  or ``#esc`` become their long form) and is taken out of the text. ``\\#`` keeps a literal
  ``#``; a hash inside a word (``C#``) or before a number only (``PR #123``) stays text.

Several lines (a paste) make one entry whose text keeps its line breaks: a TIME at the start
of the first line and ``#tag`` words at the end of the last line are read as above, and
everything else is kept exactly as written (a ``#`` inside the block is text). Read line by
line instead (:func:`parse_quick_lines`), each line with a timestamp of its own becomes an
entry at that time (see :mod:`models.log_lines`).

Pure: no Textual, no database. The TUI calls it on every keystroke for the preview line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from models.log_lines import (
    LogLinesError,
    TimedEntry,
    read_timed_entries,
    size_problem,
    trim_block,
)
from models.vocabulary import VocabularyError, normalize_tag


class QuickEntryError(ValueError):
    """The line cannot be logged as typed; the message says what to change."""


@dataclass(frozen=True)
class QuickEntry:
    at: datetime
    text: str
    tags: list[str] = field(default_factory=list)
    time_given: bool = False

    @property
    def line_count(self) -> int:
        return self.text.count("\n") + 1


@dataclass(frozen=True)
class QuickLines:
    """A block read line by line: one entry per timestamped line, each with ``tags``."""

    entries: list[TimedEntry]
    tags: list[str] = field(default_factory=list)


# Leading words that can only be meant as a time. Anything else starts the text, so
# "5 pods restarted" is text while "5pm pods restarted" is a time and text.
_CLOCK = r"\d{1,2}(?::\d{2}){1,2}(?:\s?[ap]\.?m\.?)?|\d{1,2}\s?[ap]\.?m\.?"
_RELATIVE = r"[-+]\d+\s?[wdhms](?:\s?\d+\s?[wdhms])*"
_DATE = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
_TIME_PREFIX = re.compile(
    rf"^\s*(?P<time>{_DATE}|{_RELATIVE}|{_CLOCK})(?=\s|$)",
    re.IGNORECASE,
)
# A tag word: a hash at the start of the line or after white space. An escaped hash is
# preceded by a backslash, so it never matches.
_TAG_WORD = re.compile(r"(?<!\S)#(?P<tag>\S*)")
_TRAILING_PUNCTUATION = ".,;:!?"
_LAST_TAG = re.compile(r"(?:^|\s)#(?P<tag>\S+)\s*$")


def split_time_prefix(line: str) -> tuple[str | None, str]:
    """The leading time words of a line (or None) and the rest of it."""
    match = _TIME_PREFIX.match(line)
    if match is None:
        return None, line
    return match.group("time"), line[match.end() :]


def _take_tags(rest: str) -> tuple[str, list[str]]:
    tags: list[str] = []
    problems: list[str] = []

    def replace(match: re.Match[str]) -> str:
        raw = match.group("tag").rstrip(_TRAILING_PUNCTUATION)
        if raw.isdigit():
            return match.group(0)  # "PR #123" is a reference, not a tag
        try:
            tag = normalize_tag(raw)
        except VocabularyError:
            problems.append("#" + raw)
            return match.group(0)
        if tag not in tags:
            tags.append(tag)
        return " "

    text = _TAG_WORD.sub(replace, rest)
    if problems:
        raise QuickEntryError(
            f"{problems[0]} is not a valid tag: use lowercase words joined by hyphens "
            "(like #db-failover) or a known tag; write \\# for a literal #"
        )
    return text, tags


def is_block(text: str) -> bool:
    """Whether ``text`` holds several lines (once the blank ones around it are gone)."""
    return ("\n" in text or "\r" in text) and "\n" in trim_block(text)


def _trailing_tags(last: str) -> tuple[str, list[str]]:
    """The ``#tag`` words at the end of a block's last line, and the line without them.

    A word that is not a tag (``#123``, ``#Foo``) ends the run and stays text: pasted
    text is not refused for what it happens to contain.
    """
    tags: list[str] = []
    while match := _LAST_TAG.search(last):
        raw = match.group("tag").rstrip(_TRAILING_PUNCTUATION)
        if raw.isdigit():
            break
        try:
            tag = normalize_tag(raw)
        except VocabularyError:
            break
        if tag not in tags:
            tags.insert(0, tag)
        last = last[: match.start()]
    return last.rstrip(), tags


def _read_time(
    time_text: str, *, zone: ZoneInfo, now: datetime, reference: datetime | None
) -> datetime:
    from models.timeparse import parse_time

    try:
        return parse_time(time_text, zone=zone, now=now, reference=reference)
    except (ValueError, OverflowError) as exc:
        raise QuickEntryError(str(exc) or f"cannot read the time {time_text!r}") from exc


def _parse_block(
    text: str, *, zone: ZoneInfo, now: datetime, reference: datetime | None
) -> QuickEntry:
    block = trim_block(text)
    problem = size_problem(block)
    if problem is not None:
        raise QuickEntryError(f"the text is {problem}: nothing was cut, nothing logged")
    lines = block.split("\n")
    time_text, first = split_time_prefix(lines[0])
    at = (
        now if time_text is None else _read_time(time_text, zone=zone, now=now, reference=reference)
    )
    lines[0] = first.strip() if time_text is not None else first
    lines[-1], tags = _trailing_tags(lines[-1])
    body = trim_block("\n".join(lines))
    if not body.strip() and not tags:
        raise QuickEntryError("nothing to log yet: type what happened after the time")
    return QuickEntry(at=at, text=body, tags=tags, time_given=time_text is not None)


def parse_quick_lines(
    text: str, *, zone: ZoneInfo, now: datetime, reference: datetime | None = None
) -> QuickLines:
    """Read a block line by line: an entry per line with a timestamp of its own, at that
    time; ``#tag`` words at the end of the last line tag every entry."""
    lines = trim_block(text).split("\n")
    lines[-1], tags = _trailing_tags(lines[-1])
    try:
        entries = read_timed_entries("\n".join(lines), zone=zone, now=now, reference=reference)
    except LogLinesError as exc:
        raise QuickEntryError(str(exc)) from exc
    return QuickLines(entries, tags)


def parse_quick_entry(
    line: str, *, zone: ZoneInfo, now: datetime, reference: datetime | None = None
) -> QuickEntry:
    """Read a quick-entry line, or raise QuickEntryError saying what is wrong with it."""
    if is_block(line):
        return _parse_block(line, zone=zone, now=now, reference=reference)
    line = trim_block(line) if "\n" in line or "\r" in line else line
    time_text, rest = split_time_prefix(line)
    at = (
        now if time_text is None else _read_time(time_text, zone=zone, now=now, reference=reference)
    )
    text, tags = _take_tags(rest)
    text = " ".join(text.split()).replace("\\#", "#")
    if not text and not tags:
        raise QuickEntryError("nothing to log yet: type what happened after the time")
    return QuickEntry(at=at, text=text, tags=tags, time_given=time_text is not None)
