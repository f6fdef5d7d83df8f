"""The timeline of a foreign postmortem: its entries, their instants and their tags.

Entries are the units of the timeline section that start with a time (list items, table
rows, ``### 09:14`` headings, plain lines); the units after one that carry no time of their
own continue it. Dates come from the entry itself, from a date line or heading above it, or
from the rest of the document; a time that goes backwards is read the way a person would
(past midnight, a swapped AM/PM, or simply an entry written out of order), with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from exporters.ingest.foreign.sections import Document, Unit
from exporters.ingest.foreign.times import (
    ClockTime,
    DateHit,
    Stamp,
    find_clock_times,
    find_dates,
    leading_stamp,
    local_instant,
    relative_stamp,
)
from exporters.ingest.foreign.zones import find_zone, zone_after, zone_info


@dataclass
class RawEntry:
    stamp: Stamp
    text: str
    unit: int  # index of the unit it starts at
    context: int  # which date line or heading it sits under (0: none)
    context_date: date | None
    extra: list[str] = field(default_factory=list)
    item: int | None = None  # the list item it was written in, if any
    depth: int = 0
    line: int | None = None  # the 0-based source line, when not the unit's first

    @property
    def full_text(self) -> str:
        parts = [self.text, *self.extra]
        return "\n".join(p for p in parts if p).strip()


_PLACEHOLDER_RE = re.compile(
    r"^[\s.…\-–—_*?|/x]*$|^(?:tbd|n/?a|todo|none|nothing|nil|aucune?|rien|néant)\s*[.!]?$",
    re.IGNORECASE,
)


def is_placeholder(text: str) -> bool:
    return bool(_PLACEHOLDER_RE.match(text.strip()))


def _row_stamp(cells: tuple[str, ...]) -> tuple[Stamp | None, str]:
    """The stamp of a timeline table row and the text of the rest of the row."""
    for index, cell in enumerate(cells[:2]):
        stamp = leading_stamp(cell)
        if stamp is None:
            continue
        used = {index}
        if stamp.clock is None and index + 1 < len(cells):
            # | 2024-06-20 | 10:00 | What happened |
            second = leading_stamp(cells[index + 1])
            if second is not None and second.clock is not None and second.date is None:
                stamp = Stamp(stamp.date, second.clock, second.zone, second.rest, second.until)
                used.add(index + 1)
        rest = [stamp.rest] if stamp.rest else []
        rest += [c for i, c in enumerate(cells) if i not in used and c and not is_placeholder(c)]
        return stamp, " — ".join(rest)
    return None, ""


def resolve_day(hit: DateHit | None, year_hint: int | None) -> date | None:
    """The calendar day of a date hit; a date written without a year takes ``year_hint``."""
    if hit is None:
        return None
    if hit.day is not None:
        return hit.day
    if year_hint is None:
        return None
    try:
        return date(year_hint, hit.month, hit.dom)
    except ValueError:
        return None


def _is_date_line(stamp: Stamp) -> bool:
    """A line that only gives a date (``2015-10-21 (all times PST)``) for the entries below."""
    if stamp.clock is not None or stamp.date is None:
        return False
    rest = stamp.rest.strip()
    return (
        len(rest) < 4 or rest.startswith("(") or (len(rest.split()) <= 4 and bool(find_zone(rest)))
    )


def collect_raw_entries(doc: Document, year_hint: int | None = None) -> list[RawEntry]:
    """The timestamped entries of the timeline section(s), in document order.

    Without a timeline section, lines that start with a time anywhere count (at least two of
    them); a timeline section whose lines carry their times later in the sentence
    (``- Alerts fired at 10:02``) is read that way when no line starts with a time.
    """
    units = doc.units
    has_timeline = any(u.section == "timeline" for u in units)
    entries = _collect(units, has_timeline, year_hint, anywhere=False)
    if has_timeline and not entries:
        entries = _code_entries(units)
    if has_timeline and not entries:
        entries = _collect(units, has_timeline, year_hint, anywhere=True)
    if not has_timeline and len(entries) < 2:
        return []
    return entries


def _code_entries(units: list[Unit]) -> list[RawEntry]:
    """A timeline written inside a code block (to keep its columns): when the timeline
    section has no other entries, the lines of its code blocks that start with a time are
    its entries, and the lines below one without a time continue it."""
    entries: list[RawEntry] = []
    for index, unit in enumerate(units):
        if unit.section != "timeline" or unit.kind != "code":
            continue
        current: RawEntry | None = None
        context, context_date = 0, None
        for offset, line in enumerate(unit.text.splitlines()):
            text = line.strip()
            if not text:
                current = None
                continue
            stamp = leading_stamp(text) or relative_stamp(text)
            if stamp is not None and stamp.clock is not None:
                current = RawEntry(stamp, stamp.rest, index, context, context_date)
                current.line = unit.line + 1 + offset
                entries.append(current)
            elif stamp is not None and _is_date_line(stamp):
                context += 1
                context_date = resolve_day(stamp.date, None)
                current = None
            elif current is not None:
                current.extra.append(text)
    return entries if len(entries) >= 2 else []


def _stamp_anywhere(text: str) -> Stamp | None:
    for clock in find_clock_times(text):
        before = text[: clock.start]
        if len(before) > 80:
            return None
        day = next((d for d in find_dates(before)), None)
        zone = zone_after(text, clock.end)
        return Stamp(day, clock, zone, text.strip())
    return None


def _collect(
    units: list[Unit], has_timeline: bool, year_hint: int | None, *, anywhere: bool
) -> list[RawEntry]:
    entries: list[RawEntry] = []
    current: RawEntry | None = None
    context = 0
    context_date: date | None = None
    previous_label = ""
    for index, unit in enumerate(units):
        if has_timeline and unit.section != "timeline":
            current = None
            continue
        if not has_timeline and unit.section in ("actions", "lessons", "went_well", "went_wrong"):
            current = None
            continue
        if unit.kind == "code":
            continue
        if (unit.kind == "heading" and not unit.heading_item) or unit.pseudo:
            day = next((d for h in find_dates(unit.text) if (d := resolve_day(h, year_hint))), None)
            if day is not None and (has_timeline or unit.kind == "heading"):
                context += 1
                context_date = day
            current = None
            continue
        if unit.kind == "row":
            if unit.header:
                continue
            stamp, text = _row_stamp(unit.cells)
        else:
            stamp = leading_stamp(unit.text) or relative_stamp(unit.text)
            if anywhere and (stamp is None or stamp.clock is None):
                stamp = _stamp_anywhere(unit.text) or stamp
            text = stamp.rest if stamp else unit.text
        if stamp is not None and stamp.clock is not None:
            if stamp.until is not None:
                text = f"{text} (until {stamp.until.as_text()})".strip()
            if not text and previous_label:
                text = previous_label  # "- Detection time:" then "  - 10:15 AM" below it
            current = RawEntry(
                stamp, text, index, context, context_date, item=unit.item, depth=unit.depth
            )
            entries.append(current)
            previous_label = ""
            continue
        previous_label = (
            unit.text.rstrip(" *_").rstrip(":").strip(" *_")
            if (unit.text.rstrip(" *_").endswith(":") and len(unit.text) < 60)
            else ""
        )
        if stamp is not None and _is_date_line(stamp):
            day = resolve_day(stamp.date, year_hint)
            if has_timeline and day is not None:
                context += 1
                context_date = day
            current = None
            continue
        if unit.kind == "row":
            current = None
            continue
        left_the_item = (
            current is not None
            and current.item is not None
            and unit.item != current.item
            and (unit.item is None or unit.depth <= current.depth)
        )
        if left_the_item:
            current = None  # a sibling item or a paragraph after the list
        if current is not None and has_timeline:
            current.extra.append(unit.text)
    return entries


# --------------------------------------------------------------------------- placement


@dataclass
class Placement:
    at: list[datetime]
    notes: list[str]


def _readings(clock: ClockTime, uses_meridiem: bool) -> list[tuple[int, int, str]]:
    """(hour on a 24-hour clock, penalty in minutes, what the reading is) for a clock time."""
    if clock.meridiem:
        other = "pm" if clock.meridiem == "am" else "am"
        return [(clock.hour24(), 0, "written"), (clock.hour24(other), 240, "flip")]
    if uses_meridiem and 1 <= clock.hour <= 12:
        literal = clock.hour24("pm" if clock.hour == 12 else "am")
        other = clock.hour24("am" if clock.hour == 12 else "pm")
        return [(literal, 0, "written"), (other, 0, "meridiem")]
    return [(clock.hour, 0, "written")]


def _at(day: date, hour: int, clock: ClockTime, zone: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, hour, clock.minute, clock.second, tzinfo=zone)


def place_clock(
    clock: ClockTime,
    day: date,
    zone: tzinfo,
    prev: datetime | None,
    uses_meridiem: bool,
) -> tuple[datetime, str]:
    """The instant a time of day most likely means, given the entry before it.

    Returns the instant and how it was read: "written", "meridiem" (an AM/PM-less time in a
    document that uses AM/PM), "flip" (the AM/PM as written would go backwards), "next-day"
    or "backwards" (kept where written, before the previous entry).
    """
    readings = _readings(clock, uses_meridiem)
    if prev is None:
        hour, _, how = readings[0]
        return _at(day, hour, clock, zone), how
    best: tuple[float, datetime, str] | None = None
    for hour, penalty, how in readings:
        same_day = _at(day, hour, clock, zone)
        delta = (same_day - prev).total_seconds() / 60
        options = [(same_day, delta, how)]
        if delta < 0:
            next_day = _at(day + timedelta(days=1), hour, clock, zone)
            options.append((next_day, (next_day - prev).total_seconds() / 60, "next-day"))
        for at, minutes, label in options:
            if how == "flip" and minutes < 0:
                continue  # swapping AM and PM only ever explains a jump back
            cost = (minutes if minutes >= 0 else -4 * minutes) + penalty
            if label == how and minutes < 0:
                label = "backwards"
            if best is None or cost < best[0]:
                best = (cost, at, label)
    assert best is not None
    return best[1], best[2]


def place_entries(
    raw: list[RawEntry],
    *,
    base: date,
    zone_name: str,
    uses_meridiem: bool,
    anchor: datetime | None,
) -> Placement:
    """The instant of every entry, and sentences about any reading that needed a choice."""
    placed: list[datetime] = []
    notes: list[str] = []
    prev: datetime | None = None
    prev_context = -1
    crossed = False
    for entry in raw:
        stamp = entry.stamp
        clock = stamp.clock
        assert clock is not None
        zone = zone_info(stamp.zone.name) if stamp.zone else zone_info(zone_name)
        if stamp.offset is not None:
            # T+0:26: an offset from a moment the document does not name. Durations between
            # entries are exact; the wall-clock times are a stand-in (midnight of the date).
            origin = datetime(base.year, base.month, base.day, tzinfo=zone)
            if not any("relative to" in note for note in notes):
                notes.append(
                    "The timeline gives times relative to a moment it does not name (T+0:00); "
                    f"they are placed from midnight of {base.isoformat()}, so durations are "
                    "right but the times of day are not."
                )
            placed.append(origin + stamp.offset)
            continue
        if entry.context != prev_context:
            prev = anchor if entry.context == 0 else None
            prev_context = entry.context
        written_day = resolve_day(stamp.date, base.year)
        if written_day is not None:
            local_prev = prev if prev is not None and prev.date() == written_day else None
            at, how = place_clock(clock, written_day, zone, local_prev, uses_meridiem)
            if how in ("next-day", "backwards"):
                at, how = local_instant(written_day, clock, zone), "written"
        else:
            day = entry.context_date or base
            if prev is not None:
                day = prev.astimezone(zone).date()
            at, how = place_clock(clock, day, zone, prev, uses_meridiem)
        if how == "next-day" and not crossed:
            crossed = True
            shown_prev = prev.astimezone(zone).strftime("%H:%M") if prev else "?"
            notes.append(
                f"The timeline passes midnight after {shown_prev}: the entries from "
                f"{clock.as_text()} on are placed on {at.date().isoformat()}."
            )
        elif how == "flip":
            notes.append(
                f"The entry at {clock.as_text()} would go back in time after "
                f"{prev.astimezone(zone).strftime('%I:%M %p').lstrip('0') if prev else '?'}; "
                f"it is read as {at.strftime('%I:%M %p').lstrip('0')} (AM and PM look swapped)."
            )
        placed.append(at)
        if how != "backwards" or prev is None:
            prev = at
    return Placement(placed, notes)
