"""Reading and showing times the way a responder types them during an incident.

Pure functions: no Textual, no database. Every instant leaves :func:`parse_time` as a
timezone-aware ``datetime`` in UTC; local wall-clock times are only read and shown in the
incident's IANA time zone.

What :func:`parse_time` accepts (surrounding white space ignored, letters in any case):

* nothing, ``""`` or ``now``: the current time;
* an ISO 8601 time with an offset, taken as written: ``2026-03-02T23:50:00+01:00``,
  ``2026-03-02 23:50Z``, fractional seconds allowed;
* a local date and time in the incident's zone: ``2026-03-02 23:50`` (also with ``T``,
  optionally with seconds);
* a bare time of day: ``14:05``, ``9:05``, ``14:05:30``, ``2:30pm``, ``2:30 PM``, ``2pm``,
  ``12am`` (midnight), ``12pm`` (noon);
* how long ago: ``-5m``, ``-90s``, ``-2h``, ``-1h30m``, ``-1h 30m``, ``-1d`` (units ``s``,
  ``m``, ``h``, ``d``, ``w``). A future offset such as ``+5m`` is refused: entries record
  what has already happened.

A bare time means its occurrence nearest to the reference time (normally now; while
backfilling a resolved incident, its latest entry): that wall-clock time is considered on
the reference's local date, the day before and the day after, and the candidate closest to
the reference wins, the earlier one on a tie. So at 00:10, ``23:50`` means twenty minutes
ago, yesterday; at 23:55, ``00:05`` means ten minutes ahead, tomorrow.

Daylight saving time: a time is never silently shifted. A local time that does not exist
because the clocks jumped forward (for example 02:30 on 2026-03-29 in Europe/Berlin) is
refused, and the message suggests giving an explicit offset or a time outside the gap. A
local date and time that happens twice because the clocks went back (02:30 on 2026-10-25
in Europe/Berlin, at +02:00 and again at +01:00) is refused too, naming both readings, so
the responder adds the offset they mean. A bare time is different: both readings of a
repeated time are simply two candidate occurrences, and the one nearest the reference is
taken without error. A bare time whose nearest occurrence falls into a gap is refused
rather than moved to another day. Gaps and repeats are found by converting the wall-clock
time to UTC with ``fold=0`` and with ``fold=1`` (zoneinfo semantics) and keeping only the
readings that convert back to the same wall-clock time.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = [
    "TimeParseError",
    "format_duration",
    "format_local",
    "machine_zone_name",
    "parse_date",
    "parse_time",
    "resolve_zone",
]


class TimeParseError(ValueError):
    """A time, date or zone that cannot be used as typed; the message says what to type."""


ACCEPTED_FORMS = "14:05, 2:05pm, -5m, 2026-03-02 23:50 or an ISO time with offset"

# --------------------------------------------------------------------------- zones

_UTC_ALIASES = frozenset({"utc", "z"})


def utc_now() -> datetime:
    """The real clock, aware and in UTC (what every stored time is)."""
    return datetime.now(UTC)


def resolve_zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA zone name (``UTC``, ``utc`` and ``Z`` mean UTC)."""
    key = name.strip() if isinstance(name, str) else ""
    if key.lower() in _UTC_ALIASES:
        return ZoneInfo("UTC")
    try:
        if not key:
            raise ValueError("empty zone name")
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    shown = _shown(name if isinstance(name, str) else str(name))
    suggestion = _zone_with_other_case(key)
    if suggestion is not None:
        raise TimeParseError(
            f"unknown time zone {shown}: zone names are case-sensitive, use {suggestion}"
        )
    raise TimeParseError(
        f"unknown time zone {shown}: use an IANA name such as Europe/Berlin or UTC"
    )


def zone_or_utc(name: str) -> ZoneInfo:
    """The incident's zone for showing times; UTC when the stored name is not a zone."""
    try:
        return resolve_zone(name)
    except TimeParseError:
        return ZoneInfo("UTC")


