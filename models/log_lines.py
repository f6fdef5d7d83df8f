"""Reading pasted or piped log lines: their own timestamps, and how they group into entries.

A responder pastes lines copied from a log, or pipes them into ``workbook log REF -
--lines``. Each line that carries a timestamp of its own starts an entry at that time, with
the timestamp taken out of its text; a line without one (a stack trace, a wrapped message)
stays with the entry above it, and lines before the first timestamp go with the first entry.

Timestamps read (the forms log files write):

* ISO 8601, with or without a zone: ``2026-12-04T10:00:01Z``, ``2026-12-04 10:00:01.123``,
  ``2026-12-04T10:00:01+0100``; also ``2026/12/04 10:00:01`` (nginx's error log);
* syslog and journalctl's short form: ``Dec  4 10:00:01``, ``Dec 04 10:00:01.123456``
  (the year is the one that puts the time nearest the reference);
* the web server's bracketed ``[04/Dec/2026:10:00:01 +0000]``;
* a time of day at the start of the line: ``10:00``, ``10:00:01``, ``[10:00:01]``.

The first four may come after a few words (``ERROR 2026-12-04T10:00:01Z db timeout``, an
access log's client address); a bare time of day only at the start of the line, where it
cannot be part of a message. A time without a zone is read in the incident's zone by the
rules of ``--at`` (:func:`models.timeparse.parse_time`): a bare time is the occurrence
nearest the reference, and a local time in a DST gap or fold is refused, not moved.

Pure: no Textual, no database. The quick-entry bar and ``workbook log`` both use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from models.timeparse import TimeParseError, parse_time

# A paste or piped text larger than this is refused as one entry, never cut. Two hundred
# lines is a long stack trace; 64 KiB keeps a row, an export line and a draft file small.
MAX_ENTRY_LINES = 200
MAX_ENTRY_BYTES = 64 * 1024

# How many words may come before a distinctive timestamp (a level, a client address and
# the two dashes of an access log, a syslog priority).
_WORDS_BEFORE = 4

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_CLOCK = r"(?P<clock>\d{2}:\d{2}(?::\d{2})?)(?P<fraction>[.,]\d{1,9})?"
_FLAGS = re.IGNORECASE | re.ASCII

_ISO = re.compile(
    r"(?<![\w:./-])(?P<date>\d{4}[-/]\d{2}[-/]\d{2})[T ]"
    rf"{_CLOCK}(?P<zone>Z|\s?UTC|[+-]\d{{2}}(?::?\d{{2}})?)?(?![\w:])",
    _FLAGS,
)
_SYSLOG = re.compile(
    rf"(?<![\w:])\b{_MONTH}\s{{1,2}}(?P<day>\d{{1,2}})\s+"
    r"(?P<clock>\d{2}:\d{2}:\d{2})(?P<fraction>\.\d{1,9})?(?![\w:])",
    _FLAGS,
)
_BRACKETED = re.compile(
    rf"\[(?P<day>\d{{2}})/{_MONTH}/(?P<year>\d{{4}}):(?P<clock>\d{{2}}:\d{{2}}:\d{{2}})"
    r"(?P<fraction>\.\d{1,9})?(?:\s?(?P<zone>[+-]\d{4}))?\]",
    _FLAGS,
)
_BARE = re.compile(
    r"^\s*(?P<open>\[)?(?P<clock>\d{1,2}:\d{2}(?::\d{2})?)(?P<fraction>[.,]\d{1,9})?"
    r"(?(open)\])(?=[\s|,;-]|$)(?!\s?[ap]\.?m\b)",  # 2:30 pm is no log's timestamp
    _FLAGS,
)
# What may separate a timestamp from the message: taken out with it.
_SEPARATOR = re.compile(r"^\s*(?:[-|:]|--|—)(?=\s|$)")


class LogLinesError(ValueError):
    """The lines cannot be logged at their own times; the message names the line."""


@dataclass(frozen=True)
class Stamp:
    """A timestamp found in a line: where it is, which form, and what it says."""

    start: int
    end: int
    form: str  # "iso", "syslog", "bracketed" or "time"
    fields: dict[str, str]


@dataclass(frozen=True)
class TimedEntry:
    """One entry of a block read line by line: its time, its text (line breaks kept), and
    the number (from 1) of the line that gave its time."""

    at: datetime
    text: str
    line: int


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR (what terminals send in a paste) as LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def trim_block(text: str) -> str:
    """A pasted block without the blank lines around it, and without trailing blanks on
    its last line (a copied line usually brings its line break along)."""
    lines = normalize_newlines(text).split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines:
        lines[-1] = lines[-1].rstrip()
    return "\n".join(lines)


def size_problem(text: str) -> str | None:
    """Why ``text`` is too large for one entry, or None."""
    lines = text.count("\n") + 1
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if lines <= MAX_ENTRY_LINES and size <= MAX_ENTRY_BYTES:
        return None
    return (
        f"{lines:,} lines, {_kib(size)}: more than an entry holds "
        f"({MAX_ENTRY_LINES} lines or {MAX_ENTRY_BYTES // 1024} KiB)"
    )


def _kib(size: int) -> str:
    return f"{size} bytes" if size < 1024 else f"{size / 1024:,.1f} KiB"


def find_stamp(line: str) -> Stamp | None:
    """The line's own timestamp, if it has one where log lines put theirs."""
    best: Stamp | None = None
    for form, pattern in (("iso", _ISO), ("syslog", _SYSLOG), ("bracketed", _BRACKETED)):
        match = pattern.search(line)
        if match is None or len(line[: match.start()].split()) > _WORDS_BEFORE:
            continue
        if best is None or match.start() < best.start:
            best = Stamp(match.start(), match.end(), form, _fields(match))
    if best is not None:
        return best
    match = _BARE.match(line)
    if match is None or not _valid_clock(match["clock"]):
        return None
    start = match.start("open") if match["open"] else match.start("clock")
    return Stamp(start, match.end(), "time", _fields(match))


