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

from exporters.foreign_sections import Document, Unit
from exporters.foreign_times import (
    ClockTime,
    DateHit,
    Stamp,
    find_clock_times,
    find_dates,
    leading_stamp,
    local_instant,
)
from exporters.foreign_zones import find_zone, zone_after, zone_info


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

    @property
    def full_text(self) -> str:
        parts = [self.text, *self.extra]
        return "\n".join(p for p in parts if p).strip()


_PLACEHOLDER_RE = re.compile(r"^[\s.…\-–—_*?|/x]*$|^(?:tbd|n/?a|todo|none)$", re.IGNORECASE)


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
        entries = _collect(units, has_timeline, year_hint, anywhere=True)
    if not has_timeline and len(entries) < 2:
        return []
    return entries


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
            if day is not None and has_timeline:
                context += 1
                context_date = day
            current = None
            continue
        if unit.kind == "row":
            if unit.header:
                continue
            stamp, text = _row_stamp(unit.cells)
        else:
            stamp = leading_stamp(unit.text)
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


# --------------------------------------------------------------------------- words

_START_MARKER_RE = re.compile(
    r"\b(?:start|beginning|begin) of (?:the )?(?:outage|incident|impact|downtime|disruption)\b"
    r"|\b(?:outage|impact|incident|downtime|disruption) (?:begins|began|starts|started)\b"
    r"|\bimpact start",
    re.IGNORECASE,
)
_END_MARKER_RE = re.compile(
    r"\bend of (?:the )?(?:outage|incident|impact|downtime|disruption)\b"
    r"|\b(?:outage|impact|downtime|disruption) (?:ends|ended|is over|was over)\b"
    r"|\boutage (?:was )?declared over\b|\bimpact end",
    re.IGNORECASE,
)
_IMPACT_RE = re.compile(
    r"\b(?:outage|downtime|(?:is|was|were|are|went|goes|go|been|being|came|stays?)\s+down|unavailable|unreachable|unresponsive|inaccessible|offline"
    r"|fail(?:s|ed|ing|ures?)?|alerts?|alerted|alerting|paged?|paging|pagerduty|detected"
    r"|noticed|reports?|reported|reporting|complain\w*|slow(?:ness|ed|ing)?|latency"
    r"|time-?outs?|timing out|degrad\w*|crash\w*|not working|unable|cannot|can't|couldn't"
    r"|impact\w*|[45][0-9]{2}s?|errors? rates?|spikes?|broken|missing|lost"
    r"|stopped working|no data)\b",
    re.IGNORECASE,
)
_WEAK_IMPACT_RE = re.compile(r"\b(?:errors?|issues?|problems?|incorrect)\b", re.IGNORECASE)
_TRIGGER_RE = re.compile(
    r"\b(?:deploy\w*|release[sd]?|rolled out|rolling out|roll-?out|push(?:ed)?|changes?|changed"
    r"|upgrade[sd]?|upgrading|migration|commenced|submit\w*|merged?|created|scheduled"
    r"|maintenance|cron|config(?:uration)? change)\b",
    re.IGNORECASE,
)
_NEGATED_RE = re.compile(
    r"\b(?:did not|didn't|does not|doesn't|not yet|no longer|failed to|unable to|without)\b"
    r"[^.;]{0,30}\b(?:resolv|restor|fix|help|work|recover)",
    re.IGNORECASE,
)
_RESOLVED_RE = re.compile(
    r"\b(?:resolved|fully (?:restored|operational|functional|recovered|available)"
    r"|(?:service|services|site|website|system|platform|traffic|everything|api)\b[^.;]{0,25}"
    r"\b(?:restored|recovered|back online|back up|back to normal|operational again|normal)"
    r"|back online|back to normal|up again|working again|operational again|online again"
    r"|all clear|outage (?:was )?(?:declared )?over|incident (?:was )?(?:closed|resolved)"
    r"|closed the incident|everything is fine|100% of traffic|recovered fully|full recovery"
    r"|confirmed working|working (?:normally|as expected)|works again|healthy again"
    r"|issue (?:was |is )?(?:fixed|resolved)|fixed|restored|recovered)\b",
    re.IGNORECASE,
)
_PARTIAL_RE = re.compile(
    r"\b(?:began|begin|beginning|started|starting|gradually|partially|partial|some|slowly)\b"
    r"[^.;]{0,20}\b(?:recover|restor|stabili)",
    re.IGNORECASE,
)

