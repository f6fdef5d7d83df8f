"""Facts a foreign postmortem states outright: when the impact began and ended, how long it
lasted, how many users, transactions and how much money it cost, its severity.

Stated facts come from labelled fields (``Start time:``, ``| Duration | 15 min |``, front
matter), from summary sentences (``from 2:00 PM to 4:15 PM UTC``) and, for durations, from
phrases such as ``lasted close to an hour and a half``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from exporters.ingest.foreign.sections import SUMMARY_LIKE, Document, prose_runs, split_label
from exporters.ingest.foreign.times import (
    H_TIME_RE,
    ClockTime,
    DateHit,
    DurationHit,
    find_clock_times,
    find_dates,
    find_durations,
)
from exporters.ingest.foreign.zones import ZoneHit, find_zone, zone_after

# Lower is stronger. Timeline markers (START OF OUTAGE) rank 0; see exporters.ingest.foreign.reader.
PRIORITY_FIELD = 1
PRIORITY_RANGE = 2
PRIORITY_SENTENCE = 3
PRIORITY_WEAK_FIELD = 4


@dataclass
class Moment:
    """A start or end of the impact as the document states it, before it becomes an instant."""

    role: str  # "start" or "end"
    clock: ClockTime
    day: DateHit | None
    zone: ZoneHit | None
    priority: int
    source: str
    order: int  # position in the document, for ties


_PARENTHESES_RE = re.compile(r"\([^()]{0,40}\)")
_START_LABEL_RE = re.compile(
    r"^(?:(?:impact|incident|outage|issue|downtime|disruption|problem|event)\s+)?"
    r"(?:start(?:ed)?|began|begin(?:ning)?|onset)(?:\s+(?:time|at|date|on|date/time))?$"
    r"|^(?:start|starting) (?:time|date)$|^first (?:impact|errors?|alert)$|^from$"
    r"|^(?:start|beginning) of (?:the )?(?:impact|incident|outage|downtime|disruption)$"
    r"|^d[ée]but(?: de l.(?:incident|impact|interruption)| de la panne)?$",
    re.IGNORECASE,
)
_END_LABEL_RE = re.compile(
    r"^(?:(?:impact|incident|outage|issue|downtime|disruption|problem|event)\s+)?"
    r"(?:end(?:ed)?|resolved|recovered|restored|over)"
    r"(?:\s+(?:time|at|date|on|date/time))?$"
    r"|^end (?:time|date)$|^(?:resolution|recovery|restoration) time$|^(?:until|to)$"
    r"|^end of (?:the )?(?:impact|incident|outage|downtime|disruption)$"
    r"|^(?:time )?(?:resolved|restored|recovered)(?: at)?$"
    r"|^fin(?: de l.(?:incident|impact|interruption)| de la panne)?$|^r[ée]solu(?:tion)?$",
    re.IGNORECASE,
)
# "Mitigated:" and "Fixed:" often come before the impact is fully over ("Resolved:" later).
_SOFT_END_LABEL_RE = re.compile(
    r"^(?:(?:impact|incident|outage|issue|problem)\s+)?(?:time )?(?:mitigated|fixed)"
    r"(?:\s+(?:time|at|date|on))?$|^(?:mitigation|fix) time$",
    re.IGNORECASE,
)
_WEAK_START_LABEL_RE = re.compile(
    r"^(?:date ?/ ?time|date and time|when|time|reported(?: at)?|detected(?: at)?"
    r"|incident (?:date|time)|occurred(?: at)?|opened(?: at)?)$",
    re.IGNORECASE,
)
_WEAK_END_LABEL_RE = re.compile(r"^(?:incident )?closed(?: at)?$", re.IGNORECASE)
_DURATION_LABEL_RE = re.compile(
    r"\bduration\b|\bdur[ée]e\b|\bdowntime\b|\blength\b"
    r"|\btime to (?:resolve|resolution|recover|recovery|restore|mitigate)\b|\btotal\b"
    r"|\boutage\b|\bttr\b|\bmttr\b",
    re.IGNORECASE,
)
_NOT_DURATION_LABEL_RE = re.compile(
    r"detect|acknowledg|respon|engage|ttd|tta|triage|sla|slo|timeout|interval", re.IGNORECASE
)
_RANGE_JOIN_RE = re.compile(
    r"^\s*(?:-|–|—|to|until|till|through|thru|and|->|→|~)\s*$", re.IGNORECASE
)
_START_CUE_RE = re.compile(
    r"\b(?:began|begun|begins|started|starting|starts|beginning|commenced|occurred"
    r"|first (?:noticed|seen|detected)|went down|since)\b",
    re.IGNORECASE,
)
_END_CUE_RE = re.compile(
    r"\b(?:resolved|restored|recovered|ended|ending|ends|fixed|mitigated|back online|back up"
    r"|until|till|through|was over)\b",
    re.IGNORECASE,
)
_NOISE_RE = re.compile(r"[*_`()\[\],]")
_OFFSET_RE = re.compile(
    r"(?<![A-Za-z])Z\b|[+-][0-9]{2}:?[0-9]{2}\b|\bapprox(?:imately)?\.?|\babout\b"
    r"|\b(?:on|of|the)\b"  # "from 11 PM on March 3 until 2 AM": the date's own words
)


def _nearest_date(text: str, start: int, end: int) -> DateHit | None:
    """The date written in the same sentence as a time: before it, else right after it."""
    dates = [d for d in find_dates(text) if d.day is not None]
    before = [d for d in dates if d.end <= start and "." not in text[d.end : start].strip(". ")]
    if before:
        return before[-1]
    after = [d for d in dates if d.start >= end and "." not in text[end : d.start]]
    return after[0] if after else None


def _zone_near(text: str, clock: ClockTime, later: ClockTime | None = None) -> ZoneHit | None:
    for candidate in (clock, later):
        if candidate is None:
            continue
        hit = zone_after(text, candidate.end)
        if hit:
            return hit
    return find_zone(text)


def _moment_from_value(
    role: str, value: str, priority: int, source: str, order: int
) -> Moment | None:
    clocks = find_clock_times(value)
    if not clocks:
        # "Début : 14h05": in a field's value, 14h05 is a time of day (elsewhere "took
        # 2h30" is a duration).
        found = H_TIME_RE.search(value)
        if found is None:
            return None
        clocks = [ClockTime(int(found.group(1)), int(found.group(2)), 0, None, *found.span())]
    clock = clocks[0]
    return Moment(
        role,
        clock,
        _nearest_date(value, clock.start, clock.end),
        _zone_near(value, clock),
        priority,
        source,
        order,
    )


_NEXT_LABEL_RE = re.compile(r"\s*[,;|]\s*(?=[A-Z][A-Za-z /]{1,30}:\s)")


def _single_body_row(doc: Document, order: int) -> bool:
    """Whether the row at ``order`` is the only body row of its table."""
    before = doc.units[order - 1] if order > 0 else None
    after = doc.units[order + 1] if order + 1 < len(doc.units) else None
    return (
        before is not None
        and before.kind == "row"
        and before.header
        and not (after is not None and after.kind == "row" and not after.header)
    )


def _labelled_values(
    doc: Document, skip: frozenset[int] = frozenset()
) -> list[tuple[str, str, int]]:
    """(label, value, order) for ``Label: value`` lines, two-cell rows and front matter.

    A line may hold several fields: ``Start: 10:00 UTC, End: 11:30 UTC``.
    """
    found: list[tuple[str, str, int]] = [
        (key, value, -1) for key, value in doc.front_matter.items() if value
    ]
    header: tuple[str, ...] = ()
    for order, unit in enumerate(doc.units):
        if unit.kind == "row" and unit.header:
            header = unit.cells
            continue
        if unit.kind != "row":
            header = ()
        if order in skip:
            continue
        if unit.kind == "row":
            cells = [c for c in unit.cells if c.strip()]
            if len(cells) >= 2 and len(cells[0].split()) <= 6:
                found.append((cells[0].strip(" *_`:"), " ".join(cells[1:]), order))
            if header and _single_body_row(doc, order):
                # | Start | End | Duration | over one row of values: a field per column.
                for name, value in zip(header, unit.cells, strict=False):
                    if name.strip() and value.strip() and len(name.split()) <= 6:
                        found.append((name.strip(" *_`:"), value.strip(), order))
        elif unit.kind == "line" and unit.section != "timeline":
            for part in _NEXT_LABEL_RE.split(unit.text):
                label = split_label(part)
                if label is not None and label[1]:
                    found.append((label[0], label[1], order))
    return found


# "from 0233 to 0239": four digits on both sides of a range word are a 24-hour clock (the
# military habit), unless both could be years ("from 1998 to 2004").
_MILITARY_RANGE_RE = re.compile(
    r"\b(?:from|between)\s+(?P<a>[01][0-9]|2[0-3])(?P<am>[0-5][0-9])\s*(?:to|until|till"
    r"|through|and|-|–|—)\s*(?P<b>[01][0-9]|2[0-3])(?P<bm>[0-5][0-9])\b(?![.,:][0-9])",
    re.IGNORECASE | re.ASCII,
)


def _military_range(text: str, order: int) -> list[Moment]:
    match = _MILITARY_RANGE_RE.search(text)
    if match is None:
        return []
    a, b = match.group("a") + match.group("am"), match.group("b") + match.group("bm")
    if all(x[:2] in ("19", "20") for x in (a, b)):
        return []
    first = ClockTime(int(a[:2]), int(a[2:]), 0, None, match.start("a"), match.end("am"))
    second = ClockTime(int(b[:2]), int(b[2:]), 0, None, match.start("b"), match.end("bm"))
    zone = _zone_near(text, second)
    day = _nearest_date(text, first.start, first.end)
    source = f'the sentence "{_short(text)}"'
    return [
        Moment("start", first, day, zone, PRIORITY_RANGE, source, order),
        Moment("end", second, day, zone, PRIORITY_RANGE, source, order),
    ]


def _range_moments(text: str, order: int) -> list[Moment]:
    clocks = find_clock_times(text)
    if not clocks:
        return _military_range(text, order)
    for first, second in itertools.pairwise(clocks):
        between = text[first.end : second.start]
        for hit in find_dates(between):
            between = between.replace(between[hit.start : hit.end], " ")
        zone = find_zone(between)
        if zone is not None:
            between = between[: zone.start] + " " + between[zone.end :]
        between = _NOISE_RE.sub(" ", _OFFSET_RE.sub(" ", between))
        if not _RANGE_JOIN_RE.match(between):
            continue
        if between.strip().lower() == "and" and "between" not in text[: first.start][-25:].lower():
            continue
        if first.meridiem is None and second.meridiem is not None and first.hour <= 12:
            # "from 9 to 11 AM": the first time shares the second's AM/PM when that fits.
            guess = ClockTime(
                first.hour, first.minute, first.second, second.meridiem, first.start, first.end
            )
            if guess.minutes_of_day <= second.minutes_of_day:
                first = guess
        zone = _zone_near(text, second) or _zone_near(text, first)
        day_first = _nearest_date(text, first.start, first.end)
        between_dates = [d for d in find_dates(text[first.end : second.start]) if d.day]
        day_second = between_dates[-1] if between_dates else day_first
        source = f'the sentence "{_short(text)}"'
        return [
            Moment("start", first, day_first, zone, PRIORITY_RANGE, source, order),
            Moment("end", second, day_second, zone, PRIORITY_RANGE, source, order),
        ]
    return []


def _cue_role(before: str) -> str | None:
    """ "start" or "end" by the cue word nearest before a time ("starting at noon and ending
    at 12:45": 12:45 is the end), within the same clause and 40 characters."""
    clause = re.split(r"[.;:]", before)[-1]
    best: tuple[int, str] | None = None
    for role, pattern in (("start", _START_CUE_RE), ("end", _END_CUE_RE)):
        for match in pattern.finditer(clause):
            if len(clause) - match.end() <= 40 and (best is None or match.start() > best[0]):
                best = (match.start(), role)
    return best[1] if best else None


# After a time, "until" or "through" open another phrase ("after 23:50 were hidden until
# the export caught up"); only verbs of recovery say the time is an end.
_END_AFTER_CUE_RE = re.compile(
    r"\b(?:was |were |is |are |got |been )?(?:resolved|restored|recovered|ended|fixed|mitigated"
    r"|back online|back up|over(?=[.;,]|$))\b",
    re.IGNORECASE,
)


def _cue_after(after: str) -> str | None:
    """ "start" or "end" by the first cue word after a time, in the same clause and within
    40 characters ("at 14:20 JST the cache went down")."""
    clause = re.split(r"[.;:]|,\s+(?:and|but|then)\b", after)[0][:40]
    best: tuple[int, str] | None = None
    for role, pattern in (("start", _START_CUE_RE), ("end", _END_AFTER_CUE_RE)):
        match = pattern.search(clause)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), role)
    return best[1] if best else None