def _zone_with_other_case(key: str) -> str | None:
    if not key:
        return None
    folded = key.casefold()
    for candidate in available_timezones():
        if candidate.casefold() == folded:
            return candidate
    return None


def _zone_label(zone: ZoneInfo) -> str:
    return zone.key if zone.key else str(zone)


def _known_zone(name: str) -> str | None:
    name = name.strip()
    try:
        zone = resolve_zone(name)
    except TimeParseError:
        return None
    return "UTC" if name.lower() in _UTC_ALIASES else _zone_label(zone) or name


def _zone_from_path(path: str) -> str | None:
    """``.../zoneinfo/Europe/Berlin`` (also ``zoneinfo/posix/...``) -> ``Europe/Berlin``."""
    marker = "zoneinfo/"
    where = path.rfind(marker)
    if where < 0:
        return None
    name = path[where + len(marker) :].strip("/")
    for prefix in ("posix/", "right/"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return _known_zone(name) if name else None


def machine_zone_name(
    *,
    environ: Mapping[str, str] | None = None,
    timezone_file: Path = Path("/etc/timezone"),
    localtime: Path = Path("/etc/localtime"),
) -> str:
    """The machine's IANA zone name, or ``"UTC"`` when it cannot be told.

    Looks at the ``TZ`` environment variable, then ``/etc/timezone``, then where the
    ``/etc/localtime`` symlink points below a ``zoneinfo/`` directory. The keyword
    arguments exist for tests.
    """
    env = os.environ if environ is None else environ
    tz = env.get("TZ", "").strip()
    if tz:
        tz = tz.removeprefix(":")
        found = _zone_from_path(tz) if "zoneinfo/" in tz else _known_zone(tz)
        if found:
            return found
    try:
        lines = timezone_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    first = lines[0].strip() if lines else ""
    if first and not first.startswith("#") and _known_zone(first):
        return first
    for read in (os.readlink, os.path.realpath):
        try:
            target = str(read(localtime))
        except (OSError, ValueError):
            continue
        found = _zone_from_path(target)
        if found:
            return found
    return "UTC"


# --------------------------------------------------------------------------- parsing

_RE_FLAGS = re.IGNORECASE | re.ASCII

_OFFSET = r"(?P<offset>z|utc|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)"
_DATE_TIME = (
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})[t ]\s*"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?"
)
_ISO_WITH_OFFSET = re.compile(rf"{_DATE_TIME}\s*{_OFFSET}", _RE_FLAGS)
_LOCAL_DATE_TIME = re.compile(_DATE_TIME, _RE_FLAGS)
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}", _RE_FLAGS)
_CLOCK_24 = re.compile(r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?", _RE_FLAGS)
_CLOCK_12 = re.compile(
    r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"
    r"\s*(?P<half>[ap])\.?\s*m\.?",
    _RE_FLAGS,
)
_UNITS: dict[str, int] = {}  # unit word -> seconds
for _seconds, _words in (
    (1, ("s", "sec", "secs", "second", "seconds")),
    (60, ("m", "min", "mins", "minute", "minutes")),
    (3600, ("h", "hr", "hrs", "hour", "hours")),
    (86400, ("d", "day", "days")),
    (604800, ("w", "wk", "wks", "week", "weeks")),
):
    _UNITS.update(dict.fromkeys(_words, _seconds))
_AMOUNT = r"(\d+(?:\.\d+)?)\s*([a-z]+)"
_RELATIVE = re.compile(rf"(?P<sign>[+-])\s*(?P<body>{_AMOUNT}(?:\s*{_AMOUNT})*)", _RE_FLAGS)
_RELATIVE_PART = re.compile(_AMOUNT, _RE_FLAGS)


def _shown(text: str, limit: int = 40) -> str:
    """User text quoted for a one-line message: shortened, control characters escaped."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)


def _cannot_read(text: str, why: str | None = None) -> TimeParseError:
    if why is None:
        return TimeParseError(f"cannot read {_shown(text)} as a time: use {ACCEPTED_FORMS}")
    return TimeParseError(f"cannot read {_shown(text)} as a time: {why}")


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime")


def _fmt_offset(offset: timedelta | None) -> str:
    total = int((offset or timedelta()).total_seconds())
    sign = "-" if total < 0 else "+"
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}"
    return f"{text}:{seconds:02d}" if seconds else text


def _fmt_date(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def _fmt_clock(wall: datetime | time) -> str:
    text = f"{wall.hour:02d}:{wall.minute:02d}"
    return f"{text}:{wall.second:02d}" if wall.second else text


def _readings(wall: datetime, zone: ZoneInfo) -> list[datetime]:
    """The UTC instants whose wall-clock time in ``zone`` is ``wall`` (naive).

    None for a time in a gap, one normally, two for a time the clocks repeat (earlier first).
    """
    found: list[datetime] = []
    for fold in (0, 1):
        instant = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        back = instant.astimezone(zone).replace(tzinfo=None, fold=0)
        if back == wall.replace(fold=0) and instant not in found:
            found.append(instant)
    return sorted(found)


def _gap_error(wall: datetime, zone: ZoneInfo) -> TimeParseError:
    before = wall.replace(tzinfo=zone, fold=0).utcoffset()
    clock, day = _fmt_clock(wall), _fmt_date(wall.date())
    return TimeParseError(
        f"{clock} does not exist on {day} in {_zone_label(zone)} (clocks jumped forward); "
        f"give an offset such as {day}T{clock}{_fmt_offset(before)} "
        "or a time outside the gap"
    )


def _fold_error(wall: datetime, zone: ZoneInfo, readings: list[datetime]) -> TimeParseError:
    clock, day = _fmt_clock(wall), _fmt_date(wall.date())
    first, second = (r.astimezone(zone) for r in readings[:2])
    return TimeParseError(
        f"{clock} on {day} happens twice in {_zone_label(zone)} "
        f"({_fmt_offset(first.utcoffset())} {first.tzname()} and "
        f"{_fmt_offset(second.utcoffset())} {second.tzname()}); add the offset, "
        f"e.g. {day}T{clock}{_fmt_offset(first.utcoffset())}"
    )


def _clock_values(text: str, hour: str, minute: str | None, second: str | None) -> time:
    h, m, s = int(hour), int(minute or 0), int(second or 0)
    if h > 23 or m > 59 or s > 59:
        raise _cannot_read(
            text, "hours go from 0 to 23, minutes and seconds from 0 to 59 (e.g. 14:05)"
        )
    return time(h, m, s)


def _twelve_hour(text: str, match: re.Match[str]) -> time:
    hour = int(match["hour"])
    if not 1 <= hour <= 12:
        raise _cannot_read(
            text, "with am/pm the hour goes from 1 to 12; for 24-hour time write e.g. 13:00"
        )
    clock = _clock_values(text, match["hour"], match["minute"], match["second"])
    hour24 = hour % 12 + (12 if match["half"].lower() == "p" else 0)
    return clock.replace(hour=hour24)


def _calendar_wall(text: str, match: re.Match[str]) -> datetime:
    clock = _clock_values(text, match["hour"], match["minute"], match["second"])
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    try:
        on = date(year, month, day)
    except ValueError:
        raise _cannot_read(
            text, f"{match['year']}-{match['month']}-{match['day']} is not a calendar date"
        ) from None
    micro = int((match["fraction"] or "0")[:6].ljust(6, "0"))
    return datetime.combine(on, clock).replace(microsecond=micro)


def _parse_offset(text: str, raw: str) -> timedelta:
    if raw.lower() in _UTC_ALIASES:
        return timedelta()
    digits = raw[1:].replace(":", "")
    if len(digits) not in (2, 4, 6):
        raise _cannot_read(text, "write the offset as +01:00, -05:00 or Z")
    hours, minutes, seconds = int(digits[:2]), int(digits[2:4] or 0), int(digits[4:6] or 0)
    if hours > 23 or minutes > 59 or seconds > 59:
        raise _cannot_read(text, "an offset goes from -23:59 to +23:59 (e.g. +01:00 or Z)")
    offset = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    return -offset if raw.startswith("-") else offset


def _local_instant(text: str, wall: datetime, zone: ZoneInfo) -> datetime:
    readings = _readings(wall, zone)
    if not readings:
        raise _gap_error(wall, zone)
    if len(readings) > 1:
        raise _fold_error(wall, zone, readings)
    return readings[0]


def _nearest_occurrence(clock: time, zone: ZoneInfo, reference: datetime) -> datetime:
    """The instant with wall-clock time ``clock`` in ``zone`` nearest to ``reference``."""
    local_day = reference.astimezone(zone).date()
    # (distance, instant, wall in a gap or None): gap positions compete too, so a bare time
    # whose nearest occurrence does not exist is refused instead of moved a day away.
    candidates: list[tuple[timedelta, datetime, datetime | None]] = []
    for shift in (-1, 0, 1):
        try:
            wall = datetime.combine(local_day + timedelta(days=shift), clock)
            readings = _readings(wall, zone)
            if readings:
                candidates.extend((abs(r - reference), r, None) for r in readings)
                continue
            for fold in (0, 1):
                phantom = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
                candidates.append((abs(phantom - reference), phantom, wall))
        except OverflowError:
            continue  # the day before year 1 or after year 9999
    if not candidates:
        raise OverflowError("no candidate day in range")
    _, instant, gap_wall = min(candidates, key=lambda c: (c[0], c[1], c[2] is not None))
    if gap_wall is not None:
        raise _gap_error(gap_wall, zone)
    return instant


def _relative(text: str, match: re.Match[str], now: datetime) -> datetime:
    if match["sign"] == "+":
        raise TimeParseError(
            f"{_shown(text)} is in the future: entries record what has already happened, "
            f"so give a past time such as -{text.strip().lstrip('+').strip()}"
        )
    micros = Decimal(0)
    for amount, unit in _RELATIVE_PART.findall(match["body"]):
        seconds = _UNITS.get(unit.lower())
        if seconds is None:
            raise _cannot_read(
                text, f"{unit!r} is not a unit: use s, m, h, d or w, as in -5m or -1h30m"
            )
        try:
            micros += Decimal(amount) * seconds * 1_000_000
        except ArithmeticError:
            raise OverflowError("amount too large") from None
    whole = int(micros.to_integral_value())
    if whole > 10**17:  # far beyond the datetime range; keep timedelta from choking
        raise OverflowError("amount too large")
    return now.astimezone(UTC) - timedelta(microseconds=whole)


def parse_time(
    text: str | None,
    *,
    zone: ZoneInfo,
    now: datetime,
    reference: datetime | None = None,
) -> datetime:
    """Read a typed time into an aware UTC datetime, or raise TimeParseError.

    ``zone`` is where local wall-clock times are read; ``now`` anchors ``now`` and the
    relative forms; ``reference`` (default ``now``) is what a bare time is read near.
    """
    _require_aware(now, "now")
    if reference is not None:
        _require_aware(reference, "reference")
    raw = "" if text is None else str(text)
    try:
        return _parse(raw, zone=zone, now=now, reference=now if reference is None else reference)
    except OverflowError:
        raise TimeParseError(
            f"cannot use {_shown(raw.strip())} as a time: it falls outside the years 1 to 9999"
        ) from None


def _parse(raw: str, *, zone: ZoneInfo, now: datetime, reference: datetime) -> datetime:
    stripped = raw.strip()
    if not stripped or stripped.lower() == "now":
        return now.astimezone(UTC)
    if match := _ISO_WITH_OFFSET.fullmatch(stripped):
        wall = _calendar_wall(stripped, match)
        offset = _parse_offset(stripped, match["offset"])
        return (wall - offset).replace(tzinfo=UTC)
    if match := _LOCAL_DATE_TIME.fullmatch(stripped):
        return _local_instant(stripped, _calendar_wall(stripped, match), zone)
    if match := _CLOCK_24.fullmatch(stripped):
        clock = _clock_values(stripped, match["hour"], match["minute"], match["second"])
        return _nearest_occurrence(clock, zone, reference)
    if match := _CLOCK_12.fullmatch(stripped):
        return _nearest_occurrence(_twelve_hour(stripped, match), zone, reference)
    if match := _RELATIVE.fullmatch(stripped):
        return _relative(stripped, match, now)
    if _DATE_ONLY.fullmatch(stripped):
        raise _cannot_read(
            stripped, f"a date alone is not a time, add the time of day, e.g. {stripped} 14:05"
        )
    raise _cannot_read(stripped)


# --------------------------------------------------------------------------- due dates

_ISO_DATE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})", _RE_FLAGS)
_DATE_AHEAD = re.compile(r"\+\s*(?P<count>\d+)\s*(?P<unit>d|w)", _RE_FLAGS)
_DATE_FORMS = "use YYYY-MM-DD (e.g. 2026-04-01), or +3d / +2w from today"


def parse_date(text: str, *, today: date | None = None) -> date:
    """A due date: ``YYYY-MM-DD``, or ``+3d`` / ``+2w`` counted from ``today``."""
    stripped = str(text).strip()
    if not stripped:
        raise TimeParseError(f"the due date is empty: {_DATE_FORMS}")
    if match := _ISO_DATE.fullmatch(stripped):
        try:
            return date(int(match["year"]), int(match["month"]), int(match["day"]))
        except ValueError:
            raise TimeParseError(
                f"{_shown(stripped)} is not a calendar date: {_DATE_FORMS}"
            ) from None
    if match := _DATE_AHEAD.fullmatch(stripped):
        start = date.today() if today is None else today
        try:
            if len(match["count"]) > 7:
                raise OverflowError("count too large")
            days = int(match["count"]) * (7 if match["unit"].lower() == "w" else 1)
            return start + timedelta(days=days)
        except OverflowError:
            raise TimeParseError(
                f"{_shown(stripped)} is too far ahead for a due date: {_DATE_FORMS}"
            ) from None
    raise TimeParseError(f"cannot read {_shown(stripped)} as a due date: {_DATE_FORMS}")


# --------------------------------------------------------------------------- showing


def format_local(at: datetime, zone: ZoneInfo, *, seconds: bool | None = None) -> str:
    """``2026-03-02 23:50 CET``: the local date, time and zone abbreviation.

    Seconds are shown when ``seconds`` is true, or when it is None and they are not zero.
    """
    _require_aware(at, "at")
    local = at.astimezone(zone)
    show_seconds = local.second != 0 if seconds is None else seconds
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if show_seconds:
        clock += f":{local.second:02d}"
    label = local.tzname() or _fmt_offset(local.utcoffset())
    return f"{_fmt_date(local.date())} {clock} {label}"


def format_duration(minutes: float | None) -> str:
    """A compact duration: ``—`` for none, ``30s``, ``0m``, ``15m``, ``2h 15m``, ``3d 4h 10m``.

    Under a minute it is shown in seconds; otherwise rounded to the nearest minute, with
    zero parts left out (``2h``, ``1d 5m``).
    """
    if minutes is None or not math.isfinite(minutes):
        return "—"
    sign = "-" if minutes < 0 else ""
    amount = abs(minutes)
    total_seconds = math.floor(amount * 60 + 0.5)
    if total_seconds == 0:
        return "0m"
    if total_seconds < 60:
        return f"{sign}{total_seconds}s"
    total_minutes = max(1, math.floor(amount + 0.5))
    days, rest = divmod(total_minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{value}{unit}" for value, unit in ((days, "d"), (hours, "h"), (mins, "m")) if value]
    return sign + " ".join(parts)