_TAG_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (tag, re.compile(pattern, re.IGNORECASE))
    for tag, pattern in (
        (
            "false-lead",
            r"\binitial(?:ly)? (?:assum|suspect|thought|theory|belie|hypothes)\w*|\bassumed\b"
            r"|\bmisleading\b|\bred herring\b|\bdid not (?:resolve|help|fix|work|solve)\b"
            r"|\bdidn't (?:resolve|help|fix|work|solve)\b|\bruled out\b|\bturned out not\b"
            r"|\bnot the (?:cause|culprit|issue|problem)\b|\bno signs? of\b|\bdead end\b"
            r"|\blooked normal\b|\bstill no culprit\b|\bfalse alarm\b|\bto no avail\b"
            r"|\bwrong (?:path|lead|direction)\b|\battempts? (?:to \w+ )?[^.;]{0,40}\bfailed\b"
            r"|\bunsuccessful\b|\bno improvement\b|\bwasn.t\b[^.;]{0,20}\bcause",
        ),
        (
            "escalation",
            r"\bescalat\w*|\b(?:paged|pinged|called|summoned|engaged|looped in|pulled in"
            r"|brought in)\b[^.;]{0,40}\b(?:team|engineers?|lead|leads|dba|sre|on-?call"
            r"|manager|experts?|vendor|support)\b|\bteam\b[^.;]{0,20}\bsummoned\b",
        ),
        (
            "detected",
            r"\balert(?:s|ed|ing)?\b|\bdetect(?:ed|s|ion)?\b|\bnoticed\b|\breport(?:s|ed|ing)?\b"
            r"|\bpaged?\b|\bpagerduty\b|\bcomplain\w*|\bflagged\b|\bspotted\b|\bwitnessed\b"
            r"|\bpings?\b|\bmonitor(?:ing)? (?:system )?(?:sends|sent|fired|triggered|flagged)",
        ),
        (
            "responded",
            r"\backnowledg\w*|\binvestigat\w*|\bjoined\b|\bconvened\b|\bjumped (?:in|into)\b"
            r"|\bresponded\b|\bresponding\b|\bwar room\b|\bincident (?:was )?(?:declared|opened)"
            r"|\bstarted looking\b|\blooking into\b|\bassembled\b",
        ),
        (
            "cause-identified",
            r"\broot cause\b|\bidentified\b|\bdiscovered\b|\bculprit\b|\bfound (?:that|the)\b"
            r"|\brevealed\b|\btraced (?:back )?to\b|\bpinpointed\b|\brealized\b|\bdetermined\b"
            r"|\bdiagnos\w*|\bturned out to be\b|\bexposed\b",
        ),
        (
            "mitigated",
            r"\broll(?:ed)? ?back\b|\brollback\b|\brevert\w*|\brestart\w* successfully"
            r"|\bsuccessfully restart\w*|\bmitigat\w*|\bbegan (?:to )?recover\w*|\bstabili[sz]\w*"
            r"|\bfail(?:ed)? ?over\b|\bworkaround\b|\bhotfix\w*|\bfix (?:was )?(?:deployed|applied)"
            r"|\bdeployed (?:the|a) fix\b|\bsubmit a fix\b|\bpatched\b|\bscaled (?:up|out)\b"
            r"|\bcleaned out\b|\brestored\b|\brecover\w*|\bfixed\b|\bterminated\b|\bdestroyed\b"
            r"|\bcorrect(?:ed)? config\w* deployed\b",
        ),
        (
            "comms",
            r"\bstatus ?page\b|\bstatuspage\b|\b(?:customers|users) (?:were |are )?(?:notified"
            r"|informed|emailed)\b|\bposted (?:an? )?update\b|\bpublic (?:update|statement)\b"
            r"|\bannounce\w*",
        ),
        ("action", r"\baction items?\b|\bfollow-?up\b|\bticket (?:was )?(?:filed|created)\b"),
    )
)


_NO_CAUSE_RE = re.compile(
    r"\b(?:unable to|could not|couldn't|failed to|did not|didn't|without|no)\s+"
    r"(?:\w+\s+)?(?:identify|identifying|find|finding|determine|root cause|culprit)",
    re.IGNORECASE,
)


def is_start_marker(text: str) -> bool:
    return bool(_START_MARKER_RE.search(text))


def is_end_marker(text: str) -> bool:
    return bool(_END_MARKER_RE.search(text))


def shows_impact(text: str) -> bool:
    """Whether an entry reads like the impact is being felt (not just a change being made)."""
    if _IMPACT_RE.search(text):
        return True
    return bool(_WEAK_IMPACT_RE.search(text)) and not _TRIGGER_RE.search(text)


def shows_resolution(text: str) -> bool:
    if _NEGATED_RE.search(text) or not _RESOLVED_RE.search(text):
        return False
    return not _PARTIAL_RE.search(text) or bool(
        re.search(r"\bfully\b|\bback online\b|\bresolved\b", text, re.IGNORECASE)
    )


def infer_tags(text: str) -> list[str]:
    """Milestone tags an entry's words suggest (never impact-start or resolved: those are
    given only to the entries chosen as the start and the end of the impact)."""
    tags: list[str] = []
    for tag, pattern in _TAG_PATTERNS:
        if pattern.search(text):
            if (
                tag == "detected"
                and "escalation" in tags
                and not re.search(
                    r"\balert|\bdetect|\bnoticed|\breport|\bcomplain", text, re.IGNORECASE
                )
            ):
                continue
            if tag == "mitigated" and "false-lead" in tags:
                continue
            if tag == "cause-identified" and _NO_CAUSE_RE.search(text):
                continue
            tags.append(tag)
    if not tags and shows_resolution(text):
        tags.append("mitigated")
    return tags