def _sentence_moments(text: str, order: int) -> list[Moment]:
    found: list[Moment] = []
    clocks = find_clock_times(text)
    for number, clock in enumerate(clocks):
        role = _cue_role(text[max(0, clock.start - 60) : clock.start])
        if role is None:
            following = clocks[number + 1].start if number + 1 < len(clocks) else len(text)
            role = _cue_after(text[clock.end : min(following, clock.end + 60)])
        if role is None:
            continue
        found.append(
            Moment(
                role,
                clock,
                _nearest_date(text, clock.start, clock.end),
                _zone_near(text, clock),
                PRIORITY_SENTENCE,
                f'the sentence "{_short(text)}"',
                order,
            )
        )
    return found


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def find_moments(doc: Document, skip: frozenset[int] = frozenset()) -> list[Moment]:
    """Every start and end of the impact the document states outside its timeline.

    ``skip`` holds the units read as timeline entries: a time there is not a statement.
    """
    moments: list[Moment] = []
    for label, value, order in _labelled_values(doc, skip):
        name = " ".join(_PARENTHESES_RE.sub(" ", label).split()).strip(" -:")
        if _START_LABEL_RE.match(name):
            role, priority = "start", PRIORITY_FIELD
        elif _END_LABEL_RE.match(name):
            role, priority = "end", PRIORITY_FIELD
        elif _SOFT_END_LABEL_RE.match(name):
            role, priority = "end", PRIORITY_RANGE
        elif _WEAK_START_LABEL_RE.match(name):
            role, priority = "start", PRIORITY_WEAK_FIELD
        elif _WEAK_END_LABEL_RE.match(name):
            role, priority = "end", PRIORITY_WEAK_FIELD
        else:
            continue
        moment = _moment_from_value(role, value, priority, f'the "{name}" field', order)
        if moment is not None:
            moments.append(moment)
    for order, unit, text in prose_runs(doc, skip):
        if unit.kind not in ("line", "row", "heading") or unit.section not in SUMMARY_LIKE:
            continue
        if order in skip:
            continue
        ranged = _range_moments(text, order)
        moments.extend(ranged or _sentence_moments(text, order))
    return moments


