"""Figures across incidents: how long they last, how fast they are caught, who owes what.

Pure functions over :class:`models.store.IncidentSnapshot`-like objects and a clock: no
database, no Textual and no text (the figures are written out in exporters/render). Each
incident's own figures come from :func:`compute_metrics`, so a number here always agrees
with ``workbook show``.

Counts (incidents, escalations, open action items) include ongoing incidents. Durations,
times to detect and mitigate, and the share of time lost to false leads are taken from
resolved incidents only: an ongoing incident's duration is still growing and would pull
every median down. A time below zero (milestones out of order, which ``show`` warns about)
is left out rather than averaged in.

Percentiles interpolate linearly between the two nearest ranks (the "inclusive" method,
numpy's default), so the median of two values is their mean and the 90th percentile of
a single value is that value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Final, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from models.metrics import IncidentLike, IncidentMetrics, compute_metrics
from models.vocabulary import OPEN_ACTION_STATUSES, SEVERITIES, normalize_severity

__all__ = [
    "NOTE",
    "GroupStats",
    "OwnerActions",
    "Spread",
    "Stats",
    "StatsError",
    "compute_stats",
    "month_series",
    "parse_severity",
    "parse_since",
    "percentile",
]

NOTE: Final = (
    "Counts include ongoing incidents; durations, times to detect and mitigate and the "
    "false-lead share come from resolved incidents only."
)
UNASSIGNED: Final = "unassigned"
_DAY: Final = timedelta(days=1)


class StatsError(ValueError):
    """A filter that cannot be used as typed; the message says what to type."""


class _IncidentLike(IncidentLike, Protocol):
    """What the figures read from an incident, beyond what its metrics need."""

    @property
    def id(self) -> int | None: ...
    @property
    def severity(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


class _ActionLike(Protocol):
    @property
    def owner(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


class SnapshotLike(Protocol):
    """What the figures read from one incident (``IncidentSnapshot`` fits)."""

    @property
    def incident(self) -> _IncidentLike: ...
    @property
    def entries(self) -> Sequence[Any]: ...
    @property
    def action_items(self) -> Sequence[_ActionLike]: ...


# -- filters -------------------------------------------------------------------------------

_SINCE_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SINCE_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_SINCE_FORMS: Final = "use YYYY-MM-DD (e.g. 2026-01-01) or YYYY-MM for the start of a month"


def parse_since(text: str) -> date:
    """The first day counted: ``2026-01-15``, or ``2026-01`` for the first of that month."""
    stripped = str(text).strip()
    parts: tuple[str, ...] = ()
    if match := _SINCE_DAY.fullmatch(stripped):
        parts = match.groups()
    elif match := _SINCE_MONTH.fullmatch(stripped):
        parts = (*match.groups(), "1")
    if parts:
        try:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            raise StatsError(f"{stripped!r} is not a calendar date: {_SINCE_FORMS}") from None
    raise StatsError(f"cannot read {stripped[:40]!r} as a date: {_SINCE_FORMS}")


def parse_severity(text: str) -> str:
    """``SEV-2``, also typed ``sev2``, ``2`` or ``SEV 2``."""
    try:
        return normalize_severity(str(text))
    except ValueError:
        raise StatsError(
            f"severity {str(text).strip()[:40]!r} is not one of {', '.join(SEVERITIES)}"
        ) from None


# -- figures -------------------------------------------------------------------------------


def percentile(values: Iterable[float], fraction: float) -> float | None:
    """The value below which ``fraction`` (0–1) of ``values`` lie; None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    share = position - low
    return ordered[low] + (ordered[high] - ordered[low]) * share


@dataclass(frozen=True)
class Spread:
    """The median and 90th percentile of one figure, and how many incidents gave it."""

    median: float | None
    p90: float | None
    count: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        return cls(percentile(values, 0.5), percentile(values, 0.9), len(values))

    def as_dict(self) -> dict[str, Any]:
        return {"median": _round(self.median, 2), "p90": _round(self.p90, 2), "count": self.count}


