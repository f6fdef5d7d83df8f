"""Time zones as postmortems write them: abbreviations (PST, WAT, EAT, SAST), offsets
(UTC+3, +02:00), IANA names (US/Pacific, Africa/Lagos) and long names (West African Time).

Abbreviations name a zone and sometimes claim summer or winter time; the claim is kept so
a caller can say so when the date disagrees (PST written for a day in July).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# abbreviation -> (IANA zone, whether the abbreviation names summer time, or None)
ZONE_ABBREVIATIONS: dict[str, tuple[str, bool | None]] = {
    "UTC": ("UTC", None),
    "GMT": ("UTC", None),
    "Z": ("UTC", None),
    "PST": ("America/Los_Angeles", False),
    "PDT": ("America/Los_Angeles", True),
    "PT": ("America/Los_Angeles", None),
    "MST": ("America/Denver", False),
    "MDT": ("America/Denver", True),
    "CST": ("America/Chicago", False),
    "CDT": ("America/Chicago", True),
    "EST": ("America/New_York", False),
    "EDT": ("America/New_York", True),
    "ET": ("America/New_York", None),
    "AKST": ("America/Anchorage", False),
    "AKDT": ("America/Anchorage", True),
    "HST": ("Pacific/Honolulu", None),
    "BST": ("Europe/London", True),
    "CET": ("Europe/Berlin", False),
    "CEST": ("Europe/Berlin", True),
    "EET": ("Europe/Athens", False),
    "EEST": ("Europe/Athens", True),
    "MSK": ("Europe/Moscow", None),
    "WAT": ("Africa/Lagos", None),
    "CAT": ("Africa/Maputo", None),
    "EAT": ("Africa/Nairobi", None),
    "SAST": ("Africa/Johannesburg", None),
    "IST": ("Asia/Kolkata", None),
    "PKT": ("Asia/Karachi", None),
    "WIB": ("Asia/Jakarta", None),
    "SGT": ("Asia/Singapore", None),
    "HKT": ("Asia/Hong_Kong", None),
    "JST": ("Asia/Tokyo", None),
    "KST": ("Asia/Seoul", None),
    "AEST": ("Australia/Sydney", False),
    "AEDT": ("Australia/Sydney", True),
    "AWST": ("Australia/Perth", None),
    "NZST": ("Pacific/Auckland", False),
    "NZDT": ("Pacific/Auckland", True),
    "BRT": ("America/Sao_Paulo", None),
}
# Two-letter and one-letter abbreviations are common words or letters: only right after a time.
_SHORT_ABBREVIATIONS = frozenset({"PT", "ET", "Z"})

_LONG_ZONE_NAMES: tuple[tuple[str, str], ...] = (
    (r"coordinated universal time", "UTC"),
    (r"greenwich mean time", "UTC"),
    (r"central european (?:summer |standard )?time", "Europe/Berlin"),
    (r"eastern european (?:summer |standard )?time", "Europe/Athens"),
    (r"british summer time", "Europe/London"),
    (r"pacific (?:standard |daylight )?time", "America/Los_Angeles"),
    (r"mountain (?:standard |daylight )?time", "America/Denver"),
    (r"central (?:standard |daylight )?time", "America/Chicago"),
    (r"eastern (?:standard |daylight )?time", "America/New_York"),
    (r"west africa(?:n)? (?:standard )?time", "Africa/Lagos"),
    (r"east africa(?:n)? (?:standard )?time", "Africa/Nairobi"),
    (r"central africa(?:n)? (?:standard )?time", "Africa/Maputo"),
    (r"south africa(?:n)? (?:standard )?time", "Africa/Johannesburg"),
    (r"india(?:n)? standard time", "Asia/Kolkata"),
    (r"japan standard time", "Asia/Tokyo"),
    (r"heure (?:de Paris|fran[çc]aise|de France)", "Europe/Paris"),
    (r"heure (?:de |d.)?(?:Europe centrale)", "Europe/Paris"),
    (r"(?<=times )(?:are )?(?:in )?(?:us )?pacific\b", "America/Los_Angeles"),
    (r"(?<=times )(?:are )?(?:in )?(?:us )?eastern\b", "America/New_York"),
    (r"(?<=times )(?:are )?(?:in )?(?:us )?central\b", "America/Chicago"),
    (r"(?<=times )(?:are )?(?:in )?(?:us )?mountain\b", "America/Denver"),
)
_LONG_ZONE_RE = re.compile(
    r"\b(?:" + "|".join(f"(?P<z{i}>{p})" for i, (p, _) in enumerate(_LONG_ZONE_NAMES)) + r")\b",
    re.IGNORECASE,
)
_ABBR_RE = re.compile(
    r"(?<![\w/])(?P<abbr>"
    + "|".join(
        sorted(
            (a for a in ZONE_ABBREVIATIONS if a not in _SHORT_ABBREVIATIONS), key=len, reverse=True
        )
    )
    + r")(?:\s*/\s*(?P<alt>[A-Z]{2,4}))?"
    r"(?:\s*(?P<sign>[-+−])\s*(?P<oh>[0-9]{1,2})(?::?(?P<om>[0-9]{2}))?)?(?![\w/])"
)
_IANA_RE = re.compile(r"\b(?P<iana>[A-Z][A-Za-z]+/[A-Z][A-Za-z_]+(?:/[A-Z][A-Za-z_]+)?)\b")
_LEGACY_ZONES = {
    "US/Pacific": "America/Los_Angeles",
    "US/Mountain": "America/Denver",
    "US/Central": "America/Chicago",
    "US/Eastern": "America/New_York",
    "US/Alaska": "America/Anchorage",
    "US/Hawaii": "Pacific/Honolulu",
    "US/Arizona": "America/Phoenix",
    "Asia/Calcutta": "Asia/Kolkata",
    "Europe/Kiev": "Europe/Kyiv",
}
# Offsets with no whole-hour Etc zone: a zone that has kept that offset all year.
_HALF_HOUR_ZONES = {
    330: "Asia/Kolkata",
    345: "Asia/Kathmandu",
    270: "Asia/Kabul",
    390: "Asia/Yangon",
    570: "Australia/Darwin",
    -210: "America/St_Johns",
    210: "Asia/Tehran",
}


@dataclass(frozen=True)
class ZoneHit:
    name: str  # IANA name
    written: str  # as the document wrote it
    summer: bool | None  # what the abbreviation claims, None when it makes no claim
    start: int
    end: int


@cache
def _zone_names() -> frozenset[str]:
    try:
        return frozenset(available_timezones())
    except (OSError, ValueError):  # pragma: no cover - no zone database at all
        return frozenset()


@cache
def zone_info(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _offset_zone(sign: str, hours: int, minutes: int) -> str | None:
    total = hours * 60 + minutes
    if sign in "-−":
        total = -total
    if total == 0:
        return "UTC"
    if minutes == 0 and -12 <= hours <= 14:
        # The Etc zones count the other way round: UTC+3 is Etc/GMT-3.
        return f"Etc/GMT{'-' if total > 0 else '+'}{hours}"
    return _HALF_HOUR_ZONES.get(total)


def _abbr_hit(match: re.Match[str]) -> ZoneHit | None:
    abbr = match.group("abbr")
    if match.group("sign"):
        name = _offset_zone(
            match.group("sign"), int(match.group("oh")), int(match.group("om") or 0)
        )
        if abbr in ("UTC", "GMT") and name:
            return ZoneHit(name, match.group(0), None, match.start(), match.end())
    name, summer = ZONE_ABBREVIATIONS[abbr]
    alt = match.group("alt")
    if alt and alt in ZONE_ABBREVIATIONS and ZONE_ABBREVIATIONS[alt][0] == name:
        summer = None  # "PST/PDT": the writer means local time, whichever applies
    return ZoneHit(name, match.group(0), summer, match.start(), match.end())


def find_zone(text: str) -> ZoneHit | None:
    """The first time zone named in ``text`` (abbreviation, offset, IANA or long name)."""
    best: ZoneHit | None = None
    for match in _ABBR_RE.finditer(text):
        hit = _abbr_hit(match)
        if hit:
            best = hit
            break
    long_match = _LONG_ZONE_RE.search(text)
    if long_match and (best is None or long_match.start() < best.start):
        for i, (_, name) in enumerate(_LONG_ZONE_NAMES):
            if long_match.group(f"z{i}"):
                best = ZoneHit(name, long_match.group(0), None, *long_match.span())
                break
    for match in _IANA_RE.finditer(text):
        if best is not None and match.start() > best.start:
            break
        raw = match.group("iana")
        name = _LEGACY_ZONES.get(raw, raw)
        if name in _zone_names():
            best = ZoneHit(name, raw, None, *match.span())
            break
    return best


_AFTER_TIME_ZONE_RE = re.compile(
    r"\s*\(?\s*(?:(?P<z>Z)\b|(?P<short>PT|ET)\b|(?P<off>[+-][0-9]{2}:?[0-9]{2})\b)"
)


def zone_after(text: str, pos: int) -> ZoneHit | None:
    """A zone written right after a time ending at ``pos`` (``14:10 UTC``, ``10:00 (PST)``)."""
    window = text[pos : pos + 40]
    match = _AFTER_TIME_ZONE_RE.match(window)
    if match:
        if match.group("z"):
            return ZoneHit("UTC", "Z", None, pos + match.start("z"), pos + match.end())
        if match.group("short"):
            name, summer = ZONE_ABBREVIATIONS[match.group("short")]
            return ZoneHit(name, match.group("short"), summer, pos, pos + match.end())
        off = match.group("off").replace(":", "")
        name = _offset_zone(off[0], int(off[1:3]), int(off[3:5]))
        if name:
            return ZoneHit(name, match.group("off"), None, pos, pos + match.end())
    stripped = window.lstrip(" (")
    skipped = len(window) - len(stripped)
    if skipped > 3:
        return None
    hit = _zone_at_start(stripped[:30])
    if hit is not None:
        return ZoneHit(hit.name, hit.written, hit.summer, pos + skipped, pos + skipped + hit.end)
    return None


def _zone_at_start(text: str) -> ZoneHit | None:
    """``find_zone(text)`` when its zone starts the text, else None (anchored: one match
    attempt per kind instead of a search; this runs once per timeline entry)."""
    best: ZoneHit | None = None
    match = _ABBR_RE.match(text)
    if match:
        best = _abbr_hit(match)
    if best is None:
        long_match = _LONG_ZONE_RE.match(text)
        if long_match:
            for i, (_, name) in enumerate(_LONG_ZONE_NAMES):
                if long_match.group(f"z{i}"):
                    best = ZoneHit(name, long_match.group(0), None, *long_match.span())
                    break
    iana = _IANA_RE.match(text)
    if iana:
        raw = iana.group("iana")
        name = _LEGACY_ZONES.get(raw, raw)
        if name in _zone_names():
            best = ZoneHit(name, raw, None, *iana.span())
    if best is None and (match or iana):
        # An abbreviation that reads as no zone here may still be followed by one that
        # does: let the full search decide, as before.
        hit = find_zone(text)
        return hit if hit is not None and hit.start == 0 else None
    return best


def summer_time_mismatch(hit: ZoneHit, at: datetime) -> str | None:
    """A sentence when an abbreviation names standard time in summer (or the reverse)."""
    if hit.summer is None:
        return None
    zone = zone_info(hit.name)
    local = at.astimezone(zone)
    in_summer = bool(local.dst())
    if in_summer == hit.summer:
        return None
    actual = local.strftime("%Z")
    offset = local.strftime("%z")
    return (
        f"The document writes {hit.written} for {local.date().isoformat()}, when that zone "
        f"was on {actual} (UTC{offset[:3]}:{offset[3:]}); the times are read as local "
        f"time in {hit.name}."
    )