# --------------------------------------------------------------------------- durations

_DURATION_CUE_RE = re.compile(
    r"\b(?:lasted|lasting|last(?:s|ing)? for|duration|for|down|downtime|offline|unavailable"
    r"|outage|within|period|total)\b",
    re.IGNORECASE,
)
# "lasted 2 hours", "for just under two hours": the words right before make it a duration.
_DURATION_LEAD_RE = re.compile(
    r"\b(?:lasted|lasting|lasts|last(?:ed)? for|for|took|taking|spanning|over a period of"
    r"|a total of|in total)\s*$",
    re.IGNORECASE,
)
# "a 2-hour outage", "55 minutes of downtime": the words right after make it one.
_DURATION_TAIL_RE = re.compile(
    r"^\s*(?:-?long\b|of (?:\w+ )?(?:downtime|outage|impact|disruption|degradation"
    r"|unavailability|errors)\b|(?:outage|downtime|disruption|incident|impact)\b"
    r"|in total\b|total\b)",
    re.IGNORECASE,
)
_NOT_DURATION_AFTER_RE = re.compile(
    r"^\s*(?:before|after|earlier|later|ago|prior|of (?:sleep|delay)|each|per|every|sla|slo"
    r"|timeout|ttl|interval|response time)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class StatedDuration:
    hit: DurationHit
    priority: int
    source: str
    order: int = -1  # the unit it was read from (-1: front matter)


def find_stated_durations(doc: Document) -> list[StatedDuration]:
    """How long the document says the impact lasted, strongest statement first."""
    found: list[StatedDuration] = []
    for label, value, order in _labelled_values(doc):
        if _DURATION_LABEL_RE.search(label) and not _NOT_DURATION_LABEL_RE.search(label):
            value_clocks = find_clock_times(value)
            hits = [
                h
                for h in find_durations(value)
                if not any(c.start < h.end and h.start < c.end for c in value_clocks)
            ]
            if hits:
                found.append(StatedDuration(hits[0], 1, f'the "{label}" field', order))
    for run_order, unit, text in prose_runs(doc):
        if unit.kind not in ("line", "heading") or unit.section in (
            "timeline",
            "went_well",
            "got_lucky",
        ):
            continue
        label = split_label(unit.text)
        if label is not None and _DURATION_LABEL_RE.search(label[0]):
            continue  # already read as a field
        summary_like = unit.section in SUMMARY_LIKE
        clocks = find_clock_times(text)
        for hit in find_durations(text):
            if any(c.start < hit.end and hit.start < c.end for c in clocks):
                continue  # "0030HRS" is a time of day, not thirty hours
            before = text[max(0, hit.start - 80) : hit.start]
            after = text[hit.end : hit.end + 20]
            if hit.minutes < 1:
                continue  # "a p99 of 8 seconds": a latency, never how long an outage lasted
            led = bool(_DURATION_LEAD_RE.search(before))
            if not led and _NOT_DURATION_AFTER_RE.match(after):
                continue
            right_after_range = any(
                0 <= hit.start - c.end <= 12 and "(" in text[c.end : hit.start] for c in clocks
            )
            if right_after_range:
                found.append(StatedDuration(hit, 2, f'the sentence "{_short(text)}"', run_order))
            elif (
                hit.upper_bound
                or led
                or _DURATION_CUE_RE.search(before)
                or _DURATION_TAIL_RE.match(after)
            ):
                priority = 3 if summary_like else 4
                found.append(
                    StatedDuration(hit, priority, f'the sentence "{_short(text)}"', run_order)
                )
    found.sort(key=lambda s: s.priority)
    return found


# --------------------------------------------------------------------------- impact numbers

_PCT_RE = re.compile(r"(?<![0-9.])(?P<n>[0-9]{1,3}(?:\.[0-9]+)?)\s?%")
_PEOPLE = (
    r"(?:users?|customers?|accounts?|people|individuals|visitors?|clients?|merchants?|members?"
    r"|developers?|subscribers?|players?|tenants?|sellers?|buyers?|requests?|traffic|sessions?"
    r"|logins?|shoppers?|viewers?|readers?|guests?|passengers?|employees?|staff|riders?"
    r"|drivers?|devices?|calls?|apps?|projects?|sites?|usuários|usuarios)"
)
_PCT_CONTEXT_RE = re.compile(r"^[^.;]{0,40}?\b" + _PEOPLE + r"\b", re.IGNORECASE)
_COUNT = (
    r"(?P<n>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+(?:\.[0-9]+)?)\s?(?P<mult>k|thousand|million|m|mn)?"
    r"|(?P<word>a|one|a few|several) (?P<wmult>hundred|thousand|million)"
)
_USERS_RE = re.compile(
    r"(?<![\w$€£.,])(?:" + _COUNT + r")\s+(?:[a-z-]+\s+){0,3}?"
    r"(?P<what>users?|customers?|accounts?|people|individuals|visitors?|clients?|merchants?"
    r"|subscribers?|players?|shoppers?|usuários|usuarios)\b",
    re.IGNORECASE,
)
_TRANSACTIONS_RE = re.compile(
    r"(?<![\w$€£.,])(?:" + _COUNT + r")\s+(?:[a-z-]+\s+){0,2}?"
    r"(?P<what>transactions?|orders?|payments?|purchases?|checkouts?|bookings?|sales)\b",
    re.IGNORECASE,
)
_MONEY_RE = re.compile(
    r"(?P<sym>[$€£¥])\s?(?P<n>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+(?:\.[0-9]+)?)"
    r"\s?(?P<mult>k|thousand|million|m|mn|bn|billion)?\b"
    r"|(?P<code>USD|EUR|GBP|CAD|AUD|JPY|INR|NGN|KES|ZAR)\s?(?P<n2>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+"
    r"(?:\.[0-9]+)?)\s?(?P<mult2>k|thousand|million|m|bn|billion)?\b"
    r"|(?P<n3>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+(?:\.[0-9]+)?)\s?(?P<mult3>k|thousand|million)?\s?"
    r"(?P<code3>USD|EUR|GBP|dollars|euros|pounds)\b",
    re.IGNORECASE,
)
_MULTIPLIERS = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "bn": 1e9,
    "billion": 1e9,
    "hundred": 1e2,
}
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_WORD_CURRENCIES = {"dollars": "USD", "euros": "EUR", "pounds": "GBP"}