@dataclass(frozen=True)
class GroupStats:
    """The figures of a set of incidents (all of them, one severity or one month)."""

    incidents: int
    resolved: int
    ongoing: int
    duration: Spread
    time_to_detect: Spread
    time_to_mitigate: Spread
    false_lead_minutes: float
    false_lead_share: float | None
    escalations: int
    escalations_per_incident: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "incidents": self.incidents,
            "resolved": self.resolved,
            "ongoing": self.ongoing,
            "duration_minutes": self.duration.as_dict(),
            "time_to_detect_minutes": self.time_to_detect.as_dict(),
            "time_to_mitigate_minutes": self.time_to_mitigate.as_dict(),
            "false_lead_minutes": _round(self.false_lead_minutes, 2),
            "false_lead_share": _round(self.false_lead_share, 4),
            "escalations": self.escalations,
            "escalations_per_incident": _round(self.escalations_per_incident, 2),
        }


@dataclass(frozen=True)
class OwnerActions:
    """The open action items of one owner and how long they have been waiting, in days."""

    owner: str
    count: int
    oldest_days: float
    median_age_days: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "owner": self.owner,
            "count": self.count,
            "oldest_days": _round(self.oldest_days, 2),
            "median_age_days": _round(self.median_age_days, 2),
        }


@dataclass(frozen=True)
class Stats:
    now: datetime
    since: date | None
    severity: str | None
    overall: GroupStats
    by_severity: tuple[tuple[str, GroupStats], ...]
    # Month of the impact start in the incident's own zone (``YYYY-MM``); None when the
    # incident has no start at all. Months without incidents are not listed.
    by_month: tuple[tuple[str | None, GroupStats], ...]
    open_actions: tuple[OwnerActions, ...]
    note: str = NOTE

    @property
    def open_action_count(self) -> int:
        return sum(o.count for o in self.open_actions)

    def as_dict(self) -> dict[str, Any]:
        """The ``workbook stats --json`` object; its keys are documented in the README."""
        return {
            "generated_at": self.now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "filters": {
                "since": self.since.isoformat() if self.since else None,
                "severity": self.severity,
            },
            "note": self.note,
            "overall": self.overall.as_dict(),
            "by_severity": [{"severity": k, **g.as_dict()} for k, g in self.by_severity],
            "by_month": [{"month": k, **g.as_dict()} for k, g in self.by_month],
            "open_action_items": {
                "count": self.open_action_count,
                "by_owner": [o.as_dict() for o in self.open_actions],
            },
        }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


@dataclass(frozen=True)
class _Measured:
    """One incident reduced to what the figures need."""

    severity: str
    month: str | None
    local_day: date | None
    metrics: IncidentMetrics


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _measure(snapshot: SnapshotLike, now: datetime) -> _Measured:
    incident = snapshot.incident
    metrics = compute_metrics(incident, snapshot.entries, now=now)
    start = metrics.started.at
    if start is None:
        return _Measured(incident.severity, None, None, metrics)
    local = start.astimezone(_zone(incident.timezone))
    return _Measured(
        incident.severity, f"{local.year:04d}-{local.month:02d}", local.date(), metrics
    )


def _non_negative(values: Iterable[float | None]) -> list[float]:
    return [v for v in values if v is not None and v >= 0]


def _group(measured: Sequence[_Measured]) -> GroupStats:
    done = [m.metrics for m in measured if not m.metrics.ongoing]
    durations = _non_negative(m.duration_minutes for m in done)
    # The share is only fair over incidents whose whole duration is known and positive.
    timed = [m for m in done if m.duration_minutes is not None and m.duration_minutes > 0]
    total = sum(m.duration_minutes or 0.0 for m in timed)
    lost = sum(m.time_on_false_leads_minutes for m in timed)
    escalations = sum(m.metrics.escalations for m in measured)
    return GroupStats(
        incidents=len(measured),
        resolved=len(done),
        ongoing=len(measured) - len(done),
        duration=Spread.of(durations),
        time_to_detect=Spread.of(_non_negative(m.time_to_detect_minutes for m in done)),
        time_to_mitigate=Spread.of(_non_negative(m.time_to_mitigate_minutes for m in done)),
        false_lead_minutes=lost,
        false_lead_share=lost / total if total > 0 else None,
        escalations=escalations,
        escalations_per_incident=escalations / len(measured) if measured else None,
    )


