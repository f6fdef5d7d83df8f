"""Time phrases in postmortems written elsewhere: clock times, dates, zones and durations.

Pure functions over one piece of text at a time (a line, a cell, a heading). Nothing here
knows about Markdown; :mod:`exporters.ingest.foreign.sections` hands over plain text. Every
pattern is linear: alternatives are anchored on digits or fixed words, so no input can
make a search backtrack badly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from exporters.ingest.foreign.zones import ZoneHit, zone_after

# --------------------------------------------------------------------------- clock times

_TIME_RE = re.compile(
    r"(?<![\w:.+])"
    r"(?:"
    r"(?P<h>[01]?[0-9]|2[0-3]):(?P<m>[0-5][0-9])(?::(?P<s>[0-5][0-9]))?(?:\.[0-9]{1,6})?"
    r"(?![0-9])(?:\s?(?P<ap>[AaPp])\.?[Mm]\b\.?|\s?(?:HRS|Hrs|hrs)\b)?"
    r"|(?P<bh>1[0-2]|0?[1-9])\s?(?P<bap>[AaPp])\.?[Mm]\b\.?"
    r"|(?P<mh>[01][0-9]|2[0-3])(?P<mm>[0-5][0-9])\s?(?:HRS|Hrs|hrs|H)\b"
    r"|(?:12\s)?(?P<word>[Nn]oon|[Mm]idday|[Mm]idnight)\b"
    r")",
    re.ASCII,
)


@dataclass(frozen=True)
class ClockTime:
    """A time of day as written: the hour keeps its 12-hour form when a meridiem is given."""

    hour: int
    minute: int
    second: int = 0
    meridiem: str | None = None  # "am" or "pm" when written
    start: int = 0
    end: int = 0

    def hour24(self, meridiem: str | None = None) -> int:
        """The hour on a 24-hour clock, reading the time with ``meridiem`` if given."""
        which = meridiem or self.meridiem
        if which is None:
            return self.hour
        base = self.hour % 12
        return base + 12 if which == "pm" else base

    @property
    def minutes_of_day(self) -> int:
        return self.hour24() * 60 + self.minute

    def as_text(self) -> str:
        clock = f"{self.hour}:{self.minute:02d}"
        return f"{clock} {self.meridiem.upper()}" if self.meridiem else clock


def _clock_from(match: re.Match[str]) -> ClockTime:
    if match.group("h") is not None:
        ap = match.group("ap")
        hour = int(match.group("h"))
        meridiem = ap.lower() + "m" if ap else None
        if meridiem and not 1 <= hour <= 12:
            meridiem = None  # "14:00 PM": the 24-hour reading is the one to trust
        return ClockTime(
            hour,
            int(match.group("m")),
            int(match.group("s") or 0),
            meridiem,
            match.start(),
            match.end(),
        )
    if match.group("bh") is not None:
        return ClockTime(
            int(match.group("bh")),
            0,
            0,
            match.group("bap").lower() + "m",
            match.start(),
            match.end(),
        )
    if match.group("word"):
        noon = match.group("word").lower() != "midnight"
        return ClockTime(12, 0, 0, "pm" if noon else "am", match.start(), match.end())
    return ClockTime(
        int(match.group("mh")), int(match.group("mm")), 0, None, match.start(), match.end()
    )


_DIGIT_RE = re.compile(r"[0-9]")


_CLOCK_HINT_RE = re.compile(r"[0-9]|noon|midday|midnight", re.IGNORECASE)


def find_clock_times(text: str) -> list[ClockTime]:
    if not _CLOCK_HINT_RE.search(text):
        return []
    return [_clock_from(m) for m in _TIME_RE.finditer(text)]


# --------------------------------------------------------------------------- dates

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
# English and French month names (French write-ups: "4 mars 2024", "1er août").
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|janv(?:ier)?|f[ée]v(?:r(?:ier)?)?|mars|avr(?:il)?|mai|juin|juil(?:let)?|ao[uû]t"
    r"|septembre|octobre|novembre|d[ée]c(?:embre)?)\b\.?"
)
_FRENCH_MONTHS = {"fév": 2, "fev": 2, "avr": 4, "mai": 5, "aoû": 8, "aou": 8, "déc": 12}


def _month_number(name: str) -> int:
    """The month of a month name in English or French (``juin`` and ``juil`` differ late)."""
    lowered = name.lower().rstrip(".")
    if lowered.startswith("juin"):
        return 6
    if lowered.startswith("juil"):
        return 7
    return _FRENCH_MONTHS.get(lowered[:3]) or _MONTHS[lowered[:3]]


_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_ORD = r"(?:st|nd|rd|th|er)?"
_DATE_RE = re.compile(
    r"(?<![\w/.-])(?:"
    r"(?P<iy>(?:19|20)[0-9]{2})[-/.](?P<im>[0-9]{1,2})[-/.](?P<id>[0-9]{1,2})(?![0-9])"
    r"|" + _WEEKDAY + r"(?P<mn>" + _MONTH + r")\s+(?P<md>[0-9]{1,2})" + _ORD + r"\b"
    r"(?:,?\s+(?P<my>(?:19|20)[0-9]{2})\b)?"
    r"|" + _WEEKDAY + r"(?P<dd>[0-9]{1,2})" + _ORD + r"(?:\s+of)?\s+(?P<dn>" + _MONTH + r")"
    r"(?:,?\s+(?P<dy>(?:19|20)[0-9]{2})\b)?"
    r"|(?P<na>[0-9]{1,2})(?P<sep>[/.-])(?P<nb>[0-9]{1,2})(?P=sep)(?P<ny>(?:19|20)[0-9]{2})"
    r"(?![0-9/.-]|:[0-9])"
    r")",
    re.IGNORECASE | re.ASCII,
)


@dataclass(frozen=True)
class DateHit:
    day: date | None  # None when the year is missing
    month: int
    dom: int
    start: int
    end: int
    ambiguous: bool = False  # 03/04/2024: month first or day first?
    day_first: bool | None = None  # for numeric dates whose order is certain


def _safe_date(year: int, month: int, dom: int) -> date | None:
    try:
        return date(year, month, dom)
    except ValueError:
        return None


def _date_from(match: re.Match[str]) -> DateHit | None:
    span = (match.start(), match.end())
    if match.group("iy"):
        y, m, d = int(match.group("iy")), int(match.group("im")), int(match.group("id"))
        day = _safe_date(y, m, d)
        return DateHit(day, m, d, *span) if day else None
    if match.group("mn") or match.group("dn"):
        name = (match.group("mn") or match.group("dn"))[:3].lower()
        if name == "may" and (match.group("mn") or "").startswith("may"):
            return None  # the verb "may", not the month (which would be written "May")
        month = _month_number(match.group("mn") or match.group("dn"))
        dom = int(match.group("md") or match.group("dd"))
        year_text = match.group("my") or match.group("dy")
        if not 1 <= dom <= 31:
            return None
        if year_text:
            day = _safe_date(int(year_text), month, dom)
            return DateHit(day, month, dom, *span) if day else None
        return DateHit(None, month, dom, *span)
    a, b = int(match.group("na")), int(match.group("nb"))
    year = int(match.group("ny"))
    day_first: bool | None = None
    if a > 12 and b <= 12:
        month, dom, ambiguous, day_first = b, a, False, True
    elif b > 12 and a <= 12:
        month, dom, ambiguous, day_first = a, b, False, False
    else:
        month, dom, ambiguous = a, b, a != b
    day = _safe_date(year, month, dom)
    if day is None:
        return None
    return DateHit(day, month, dom, *span, ambiguous=ambiguous, day_first=day_first)


def find_dates(text: str) -> list[DateHit]:
    """Calendar dates in ``text``; month-name dates need no year (``day`` is then None)."""
    if not _DIGIT_RE.search(text):
        return []
    hits = (_date_from(m) for m in _DATE_RE.finditer(text))
    return [hit for hit in hits if hit is not None]


def day_first_reading(hit: DateHit) -> date | None:
    """The other reading of an ambiguous numeric date (day before month)."""
    if not hit.ambiguous or hit.day is None:
        return None
    return _safe_date(hit.day.year, hit.dom, hit.month)


# --------------------------------------------------------------------------- durations

_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
    "a couple of": 2,
    "a few": 3,
    "several": 3,
}
_QTY = (
    r"(?:[0-9]+(?:[.,][0-9]+)?|forty-five|a couple of|a few|an?|one|two|three|four|five"
    r"|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|ninety)"
)
_UNIT = r"(?:days?|hours?|hrs?|minutes?|mins?|seconds?|secs?)\b"
_TIGHT_UNIT = r"(?:d|h|m)\b"  # 16h 45m: only glued to a number
_PAIR = (
    r"(?:\b(?:" + _QTY + r")\s?-?\s?" + _UNIT + r"|[0-9]+(?:\.[0-9]+)? ?" + _TIGHT_UNIT + r")"
    r"(?:\s+and\s+a\s+half)?"
)
_DURATION_RE = re.compile(
    r"(?P<qual>\b(?:close to|about|around|approximately|approx\.?|roughly|nearly|almost"
    r"|just over|just under|over|more than|less than|under|within|some|~)\s*)?"
    r"(?P<body>\bhalf an hour\b|" + _PAIR + r"(?:\s*(?:,|and)?\s*" + _PAIR + r")*)",
    re.IGNORECASE,
)
_PAIR_RE = re.compile(
    r"\b(?:(?P<q>" + _QTY + r")\s?-?\s?(?P<u>" + _UNIT + r")"
    r"|(?P<tq>[0-9]+(?:\.[0-9]+)?) ?(?P<tu>" + _TIGHT_UNIT + r"))"
    r"(?P<half>\s+and\s+a\s+half)?",
    re.IGNORECASE,
)
_UNIT_MINUTES = {"d": 1440.0, "h": 60.0, "m": 1.0, "s": 1 / 60}


@dataclass(frozen=True)
class DurationHit:
    minutes: float
    text: str
    approximate: bool
    upper_bound: bool  # "within two hours"
    start: int
    end: int


def _quantity(raw: str) -> float | None:
    raw = raw.lower()
    if raw in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[raw])
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        return None


_DURATION_HINT_RE = re.compile(
    r"hour|hr|min|day|[0-9] ?[hmd]\b|[0-9] ?h ?[0-5][0-9]", re.IGNORECASE
)


# "1 h 15", "2h30": hours, then minutes with no unit of their own (a French habit).
_HOURS_MINUTES_RE = re.compile(
    r"(?P<qual>\b(?:environ|about|around|approximately|~)\s*)?"
    r"\b(?P<h>[0-9]{1,3})\s?h\s?(?P<m>[0-5][0-9])\b(?!\s?(?:min|m\b|%|[:.,][0-9]))",
    re.IGNORECASE,
)


_AT_TIME_RE = re.compile(
    r"\b(?:at|by|from|to|until|till|since|à|a|vers|de|dès|jusqu.[àa]|depuis)\s*$", re.IGNORECASE
)


def find_durations(text: str) -> list[DurationHit]:
    hits: list[DurationHit] = []
    if not _DURATION_HINT_RE.search(text):
        return hits
    for match in _HOURS_MINUTES_RE.finditer(text):
        minutes = int(match.group("h")) * 60 + int(match.group("m"))
        if _AT_TIME_RE.search(text, max(0, match.start() - 12), match.start()):
            continue  # "at 14h05", "à 14h05": a time of day
        if 0 < minutes <= 60 * 24 * 60:
            hits.append(
                DurationHit(
                    float(minutes),
                    match.group(0).strip(),
                    bool(match.group("qual")),
                    False,
                    match.start(),
                    match.end(),
                )
            )
    taken = [(h.start, h.end) for h in hits]
    for match in _DURATION_RE.finditer(text):
        if any(a < match.end() and match.start() < b for a, b in taken):
            continue
        body = match.group("body")
        if body.lower() == "half an hour":
            minutes = 30.0
        else:
            minutes = 0.0
            for pair in _PAIR_RE.finditer(body):
                qty = _quantity(pair.group("q") or pair.group("tq"))
                if qty is None:
                    continue
                unit = (pair.group("u") or pair.group("tu"))[0].lower()
                value = qty * _UNIT_MINUTES[unit]
                if pair.group("half"):
                    value += 0.5 * _UNIT_MINUTES[unit]
                minutes += value
        if minutes <= 0 or minutes > 60 * 24 * 60:
            continue
        qual = (match.group("qual") or "").strip().lower()
        hits.append(
            DurationHit(
                minutes,
                match.group(0).strip(),
                bool(qual) or "half" in body.lower() or "couple" in body.lower(),
                qual in ("within", "less than", "under"),
                match.start(),
                match.end(),
            )
        )
    return hits


# --------------------------------------------------------------------------- instants

_ISO_T_RE = re.compile(r"(?<=[0-9]{4}-[0-9]{2}-[0-9]{2})T(?=[0-9]{2}:[0-9]{2})")


def untangle_iso(text: str) -> str:
    """``2024-06-20T10:00Z`` becomes ``2024-06-20 10:00Z`` so date and time read apart."""
    return _ISO_T_RE.sub(" ", text) if "T" in text else text


def local_instant(
    day: date, clock: ClockTime, zone: tzinfo, meridiem: str | None = None
) -> datetime:
    """The aware datetime of ``clock`` on ``day`` in ``zone``."""
    return datetime(
        day.year,
        day.month,
        day.day,
        clock.hour24(meridiem),
        clock.minute,
        clock.second,
        tzinfo=zone,
    )


# --------------------------------------------------------------------------- stamps


@dataclass(frozen=True)
class Stamp:
    """The date and/or time a line starts with, and the text after it."""

    date: DateHit | None
    clock: ClockTime | None
    zone: ZoneHit | None
    rest: str
    until: ClockTime | None = None  # the end of a range such as 1:30pm-2:30pm
    offset: timedelta | None = None  # a relative time (T+1:30): the clock is then a stand-in


_PREFIX_RE = re.compile(
    r"(?:at|by|around|approx\.?|approximately|~|circa|ca\.|from|(?P<between>between))\s*"
    r"(?=[0-9])",
    re.IGNORECASE,
)
_AFTER_DATE_RE = re.compile(r"[\s,*_`|/–—-]*(?:at\s+|@\s*)?")
_RANGE_SEP_RE = re.compile(r"\s*(?:-|–|—|to|until|till|->|→)\s*", re.IGNORECASE)
# "14h05" (common in French and other European write-ups), only where a line starts with
# it: elsewhere "took 2h30" is a duration.
H_TIME_RE = re.compile(r"([01]?[0-9]|2[0-3])h([0-5][0-9])(?![0-9])(?!\s?m(?:in)?\b)")
_BETWEEN_SEP_RE = re.compile(r"\s*(?:and|-|–|—)\s*", re.IGNORECASE)
_LATE_DATE_RE = re.compile(r"[\s*_`]*(?:\(\s*|,\s*|on\s+)")
_AFTER_STAMP_RE = re.compile(r"[\s*_`~\])|.:,;>–—-]*")


def leading_stamp(text: str) -> Stamp | None:
    """The date and time at the very start of ``text`` (after bullets, bold, emoji)."""
    n = len(text)
    pos = 0
    while pos < n and pos < 12 and not text[pos].isalnum():
        pos += 1
    if pos >= n:
        return None
    prefix = _PREFIX_RE.match(text, pos)
    between = False
    if prefix:
        pos = prefix.end()
        between = prefix.group("between") is not None
    date_hit: DateHit | None = None
    date_match = _DATE_RE.match(text, pos)
    if date_match:
        date_hit = _date_from(date_match)
        if date_hit is not None:
            pos = _AFTER_DATE_RE.match(text, date_match.end()).end()  # type: ignore[union-attr]
    clock: ClockTime | None = None
    until: ClockTime | None = None
    zone: ZoneHit | None = None
    clock_match = _TIME_RE.match(text, pos)
    h_match = None if clock_match else H_TIME_RE.match(text, pos)
    if h_match:
        clock = ClockTime(int(h_match.group(1)), int(h_match.group(2)), 0, None, *h_match.span())
        pos = h_match.end()
        zone = zone_after(text, pos)
        if zone:
            pos = zone.end
    elif clock_match:
        clock = _clock_from(clock_match)
        pos = clock_match.end()
        zone = zone_after(text, pos)
        if zone:
            pos = zone.end
        range_sep = (_BETWEEN_SEP_RE if between else _RANGE_SEP_RE).match(text, pos)
        if range_sep:
            second = _TIME_RE.match(text, range_sep.end())
            if second:
                until = _clock_from(second)
                pos = second.end()
                later_zone = zone_after(text, pos)
                if later_zone:
                    zone = zone or later_zone
                    pos = later_zone.end
    elif date_hit is None:
        return None
    elif date_match:
        pos = date_match.end()
    if clock is not None and date_hit is None:
        # "22:30 UTC (Oct 29) - ...": a date right after the time belongs to the entry.
        late = _LATE_DATE_RE.match(text, pos)
        if late:
            found = _DATE_RE.match(text, late.end())
            hit = _date_from(found) if found else None
            if found is not None and hit is not None:
                date_hit = hit
                pos = found.end()
    pos = _AFTER_STAMP_RE.match(text, pos).end()  # type: ignore[union-attr]
    return Stamp(date_hit, clock, zone, text[pos:].strip(), until)


_RELATIVE_RE = re.compile(
    r"T\s?(?P<sign>[+\-−])\s?(?P<h>[0-9]{1,3}):(?P<m>[0-5][0-9])(?![0-9:])", re.ASCII
)


def relative_stamp(text: str) -> Stamp | None:
    """A line that starts with an offset from an unnamed moment (``T+0:26``, ``**T-0:05**``)."""
    pos = 0
    while pos < len(text) and pos < 12 and not text[pos].isalnum():
        pos += 1
    match = _RELATIVE_RE.match(text, pos)
    if match is None:
        return None
    minutes = int(match.group("h")) * 60 + int(match.group("m"))
    if match.group("sign") != "+":
        minutes = -minutes
    rest = text[_AFTER_STAMP_RE.match(text, match.end()).end() :].strip()  # type: ignore[union-attr]
    return Stamp(None, ClockTime(0, 0), None, rest, offset=timedelta(minutes=minutes))
