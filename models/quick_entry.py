"""Reading one line typed into the workbook's quick-entry bar.

The syntax is ``[TIME] text #tag #tag``:

* TIME is optional and comes first, in any form ``workbook log --at`` accepts
  (``10:45``, ``2:30pm``, ``2:30 pm``, ``-5m``, ``-1h30m``, ``2026-03-02 23:50``);
  without it the entry is logged at ``now``.
* A word starting with ``#`` anywhere in the line is a tag (short aliases such as ``#fl``
  or ``#esc`` become their long form) and is taken out of the text. ``\\#`` keeps a literal
  ``#``; a hash inside a word (``C#``) or before a number only (``PR #123``) stays text.

Pure: no Textual, no database. The TUI calls it on every keystroke for the preview line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from models.vocabulary import VocabularyError, normalize_tag


class QuickEntryError(ValueError):
    """The line cannot be logged as typed; the message says what to change."""


@dataclass(frozen=True)
class QuickEntry:
    at: datetime
    text: str
    tags: list[str] = field(default_factory=list)
    time_given: bool = False


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


def parse_quick_entry(
    line: str, *, zone: ZoneInfo, now: datetime, reference: datetime | None = None
) -> QuickEntry:
    """Read a quick-entry line, or raise QuickEntryError saying what is wrong with it."""
    from models.timeparse import parse_time

    time_text, rest = split_time_prefix(line)
    if time_text is None:
        at = now
    else:
        try:
            at = parse_time(time_text, zone=zone, now=now, reference=reference)
        except (ValueError, OverflowError) as exc:
            raise QuickEntryError(str(exc) or f"cannot read the time {time_text!r}") from exc
    text, tags = _take_tags(rest)
    text = " ".join(text.split()).replace("\\#", "#")
    if not text and not tags:
        raise QuickEntryError("nothing to log yet: type what happened after the time")
    return QuickEntry(at=at, text=text, tags=tags, time_given=time_text is not None)
