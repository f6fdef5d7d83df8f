"""Read a postmortem written elsewhere (any Markdown, or none) into an IncidentRecord.

The document is parsed with markdown-it-py (:mod:`exporters.ingest.foreign.sections`), its timeline
read into entries (:mod:`exporters.ingest.foreign.timeline`), its stated facts collected
(:mod:`exporters.ingest.foreign.facts`) and its action items listed
(:mod:`exporters.ingest.foreign.actions`). This module decides between them: the time zone, the
date, the start and the end of the impact, and says in ``record.warnings`` whenever a choice
was needed (AM/PM going backwards, PST in summer, two start times, an assumed date, a stated
duration that the times do not bear out).

The start and end follow what the document states first (``START OF OUTAGE`` markers,
``Start time:`` fields, ``from 10:00 AM to 12:15 PM`` sentences, a time followed by its
verb) and the timeline second: the first entry that shows impact (not a change followed by a
long silence: that is the latent cause) and the first that shows full recovery, moved to
the last recovery of the same stretch of work or past a relapse. Entries after a long
silence are follow-up work, never the end; with no end in the text there is no end, and a
warning. A stated duration beats an end guessed from the last row; several stated windows
make one incident from the first start to the last end. The chosen start entry is tagged
``impact-start`` and the chosen end entry ``resolved``; ``started_at`` and ``resolved_at``
are filled in whenever found, so the workbook computes the same duration either way.

Every start, end and duration comes with its evidence (``ForeignResult.evidence``): the
source line and its text, and a confidence: ``stated`` (the document says it), ``derived``
(read from the timeline's words or computed from stated figures) or ``guessed`` (the first
or last row, for want of anything better).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from exporters.ingest.foreign.actions import collect_actions
from exporters.ingest.foreign.facts import (
    PRIORITY_RANGE,
    PRIORITY_WEAK_FIELD,
    Moment,
    StatedDuration,
    find_impact_numbers,
    find_moments,
    find_severity,
    find_stated_durations,
)
from exporters.ingest.foreign.narrative import URL_RE, choose_title, narratives, title_from_filename
from exporters.ingest.foreign.sections import (
    SUMMARY_LIKE,
    Document,
    Unit,
    assign_sections,
    parse_document,
)
from exporters.ingest.foreign.timeline import (
    RawEntry,
    collect_raw_entries,
    place_clock,
    place_entries,
    resolve_day,
)
from exporters.ingest.foreign.times import DateHit, day_first_reading, find_dates
from exporters.ingest.foreign.words import (
    infer_tags,
    is_change,
    is_end_marker,
    is_start_marker,
    shows_closure,
    shows_full_recovery,
    shows_impact,
    shows_relapse,
    shows_resolution,
)
from exporters.ingest.foreign.zones import ZoneHit, find_zone, summer_time_mismatch, zone_info
from models.record import EntryRecord, IncidentRecord
from models.timeparse import format_duration

__all__ = ["ForeignResult", "read_foreign_markdown"]


@dataclass
class ForeignResult:
    record: IncidentRecord
    stated_duration_minutes: float | None = None
    stated_duration_text: str | None = None  # the phrase as written, "close to an hour..."
    duration_minutes: float | None = None  # resolved_at − started_at as chosen here
    start_source: str = ""  # where the start came from, for previews and debugging
    end_source: str = ""
    notes: list[str] = field(default_factory=list)
    # "start", "end", "duration" -> {"line", "text", "confidence", "source"}: see Evidence.
    evidence: dict[str, dict[str, object]] = field(default_factory=dict)


def read_foreign_markdown(
    text: str, *, filename: str = "", today: date | None = None, strict: bool = False
) -> ForeignResult:
    """Read a foreign postmortem. Never raises unless ``strict``: a document that cannot be
    read at all gives an empty record whose warnings say why."""
    try:
        return _Reader(text, filename, today or datetime.now(UTC).date()).read()
    except Exception as exc:
        if strict:
            raise
        record = IncidentRecord(
            fields={"title": title_from_filename(filename) or "Imported incident"},
            warnings=[f"The document could not be read ({type(exc).__name__}: {exc})."],
        )
        record.fields["status"] = "published"
        return ForeignResult(record)


# --------------------------------------------------------------------------- the reader


@dataclass
class _Choice:
    at: datetime
    source: str
    entry: int | None = None  # index into the sorted entries
    explicit: bool = False
    undated: bool = False
    order: int | None = None  # the unit a stated moment was read from
    confidence: str = ""  # "stated", "derived" or "guessed"; empty: from ``explicit``

    @property
    def how_sure(self) -> str:
        return self.confidence or ("stated" if self.explicit else "derived")


# Non-breaking hyphens and spaces read as their plain forms (SEV‑1, 2025‑05‑20, 10 AM).
_SPACES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u00a0": " ", "\u202f": " "})


def _latest_not_after(month: int, dom: int, reference: date) -> date | None:
    """``March 14`` as the last such day on or before ``reference``: an incident is written
    up after it happens."""
    for year in (reference.year, reference.year - 1):
        try:
            day = date(year, month, dom)
        except ValueError:
            continue
        if day <= reference:
            return day
    return None


def _same_local_day(a: datetime, b: datetime) -> bool:
    return a.astimezone(b.tzinfo).date() == b.date()


def _next_day(at: datetime) -> datetime:
    """The same wall-clock time a day later (DST-safe: days are added in local time)."""
    local = at.replace(tzinfo=None) + timedelta(days=1)
    return local.replace(tzinfo=at.tzinfo)


def _close(a: datetime, b: datetime) -> bool:
    return abs((a - b).total_seconds()) < 60


_NUMERIC_DATE_RE = re.compile(r"[0-9]{1,2}([/.-])[0-9]{1,2}\1(?:19|20)[0-9]{2}")

# Bookkeeping after the impact (a ticket closed, a fix shipped days later) comes after a
# silence; an end guessed from such an entry would stretch the outage over days.
SILENCE = timedelta(hours=12)


def _after_silence(entries: list[EntryRecord], index: int) -> bool:
    return index > 0 and entries[index].at - entries[index - 1].at > SILENCE


def _recovery(entries: list[EntryRecord], texts: list[str], after: datetime | None) -> int | None:
    """The entry where the impact ends: the first that says the service works again, moved
    to the last such entry of the same stretch of work (entries with no long silence between
    them), or past an entry that says the trouble is back ("errors again", "still failing").
    Entries after a silence of more than SILENCE are follow-up work and never the end."""
    recovering = [shows_resolution(text) for text in texts]  # the costly part, once
    full = [r and shows_full_recovery(texts[i]) for i, r in enumerate(recovering)]
    for recovers in (full, recovering):
        found: int | None = None
        for index, text in enumerate(texts):
            if after is not None and entries[index].at <= after:
                continue
            if found is None:
                if recovers[index]:
                    found = index
            elif _after_silence(entries, index):
                break  # what follows a long silence after the recovery is follow-up work
            elif shows_relapse(text):
                found = None
            elif recovers[index]:
                found = index  # "all nodes confirmed back online" minutes later
        if found is not None:
            return found
    return None


def _shown(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M %Z").strip()


class _Reader:
    def __init__(self, text: str, filename: str, today: date) -> None:
        self.text = (
            text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").translate(_SPACES)
        )
        self.filename = filename
        self.today = today
        self.warnings: list[str] = []
        self._stated_agrees = False
        self._entry_lines: list[int | None] = []

    # -- zone and date ---------------------------------------------------------------

    def _zone(self, doc: Document, raw: list[RawEntry], moments: list[Moment]) -> ZoneHit | None:
        entry_units = {e.unit for e in raw}
        first_entry = min(entry_units) if entry_units else len(doc.units)
        for index, unit in enumerate(doc.units):
            if unit.section != "timeline" or unit.kind == "code" or index in entry_units:
                continue
            if unit.kind == "heading" or unit.pseudo or index < first_entry:
                hit = find_zone(unit.text)
                if hit:
                    return hit
        for moment in sorted(moments, key=lambda m: (m.priority, m.order)):
            if moment.zone:
                return moment.zone
        for entry in raw:
            if entry.stamp.zone:
                return entry.stamp.zone
        for unit in doc.units:
            if unit.kind != "code":
                hit = find_zone(URL_RE.sub(" ", unit.text))
                if hit:
                    return hit
        for key in ("timezone", "time zone", "tz", "zone"):
            value = doc.front_matter.get(key)
            if value:
                hit = find_zone(value)
                if hit:
                    return hit
        return None

    def _dates_in(self, unit: Unit) -> list[DateHit]:
        if unit.kind == "code":
            return []
        return [d for d in find_dates(URL_RE.sub(" ", unit.text)) if d.day is not None]

    def _day(self, hit: DateHit, day_first: bool) -> date:
        assert hit.day is not None
        if hit.ambiguous:
            other = day_first_reading(hit)
            chosen = other if (day_first and other) else hit.day
            shown = "day first" if day_first and other else "month first"
            self.warnings.append(
                f"The date {hit.month:02d}/{hit.dom:02d}/{hit.day.year} could be read either "
                f"way; it is read {shown}, as {chosen.isoformat()}."
            )
            return chosen
        return hit.day

    def _year_hint(self, doc: Document) -> int | None:
        """The year of the first full date, for dates written without one (``June 3``)."""
        ordered = [u for u in doc.units if u.section == "title"] + [
            u for u in doc.units if u.section != "title"
        ]
        for unit in ordered:
            hits = self._dates_in(unit)
            if hits and hits[0].day is not None:
                return hits[0].day.year
        for value in doc.front_matter.values():
            hits = [d for d in find_dates(value) if d.day]
            if hits and hits[0].day is not None:
                return hits[0].day.year
        return None

    def _base_date(
        self, doc: Document, raw: list[RawEntry], starts: list[Moment], day_first: bool
    ) -> date:
        for moment in starts:
            if moment.priority < PRIORITY_WEAK_FIELD and moment.day and moment.day.day:
                return self._day(moment.day, day_first)
        for entry in raw:
            if entry.stamp.date and entry.stamp.date.day:
                return self._day(entry.stamp.date, day_first)
            if entry.context_date:
                return entry.context_date
        ordered = [u for u in doc.units if u.section == "title"] + [
            u for u in doc.units if u.section in SUMMARY_LIKE and u.section != "title"
        ]
        for unit in ordered:
            hits = self._dates_in(unit)
            if hits:
                return self._day(hits[0], day_first)
        match = re.search(r"((?:19|20)[0-9]{2})[-_.]?([01][0-9])[-_.]?([0-3][0-9])", self.filename)
        if match:
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                pass
        for unit in doc.units:
            hits = self._dates_in(unit)
            if hits:
                return self._day(hits[0], day_first)
        for moment in starts:
            if moment.day and moment.day.day:
                return self._day(moment.day, day_first)
        for key in ("incident_date", "incident date", "started"):
            hits = [d for d in find_dates(doc.front_matter.get(key, "")) if d.day]
            if hits:
                return self._day(hits[0], day_first)
        # A front matter "date" is often the day the post went up, not the incident's.
        written: date | None = None
        hits = [d for d in find_dates(doc.front_matter.get("date", "")) if d.day]
        if hits:
            written = self._day(hits[0], day_first)
        reference = written or self.today
        for unit in doc.units:
            if unit.kind == "code":
                continue
            for hit in find_dates(URL_RE.sub(" ", unit.text)):
                partial = _latest_not_after(hit.month, hit.dom, reference)
                if partial is not None:
                    since = "the date of the document" if written else "the day of the import"
                    self.warnings.append(
                        f"The document gives dates without a year; {partial.strftime('%B')} "
                        f"{partial.day} is taken to be in {partial.year}, the latest such day "
                        f"not after {since}."
                    )
                    return partial
        if written is not None:
            return written
        self.warnings.append(
            "The document gives no date for the incident; its times are placed on "
            f"{self.today.isoformat()}, the day of the import."
        )
        return self.today

    # -- moments -----------------------------------------------------------------------

    def _instant(
        self,
        moment: Moment,
        base: date,
        zone_name: str,
        uses_meridiem: bool,
        entries: list[EntryRecord],
        after: datetime | None,
        day_first: bool,
    ) -> tuple[datetime, bool]:
        """The instant a stated start or end means, and whether it had no date of its own."""
        zone = zone_info(moment.zone.name if moment.zone else zone_name)
        if moment.day and moment.day.day:
            day = self._day(moment.day, day_first)
            at, _ = place_clock(moment.clock, day, zone, None, uses_meridiem)
            return at, False
        # No date of its own: the entry at the same time of day, else the base date.
        hours = {moment.clock.hour24()}
        if moment.clock.meridiem is None and uses_meridiem and moment.clock.hour <= 12:
            hours = {moment.clock.hour24("am"), moment.clock.hour24("pm")}
        matches = [
            e.at
            for e in entries
            if (local := e.at.astimezone(zone)).hour in hours
            and local.minute == moment.clock.minute
            and (after is None or e.at > after)
        ]
        if matches:
            return (matches[0] if moment.role == "start" or after else matches[-1]), True
        at, _ = place_clock(moment.clock, base, zone, after, uses_meridiem)
        return at, True

    # -- reading -----------------------------------------------------------------------

    def read(self) -> ForeignResult:
        doc = parse_document(self.text)
        assign_sections(doc)
        sections = narratives(doc)
        preamble = sections.pop("preamble", "")
        if "summary" not in sections and preamble:
            sections["summary"] = preamble
        title = choose_title(doc, self.filename)

        year_hint = self._year_hint(doc)
        raw = collect_raw_entries(doc, year_hint)
        moments = find_moments(doc, frozenset(e.unit for e in raw))
        # Only a numeric date (25/02/2019) can say whether days come first: look for one in
        # the whole text before reading every line for it.
        day_first = bool(_NUMERIC_DATE_RE.search(self.text)) and any(
            d.day_first for u in doc.units for d in self._dates_in(u) if d.day_first is not None
        )
        zone_hit = self._zone(doc, raw, moments)
        zone_name = zone_hit.name if zone_hit else "UTC"
        if zone_hit is None:
            self.warnings.append("The document names no time zone; its times are read as UTC.")
        uses_meridiem = any(e.stamp.clock and e.stamp.clock.meridiem for e in raw) or any(
            m.clock.meridiem for m in moments
        )
        starts = sorted(
            (m for m in moments if m.role == "start"), key=lambda m: (m.priority, m.order)
        )
        ends = sorted((m for m in moments if m.role == "end"), key=lambda m: (m.priority, m.order))
        base = self._base_date(doc, raw, starts, day_first)

        anchor = None
        strong_starts = [m for m in starts if m.priority < PRIORITY_WEAK_FIELD]
        if strong_starts and not (strong_starts[0].day and strong_starts[0].day.day):
            anchor, _ = self._instant(
                strong_starts[0], base, zone_name, uses_meridiem, [], None, day_first
            )
        placement = place_entries(
            raw, base=base, zone_name=zone_name, uses_meridiem=uses_meridiem, anchor=anchor
        )
        self.warnings.extend(placement.notes)

        order = sorted(range(len(raw)), key=lambda i: (placement.at[i], i))
        if order != sorted(order):
            moved = next(i for pos, i in enumerate(order) if i != pos)
            self.warnings.append(
                "The timeline is not in time order in the document (the entry at "
                f"{placement.at[moved].strftime('%H:%M')} is listed later); entries are sorted "
                "by time."
            )
        entries = [
            EntryRecord(at=placement.at[i], text=raw[i].full_text or "(no text)", tags=[])
            for i in order
        ]
        texts = [e.text for e in entries]

        choosing = len(self.warnings)
        start = self._choose_start(
            entries, texts, strong_starts, starts, base, zone_name, uses_meridiem, day_first
        )
        end = self._choose_end(
            entries, texts, ends, start, base, zone_name, uses_meridiem, day_first
        )
        windows = self._stated_windows(
            doc, moments, base, zone_name, uses_meridiem, entries, day_first
        )
        if len(windows) >= 2:
            del self.warnings[choosing:]  # two starts, two ends: several incidents, said below
            start = self._attach(windows[0][0], entries, texts, start=True)
            end = self._attach(windows[-1][1], entries, texts, start=False)
            total = sum((b.at - a.at).total_seconds() / 60 for a, b in windows)
            spans = "; ".join(f"{_shown(a.at)} to {_shown(b.at)}" for a, b in windows)
            self.warnings.append(
                f"The document describes {len(windows)} separate impact windows ({spans}); "
                f"the incident is imported as running from the first start to the last end. "
                f"The windows add up to {format_duration(total)}."
            )
        stated = find_stated_durations(doc)
        if start is not None and end is None and stated:
            end = _Choice(
                start.at + timedelta(minutes=stated[0].hit.minutes),
                f"{stated[0].source} (start plus the stated duration)",
                order=stated[0].order,
                confidence="derived",
            )
            self.warnings.append(
                f"No end time was found; the end is taken as the start plus the stated "
                f"duration ({stated[0].hit.text})."
            )
        elif (
            start is not None
            and end is not None
            and end.how_sure == "guessed"
            and stated
            and stated[0].priority <= 3
            and not stated[0].hit.upper_bound
        ):
            # Two readings compete: the last row of the timeline (a guess) and a duration
            # the document states in words. The words win.
            minutes = (end.at - start.at).total_seconds() / 60
            hit = stated[0].hit
            slack = max(5.0, hit.minutes * 0.15) if hit.approximate else 1.0
            if abs(minutes - hit.minutes) > slack:
                self.warnings.append(
                    f"The last timeline entry ({_shown(end.at)}) would make the impact last "
                    f"{format_duration(minutes)}, but the document says {hit.text}; the end is "
                    "taken as the start plus the stated duration."
                )
                end = _Choice(
                    start.at + timedelta(minutes=hit.minutes),
                    f"{stated[0].source} (start plus the stated duration)",
                    order=stated[0].order,
                    confidence="derived",
                )
        if start is None and end is not None and entries and entries[0].at < end.at:
            start = _Choice(
                entries[0].at, "the earliest timeline entry", entry=0, confidence="guessed"
            )

        for index, entry in enumerate(entries):
            tags = infer_tags(entry.text)
            if start is not None and start.entry == index:
                tags.insert(0, "impact-start")
            if end is not None and end.entry == index:
                tags.append("resolved")
            entry.tags = list(dict.fromkeys(tags))

        if zone_hit is not None and zone_hit.summer is not None:
            when = start.at if start else (entries[0].at if entries else None)
            if when is not None:
                mismatch = summer_time_mismatch(zone_hit, when)
                if mismatch:
                    self.warnings.append(mismatch)

        duration = None
        if start is not None and end is not None:
            duration = (end.at - start.at).total_seconds() / 60
        chosen_stated = self._check_duration(stated, duration, start, end)

        fields: dict[str, object] = {"title": title, "timezone": zone_name, "status": "published"}
        severity, severity_note = find_severity(doc, title)
        if severity:
            fields["severity"] = severity
        if severity_note:
            self.warnings.append(severity_note)
        if start is not None:
            fields["started_at"] = start.at
        if end is not None:
            fields["resolved_at"] = end.at
        fields.update(sections)
        numbers = find_impact_numbers(doc)
        for name in (
            "users_affected_pct",
            "users_affected",
            "transactions_lost",
            "revenue_lost",
            "currency",
        ):
            value = getattr(numbers, name)
            if value is not None:
                fields[name] = value
        if start is None:
            self.warnings.append("No start time for the impact was found.")
        elif end is None:
            self.warnings.append("No end time for the impact was found.")

        record = IncidentRecord(
            fields=fields,
            entries=entries,
            action_items=collect_actions(doc),
            warnings=list(dict.fromkeys(self.warnings)),
        )
        entry_units = [raw[i].unit for i in order]
        self._entry_lines = [raw[i].line for i in order]
        evidence = {
            "start": self._evidence(doc, start, entry_units),
            "end": self._evidence(doc, end, entry_units),
            "duration": self._duration_evidence(doc, start, end, chosen_stated),
        }
        return ForeignResult(
            record,
            stated_duration_minutes=chosen_stated.hit.minutes if chosen_stated else None,
            stated_duration_text=chosen_stated.hit.text if chosen_stated else None,
            duration_minutes=duration,
            start_source=start.source if start else "",
            end_source=end.source if end else "",
            evidence={k: v for k, v in evidence.items() if v is not None},
        )

    # -- several incidents ---------------------------------------------------------------

    def _heading_days(self, doc: Document, year_hint: int | None) -> list[date | None]:
        """For every unit, the date of the nearest heading above it that gives one."""
        days: list[date | None] = []
        current: date | None = None
        levels: list[tuple[int, date | None]] = []
        for unit in doc.units:
            if unit.kind == "heading" and not unit.heading_item:
                while levels and levels[-1][0] >= unit.level:
                    levels.pop()
                hit = next(iter(self._dates_in(unit)), None)
                if hit is None:
                    partial = next(iter(find_dates(unit.text)), None)
                    hit_day = resolve_day(partial, year_hint)
                else:
                    hit_day = hit.day
                levels.append((unit.level, hit_day))
                current = next((d for _, d in reversed(levels) if d is not None), None)
            days.append(current)
        return days

    def _stated_windows(
        self,
        doc: Document,
        moments: list[Moment],
        base: date,
        zone_name: str,
        uses_meridiem: bool,
        entries: list[EntryRecord],
        day_first: bool,
    ) -> list[tuple[_Choice, _Choice]]:
        """Separate impact windows the document states (``Duration: 21:45 to 23:28`` under
        each of several dated headings), in time order; one or none when it states one."""
        pairs: dict[int, dict[str, Moment]] = {}
        for moment in moments:
            if moment.priority == PRIORITY_RANGE and moment.order >= 0:
                pairs.setdefault(moment.order, {})[moment.role] = moment
        complete = [(p["start"], p["end"]) for p in pairs.values() if len(p) == 2]
        if len(complete) < 2:
            return []
        heading_days = self._heading_days(doc, base.year)
        windows: list[tuple[_Choice, _Choice]] = []
        for first, second in complete:
            day = heading_days[first.order] if first.order < len(heading_days) else None
            instants = []
            for moment in (first, second):
                if moment.day is None and day is not None:
                    zone = zone_info(moment.zone.name if moment.zone else zone_name)
                    at, _ = place_clock(moment.clock, day, zone, None, uses_meridiem)
                else:
                    at, _ = self._instant(
                        moment, base, zone_name, uses_meridiem, [], None, day_first
                    )
                instants.append(at)
            begin, finish = instants
            if finish <= begin:
                finish = _next_day(finish)
            windows.append(
                (
                    _Choice(begin, first.source, None, True, order=first.order),
                    _Choice(finish, second.source, None, True, order=second.order),
                )
            )
        windows.sort(key=lambda w: w[0].at)
        distinct: list[tuple[_Choice, _Choice]] = []
        for window in windows:
            if distinct and window[0].at < distinct[-1][1].at:
                if window[1].at > distinct[-1][1].at:
                    return []  # overlapping statements: one incident told twice, not several
                continue
            distinct.append(window)
        return distinct if len(distinct) >= 2 else []

    # -- evidence ----------------------------------------------------------------------

    @staticmethod
    def _line_of(doc: Document, unit_index: int | None) -> tuple[int | None, str]:
        """The 1-based source line and its text for a unit (-1: the front matter)."""
        if unit_index is None:
            return None, ""
        if unit_index < 0 or unit_index >= len(doc.units):
            return None, "(front matter)"
        unit = doc.units[unit_index]
        if 0 <= unit.line < len(doc.source_lines):
            return unit.line + 1, doc.source_lines[unit.line].strip()
        return unit.line + 1, unit.text

    def _evidence(
        self, doc: Document, choice: _Choice | None, entry_units: list[int]
    ) -> dict[str, object] | None:
        if choice is None:
            return None
        if choice.order is not None:
            unit_index: int | None = choice.order
        elif choice.entry is not None:
            unit_index = entry_units[choice.entry]
        else:
            unit_index = None
        line, text = self._line_of(doc, unit_index)
        own_line = self._entry_lines[choice.entry] if choice.entry is not None else None
        if choice.order is None and own_line is not None and own_line < len(doc.source_lines):
            line, text = own_line + 1, doc.source_lines[own_line].strip()
        return {
            "at": choice.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "line": line,
            "text": text,
            "confidence": choice.how_sure,
            "source": choice.source,
        }

    def _duration_evidence(
        self,
        doc: Document,
        start: _Choice | None,
        end: _Choice | None,
        stated: StatedDuration | None,
    ) -> dict[str, object] | None:
        if stated is not None and (self._stated_agrees or start is None or end is None):
            line, text = self._line_of(doc, stated.order)
            return {
                "minutes": stated.hit.minutes,
                "line": line,
                "text": text,
                "confidence": "stated",
                "source": stated.source,
            }
        if start is None or end is None:
            return None
        sureness = {start.how_sure, end.how_sure}
        return {
            "minutes": (end.at - start.at).total_seconds() / 60,
            "line": None,
            "text": "",
            "confidence": "guessed" if "guessed" in sureness else "derived",
            "source": f"from the start ({start.source}) to the end ({end.source})",
        }

    # -- start and end -----------------------------------------------------------------

    def _choose_start(
        self,
        entries: list[EntryRecord],
        texts: list[str],
        strong: list[Moment],
        starts: list[Moment],
        base: date,
        zone_name: str,
        uses_meridiem: bool,
        day_first: bool,
    ) -> _Choice | None:
        candidates: list[_Choice] = []
        for index, text in enumerate(texts):
            if is_start_marker(text):
                candidates.append(
                    _Choice(entries[index].at, f'the timeline entry "{text[:60]}"', index, True)
                )
                break
        for moment in strong:
            at, undated = self._instant(
                moment, base, zone_name, uses_meridiem, entries, None, day_first
            )
            candidates.append(_Choice(at, moment.source, None, True, undated, moment.order))
        if candidates:
            # A "Date/time:" field is weak evidence, but when it disagrees it is worth a word.
            for moment in starts:
                if moment.priority >= PRIORITY_WEAK_FIELD and re.search(
                    r"date|time|when", moment.source, re.IGNORECASE
                ):
                    at, _ = self._instant(
                        moment, base, zone_name, uses_meridiem, entries, None, day_first
                    )
                    candidates.append(_Choice(at, moment.source, None, True, order=moment.order))
            chosen = candidates[0]
            for other in candidates[1:]:
                if (
                    other.explicit
                    and not _close(other.at, chosen.at)
                    and (other.source != chosen.source)
                ):
                    self.warnings.append(
                        f"The document gives two start times: {_shown(chosen.at)} "
                        f"({chosen.source}) and {_shown(other.at)} ({other.source}); the first "
                        "is used."
                    )
                    break
            return self._attach(chosen, entries, texts, start=True)
        if entries:
            # A change followed by a long silence (a config merged the day before) is the
            # latent cause, not the start of the impact.
            first_felt: int | None = None
            for index, text in enumerate(texts):
                if not shows_impact(text):
                    continue
                if first_felt is None:
                    first_felt = index
                latent = (
                    index + 1 < len(entries)
                    and _after_silence(entries, index + 1)
                    and is_change(text)
                )
                if not latent:
                    first_felt = index
                    break
            if first_felt is not None:
                return _Choice(
                    entries[first_felt].at, "the first timeline entry showing impact", first_felt
                )
            return _Choice(entries[0].at, "the earliest timeline entry", 0, confidence="guessed")
        weak = [m for m in starts if m.priority >= PRIORITY_WEAK_FIELD]
        if weak:
            at, _ = self._instant(weak[0], base, zone_name, uses_meridiem, [], None, day_first)
            return _Choice(
                at, weak[0].source, None, True, order=weak[0].order, confidence="derived"
            )
        return None

    def _choose_end(
        self,
        entries: list[EntryRecord],
        texts: list[str],
        ends: list[Moment],
        start: _Choice | None,
        base: date,
        zone_name: str,
        uses_meridiem: bool,
        day_first: bool,
    ) -> _Choice | None:
        after = start.at if start else None

        def later(at: datetime) -> bool:
            return after is None or at > after

        for index in range(len(texts) - 1, -1, -1):
            if is_end_marker(texts[index]) and later(entries[index].at):
                return _Choice(
                    entries[index].at, f'the timeline entry "{texts[index][:60]}"', index, True
                )
        strong = [m for m in ends if m.priority < PRIORITY_WEAK_FIELD]
        for moment in strong:
            at, undated = self._instant(
                moment, base, zone_name, uses_meridiem, entries, after, day_first
            )
            if not later(at) and undated and after is not None:
                at = at + timedelta(days=1)
            elif not later(at) and after is not None and _same_local_day(at, after):
                # "from 11 PM on March 3 until 2 AM": the end is on the next day.
                self.warnings.append(
                    f"The end stated by {moment.source} ({at.strftime('%H:%M')}) is earlier in "
                    f"the day than the start ({after.strftime('%H:%M')}); it is read as the "
                    "next day."
                )
                at = _next_day(at)
            if later(at):
                others = [m for m in strong[1:] if m.priority <= PRIORITY_RANGE and m is not moment]
                for other in others:
                    other_at, _ = self._instant(
                        other, base, zone_name, uses_meridiem, entries, after, day_first
                    )
                    if not _close(other_at, at) and later(other_at):
                        self.warnings.append(
                            f"The document gives two end times: {_shown(at)} ({moment.source}) "
                            f"and {_shown(other_at)} ({other.source}); the first is used."
                        )
                        break
                return self._attach(
                    _Choice(at, moment.source, None, True, undated, moment.order),
                    entries,
                    texts,
                    start=False,
                )
            self.warnings.append(
                f"The end stated by {moment.source} ({_shown(at)}) is not after the start; "
                "it is not used."
            )
        if entries:
            recovered = _recovery(entries, texts, after)
            if recovered is not None:
                silence = next(
                    (i for i in range(recovered + 1, len(entries)) if _after_silence(entries, i)),
                    None,
                )
                again = next(
                    (
                        i
                        for i in range(silence or len(entries), len(entries))
                        if shows_impact(texts[i])
                    ),
                    None,
                )
                if again is not None:
                    self.warnings.append(
                        f"After the recovery at {_shown(entries[recovered].at)} the timeline goes "
                        f"on, after a long silence, with more impact ({_shown(entries[again].at)}: "
                        f'"{texts[again][:60]}"); it may be another incident and is not counted '
                        "in this one."
                    )
                return _Choice(
                    entries[recovered].at, "the timeline entry showing recovery", recovered
                )
            for index in range(len(texts) - 1, -1, -1):
                if shows_closure(texts[index]) and later(entries[index].at):
                    if _after_silence(entries, index):
                        break
                    return _Choice(
                        entries[index].at, "the timeline entry closing the incident", index
                    )
            if later(entries[-1].at):
                if not _after_silence(entries, len(entries) - 1):
                    return _Choice(
                        entries[-1].at,
                        "the latest timeline entry",
                        len(entries) - 1,
                        confidence="guessed",
                    )
                self.warnings.append(
                    "The timeline ends with entries written long after the rest (follow-up "
                    "work, not the end of the impact) and no entry says the service recovered; "
                    "no end is taken from them."
                )
        for moment in ends:
            if moment.priority >= PRIORITY_WEAK_FIELD:
                at, _ = self._instant(
                    moment, base, zone_name, uses_meridiem, entries, after, day_first
                )
                if later(at):
                    return _Choice(
                        at, moment.source, None, True, order=moment.order, confidence="derived"
                    )
        return None

    @staticmethod
    def _attach(
        choice: _Choice, entries: list[EntryRecord], texts: list[str], *, start: bool
    ) -> _Choice:
        """Point a stated start or end at the timeline entry written at the same instant."""
        if choice.entry is not None:
            return choice
        same = [i for i, e in enumerate(entries) if _close(e.at, choice.at) and e.at == choice.at]
        if not same:
            return choice
        if start:
            preferred = [i for i in same if is_start_marker(texts[i]) or shows_impact(texts[i])]
            choice.entry = (preferred or same)[0]
        else:
            preferred = [i for i in same if is_end_marker(texts[i]) or shows_resolution(texts[i])]
            choice.entry = (preferred or same)[-1]
        return choice

    # -- stated duration ---------------------------------------------------------------

    def _check_duration(
        self,
        stated: list[StatedDuration],
        computed: float | None,
        start: _Choice | None,
        end: _Choice | None,
    ) -> StatedDuration | None:
        self._stated_agrees = False
        if not stated:
            return None
        if computed is None:
            return stated[0]

        def agrees(candidate: StatedDuration) -> bool:
            hit = candidate.hit
            if hit.upper_bound:
                return computed <= hit.minutes + 1
            slack = max(5.0, hit.minutes * 0.15) if hit.approximate else 1.0
            return abs(computed - hit.minutes) <= slack

        primary = stated[0]
        if agrees(primary):
            self._stated_agrees = True
            return primary
        for candidate in stated[1:]:
            if candidate.priority <= 3 and agrees(candidate):
                self._stated_agrees = True
                return candidate
        assert start is not None and end is not None
        self.warnings.append(
            f"The document says {primary.hit.text} ({format_duration(primary.hit.minutes)}, "
            f"in {primary.source}) but its times span {format_duration(computed)} "
            f"({_shown(start.at)} to {_shown(end.at)})."
        )
        return primary