def _amount(number: str | None, mult: str | None) -> float | None:
    if not number:
        return None
    try:
        value = float(number.replace(",", ""))
    except ValueError:
        return None
    return value * _MULTIPLIERS.get((mult or "").lower(), 1.0)


def _count(match: re.Match[str]) -> int | None:
    if match.group("word"):
        base = {"a": 1, "one": 1, "a few": 3, "several": 3}[match.group("word").lower()]
        return int(base * _MULTIPLIERS[match.group("wmult").lower()])
    value = _amount(match.group("n"), match.group("mult"))
    return int(value) if value is not None and value < 1e12 else None


@dataclass
class ImpactNumbers:
    users_affected_pct: float | None = None
    users_affected: int | None = None
    transactions_lost: int | None = None
    revenue_lost: float | None = None
    currency: str | None = None


def find_impact_numbers(doc: Document) -> ImpactNumbers:
    numbers = ImpactNumbers()
    texts = [
        text
        for _, u, text in prose_runs(doc)
        if u.kind in ("line", "row") and u.section in SUMMARY_LIKE | {"impact"}
    ]
    for text in texts:
        if numbers.users_affected_pct is None:
            for match in _PCT_RE.finditer(text):
                value = float(match.group("n"))
                if 0 < value <= 100 and _PCT_CONTEXT_RE.match(text[match.end() :]):
                    numbers.users_affected_pct = value
                    break
        if numbers.users_affected is None:
            for match in _USERS_RE.finditer(text):
                count = _count(match)
                if count:
                    numbers.users_affected = count
                    break
        if numbers.transactions_lost is None:
            for match in _TRANSACTIONS_RE.finditer(text):
                count = _count(match)
                if count:
                    numbers.transactions_lost = count
                    break
        if numbers.revenue_lost is None:
            for match in _MONEY_RE.finditer(text):
                if match.group("sym"):
                    value = _amount(match.group("n"), match.group("mult"))
                    currency = _SYMBOLS[match.group("sym")]
                elif match.group("code"):
                    value = _amount(match.group("n2"), match.group("mult2"))
                    currency = match.group("code").upper()
                else:
                    value = _amount(match.group("n3"), match.group("mult3"))
                    code = match.group("code3").lower()
                    currency = _WORD_CURRENCIES.get(code, code.upper())
                if value:
                    numbers.revenue_lost = value
                    numbers.currency = currency
                    break
    return numbers


# --------------------------------------------------------------------------- severity

_SEVERITY_RE = re.compile(r"\bSEV(?:ERITY)?[\s-]?([0-5])\b", re.IGNORECASE)
_SEVERITY_LABEL_RE = re.compile(r"^(?:severity|sev|incident severity|impact level)$", re.I)


def find_severity(doc: Document, title: str) -> tuple[str | None, str | None]:
    """(severity such as "SEV-2", a warning) from a severity field or a SEV-n in the title."""
    candidates: list[str] = []
    for label, value, _ in _labelled_values(doc):
        if _SEVERITY_LABEL_RE.match(label.strip()):
            candidates.append(value if _SEVERITY_RE.search(value) else f"SEV-{value.strip()}")
    candidates.append(title)
    for text in candidates:
        match = _SEVERITY_RE.search(text)
        if not match:
            continue
        level = int(match.group(1))
        if level == 0:
            return "SEV-1", "The document says SEV-0; the workbook's highest severity is SEV-1."
        return f"SEV-{level}", None
    return None, None