def _severity_order(severity: str) -> tuple[int, str]:
    return (
        (SEVERITIES.index(severity), "") if severity in SEVERITIES else (len(SEVERITIES), severity)
    )


# An item stored within this long of its incident's row was stored with it (an import).
_SAME_WRITE: Final = timedelta(minutes=1)


def _open_since(item: _ActionLike, incident: _IncidentLike, metrics: IncidentMetrics) -> datetime:
    """When an action item was opened. An incident imported after the fact stores its items
    at the moment of the import; those date from the incident itself (its end, else its
    start), since that is when the postmortem that asked for them was written."""
    written_up = metrics.resolved.at or metrics.started.at
    if (
        written_up is not None
        and incident.created_at > written_up
        and abs(item.created_at - incident.created_at) <= _SAME_WRITE
    ):
        return min(item.created_at, written_up)
    return item.created_at


def _owner_actions(
    chosen: Iterable[tuple[SnapshotLike, _Measured]], now: datetime
) -> tuple[OwnerActions, ...]:
    ages: dict[str, list[float]] = {}
    spellings: dict[str, dict[str, int]] = {}
    for snapshot, measured in chosen:
        for item in snapshot.action_items:
            if item.status not in OPEN_ACTION_STATUSES:
                continue
            written = " ".join((item.owner or "").split()) or UNASSIGNED
            key = written.casefold()  # "SRE" and "sre" are one owner
            names = spellings.setdefault(key, {})
            names[written] = names.get(written, 0) + 1
            opened = _open_since(item, snapshot.incident, measured.metrics)
            ages.setdefault(key, []).append(max(0.0, (now - opened) / _DAY))
    found = [
        OwnerActions(
            max(spellings[key], key=lambda name: (spellings[key][name], name)),
            len(days),
            max(days),
            percentile(days, 0.5) or 0.0,
        )
        for key, days in ages.items()
    ]
    found.sort(key=lambda o: (-o.count, -o.oldest_days, o.owner.casefold(), o.owner))
    return tuple(found)


def compute_stats(
    snapshots: Iterable[SnapshotLike],
    *,
    now: datetime,
    since: date | None = None,
    severity: str | None = None,
) -> Stats:
    """The figures of every incident whose impact started on or after ``since`` (a date in
    the incident's own zone) and, when given, of one ``severity``.

    With ``since``, an incident that has no start time at all is left out: nothing says
    when it happened.
    """
    if severity is not None:
        severity = parse_severity(severity)
    chosen: list[tuple[SnapshotLike, _Measured]] = []
    for snapshot in sorted(snapshots, key=lambda s: s.incident.id or 0):
        if severity is not None and snapshot.incident.severity != severity:
            continue
        measured = _measure(snapshot, now)
        if since is not None and (measured.local_day is None or measured.local_day < since):
            continue
        chosen.append((snapshot, measured))
    measured_all = [m for _, m in chosen]

    by_severity: dict[str, list[_Measured]] = {}
    by_month: dict[str | None, list[_Measured]] = {}
    for m in measured_all:
        by_severity.setdefault(m.severity, []).append(m)
        by_month.setdefault(m.month, []).append(m)

    return Stats(
        now=now,
        since=since,
        severity=severity,
        overall=_group(measured_all),
        by_severity=tuple(
            (key, _group(by_severity[key])) for key in sorted(by_severity, key=_severity_order)
        ),
        by_month=tuple(
            (key, _group(by_month[key]))
            for key in sorted(by_month, key=lambda k: (k is None, k or ""))
        ),
        open_actions=_owner_actions(chosen, now),
    )


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _month_name(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_series(
    stats: Stats, months: int = 12, *, from_first: bool = False
) -> list[tuple[str, GroupStats | None]]:
    """The last ``months`` calendar months up to the latest one with an incident, gaps
    included (as None), oldest first: what a chart of the trend draws. With
    ``from_first`` the series starts no earlier than the first month with an incident, so
    a short history is not padded with empty months."""
    known = {k: g for k, g in stats.by_month if k is not None}
    if not known:
        return []
    last = _month_index(max(known))
    first = last - (months - 1)
    if from_first:
        first = max(first, _month_index(min(known)))
    return [(_month_name(i), known.get(_month_name(i))) for i in range(first, last + 1)]