def _fields(match: re.Match[str]) -> dict[str, str]:
    return {name: value for name, value in match.groupdict().items() if value is not None}


def _valid_clock(clock: str) -> bool:
    parts = [int(p) for p in clock.split(":")]
    return parts[0] <= 23 and all(p <= 59 for p in parts[1:])


def text_without(line: str, stamp: Stamp) -> str:
    """The line with its timestamp (and a separator right after it) taken out."""
    before, after = line[: stamp.start].rstrip(), line[stamp.end :]
    after = _SEPARATOR.sub("", after, count=1).strip()
    if not before:
        return after
    return f"{before} {after}" if after else before


def stamp_time(stamp: Stamp, *, zone: ZoneInfo, now: datetime, reference: datetime) -> datetime:
    """The instant a stamp stands for (UTC); TimeParseError for a local time in a DST gap
    or fold, as ``--at`` refuses it."""
    fields = stamp.fields
    clock = fields["clock"]
    fraction = timedelta(microseconds=_micros(fields.get("fraction", "")))
    if stamp.form == "time":
        if fields.get("fraction") and clock.count(":") == 1:
            fraction = timedelta()  # 10:00.5 is no log format we know: the half is not read
        return parse_time(clock, zone=zone, now=now, reference=reference) + fraction
    if stamp.form == "iso":
        date = fields["date"].replace("/", "-")
        zone_text = fields.get("zone", "").strip()
        return parse_time(f"{date}T{clock}{zone_text}", zone=zone, now=now, reference=reference) + (
            fraction
        )
    month = _MONTHS.index(fields["month"].lower()) + 1
    day = int(fields["day"])
    if stamp.form == "bracketed":
        year = int(fields["year"])
        zone_text = fields.get("zone", "")
    else:
        year = _nearest_year(month, day, clock, zone, reference)
        zone_text = ""
    text = f"{year:04d}-{month:02d}-{day:02d}T{clock}{zone_text}"
    return parse_time(text, zone=zone, now=now, reference=reference) + fraction


def _micros(fraction: str) -> int:
    digits = fraction[1:7] if fraction else ""
    return int(digits.ljust(6, "0")) if digits else 0


def _nearest_year(month: int, day: int, clock: str, zone: ZoneInfo, reference: datetime) -> int:
    """The year that puts a syslog date (which has none) nearest the reference."""
    local = reference.astimezone(zone).replace(tzinfo=None)
    hour, minute, second = (int(p) for p in clock.split(":"))
    best: tuple[timedelta, int] | None = None
    for year in (local.year - 1, local.year, local.year + 1):
        try:
            wall = datetime(year, month, day, hour, minute, second)
        except ValueError:
            continue  # 29 February outside a leap year
        distance = abs(wall - local)
        if best is None or distance < best[0]:
            best = (distance, year)
    if best is None:
        raise TimeParseError(f"{_MONTHS[month - 1].title()} {day} is not a calendar date")
    return best[1]


def has_stamped_line(text: str) -> bool:
    """Whether any line of ``text`` carries a timestamp of its own."""
    return any(find_stamp(line) is not None for line in normalize_newlines(text).split("\n"))


def read_timed_entries(
    text: str, *, zone: ZoneInfo, now: datetime, reference: datetime | None = None
) -> list[TimedEntry]:
    """One entry per line with a timestamp, the untimed lines kept with the entry above.

    Raises LogLinesError when no line has a timestamp, when a timestamp cannot be read as
    a time (a DST gap or fold), or when an entry would be larger than an entry holds.
    """
    reference = now if reference is None else reference
    groups: list[tuple[int, datetime, list[str]]] = []
    leading: list[str] = []
    for number, line in enumerate(trim_block(text).split("\n"), start=1):
        stamp = find_stamp(line)
        if stamp is None:
            (groups[-1][2] if groups else leading).append(line)
            continue
        try:
            at = stamp_time(stamp, zone=zone, now=now, reference=reference)
        except (TimeParseError, OverflowError) as exc:
            raise LogLinesError(f"line {number}: {exc}") from exc
        first = text_without(line, stamp) or line.strip()
        groups.append((number, at, [first]))
    if not groups:
        raise LogLinesError(
            "no line starts with a timestamp of its own (ISO 8601, HH:MM[:SS], syslog's "
            "Dec  4 10:00:01, a web server's [04/Dec/2026:10:00:01 +0000])"
        )
    if leading:  # lines before the first timestamp go with the first entry
        number, at, lines = groups[0]
        groups[0] = (number, at, [*leading, *lines])
    entries: list[TimedEntry] = []
    for number, at, lines in groups:
        while len(lines) > 1 and not lines[-1].strip():
            lines.pop()
        body = "\n".join(lines)
        problem = size_problem(body)
        if problem is not None:
            raise LogLinesError(f"the entry of line {number} is {problem}")
        entries.append(TimedEntry(at, body, number))
    return entries
