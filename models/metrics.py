"""The numbers of an incident, worked out from its timeline: pure functions, no database.

Every "time to" runs from the start of the impact. Times are compared and subtracted as
UTC instants, so an incident that spans a daylight-saving change or midnight still gets
its real elapsed time. Minutes are exact floats; rounding is the caller's business.

Each milestone remembers where it came from (an entry, an explicit field on the incident,
the earliest entry as a fallback, or nowhere), so a screen can jump to the entry behind a
figure and a reader can tell a measured time from a guessed one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Final, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from models.vocabulary import MILESTONE_TAGS

SOURCE_ENTRY: Final = "entry"
SOURCE_EXPLICIT: Final = "explicit"
SOURCE_EARLIEST_ENTRY: Final = "earliest-entry"
SOURCE_NONE: Final = "none"

# How a warning names where a start or a resolution came from.
_WHAT_STARTED: Final = {
    SOURCE_ENTRY: "the #impact-start entry",
    SOURCE_EXPLICIT: "the incident's start time",
    SOURCE_EARLIEST_ENTRY: "the earliest entry",
}
_WHAT_RESOLVED: Final = {
    SOURCE_ENTRY: "the latest #resolved entry",
    SOURCE_EXPLICIT: "the incident's resolution time",
}

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MINUTE: Final = timedelta(minutes=1)
_ZERO: Final = timedelta(0)


class IncidentLike(Protocol):
    """What the metrics read from an incident (a table row or any look-alike).

    An optional ``timezone`` attribute (an IANA name) is used, when present, to show
    times in warnings in the incident's own zone.
    """

    @property
    def started_at(self) -> datetime | None: ...
    @property
    def resolved_at(self) -> datetime | None: ...
    @property
    def users_affected_pct(self) -> float | None: ...
    @property
    def users_affected(self) -> int | None: ...
    @property
    def slo_target_pct(self) -> float | None: ...
    @property
    def slo_window_days(self) -> int | None: ...


class EntryLike(Protocol):
    """What the metrics read from a timeline entry; ``deleted_at`` is optional."""

    @property
    def id(self) -> int | None: ...
    @property
    def at(self) -> datetime: ...
    @property
    def tags(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class Milestone:
    """A point on the timeline and where it came from."""

    at: datetime | None
    entry_id: int | None = None
    source: str = SOURCE_NONE  # "entry", "explicit", "earliest-entry" or "none"


_UNKNOWN: Final = Milestone(None)


@dataclass(frozen=True)
class IncidentMetrics:
    started: Milestone
    detected: Milestone
    responded: Milestone
    escalated: Milestone
    cause_identified: Milestone
    mitigated: Milestone
    resolved: Milestone
    ongoing: bool
    duration_minutes: float | None
    time_to_detect_minutes: float | None
    time_to_respond_minutes: float | None
    time_to_escalate_minutes: float | None
    # Shown in the workbook; not among the JSON figures (their keys are a contract).
    time_to_cause_minutes: float | None
    time_to_mitigate_minutes: float | None
    time_to_resolve_minutes: float | None
    false_leads: int
    escalations: int
    time_on_false_leads_minutes: float
    false_lead_entry_ids: tuple[int, ...]
    escalation_entry_ids: tuple[int, ...]
    error_budget_consumed_pct: float | None
    user_minutes: float | None
    warnings: tuple[str, ...]

    def metrics_dict(self) -> dict[str, float | int | bool | None]:
        """The timing figures by their JSON names."""
        return {
            "duration_minutes": self.duration_minutes,
            "ongoing": self.ongoing,
            "time_to_detect_minutes": self.time_to_detect_minutes,
            "time_to_respond_minutes": self.time_to_respond_minutes,
            "time_to_escalate_minutes": self.time_to_escalate_minutes,
            "time_to_mitigate_minutes": self.time_to_mitigate_minutes,
            "time_to_resolve_minutes": self.time_to_resolve_minutes,
            "false_leads": self.false_leads,
            "escalations": self.escalations,
            "time_on_false_leads_minutes": self.time_on_false_leads_minutes,
        }

    def milestone_times(self) -> dict[str, datetime | None]:
        """When each milestone happened, by JSON name, in the order a timeline meets them."""
        return {
            "started_at": self.started.at,
            "detected_at": self.detected.at,
            "responded_at": self.responded.at,
            "escalated_at": self.escalated.at,
            "cause_identified_at": self.cause_identified.at,
            "mitigated_at": self.mitigated.at,
            "resolved_at": self.resolved.at,
        }


def _instant(value: datetime, what: str) -> timedelta:
    """An aware datetime as time since the epoch: a UTC instant, comparable across zones."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} {value.isoformat()} has no time zone; metrics need aware times")
    # Subtraction between different zones goes through UTC, so DST and folds are handled.
    return value - _EPOCH


def _minutes(start: timedelta | None, end: timedelta | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start) / _MINUTE


def _display_zone(incident: IncidentLike) -> tzinfo:
    name = getattr(incident, "timezone", None)
    if isinstance(name, str) and name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return UTC


def _show(value: datetime, zone: tzinfo) -> str:
    local = value.astimezone(zone)
    pattern = "%Y-%m-%d %H:%M:%S" if local.second or local.microsecond else "%Y-%m-%d %H:%M"
    label = "UTC" if zone is UTC else local.strftime("%Z")
    return f"{local.strftime(pattern)} {label}"


# A live entry, ready to sort: (instant, id is None, id or 0, position given, at, id, tags).
# The position breaks every remaining tie, so sorting never compares the payload.
_Row = tuple[timedelta, bool, int, int, datetime, int | None, Sequence[str]]


def _read(entry: EntryLike) -> tuple[datetime | None, datetime, int | None, Sequence[str]]:
    return getattr(entry, "deleted_at", None), entry.at, entry.id, entry.tags


def _rows(entries: Iterable[EntryLike]) -> list[_Row]:
    """The live entries in (instant, id) order, ids of None last. The hot loop."""
    rows: list[_Row] = []
    append = rows.append
    epoch = _EPOCH
    position = 0
    for entry in entries:
        # Reading the instance dict directly skips SQLAlchemy's instrumented descriptors,
        # which cost more than the rest of this loop together; an object that keeps any of
        # the four elsewhere (or an expired ORM attribute) goes the ordinary way.
        values = getattr(entry, "__dict__", None)
        try:
            deleted_at, at, entry_id, tags = (
                values["deleted_at"],  # type: ignore[index]
                values["at"],  # type: ignore[index]
                values["id"],  # type: ignore[index]
                values["tags"],  # type: ignore[index]
            )
        except (KeyError, TypeError):
            deleted_at, at, entry_id, tags = _read(entry)
        if deleted_at is not None:
            continue
        try:
            # Naive datetimes (or a zone without an offset) refuse to subtract from the epoch.
            instant = at - epoch
        except TypeError:
            _instant(at, f"entry {entry_id} time")
            raise
        if entry_id is None:
            append((instant, True, 0, position, at, None, tags))
        else:
            append((instant, False, entry_id, position, at, entry_id, tags))
        position += 1
    rows.sort()
    return rows


def compute_metrics(
    incident: IncidentLike, entries: Iterable[EntryLike], *, now: datetime
) -> IncidentMetrics:
    """Work out the milestones, durations, counts, impact and warnings of an incident.

    Deleted entries (a non-None ``deleted_at``) are ignored. Entries are taken in
    (instant, id) order, ids of None last; entries with no id at the same instant keep
    the order they were given in. All datetimes must be timezone-aware (ValueError if not).
    """
    now_t = _instant(now, "now")
    rows = _rows(entries)
    count = len(rows)

    # One pass: for each tag the metrics know, the positions of its entries in time order.
    hits: dict[str, list[int]] = {tag: [] for tag in MILESTONE_TAGS}
    for index, row in enumerate(rows):
        for tag in row[6]:
            positions = hits.get(tag)
            # The second test skips a tag written twice on one entry.
            if positions is not None and (not positions or positions[-1] != index):
                positions.append(index)

    def earliest(tag: str) -> int | None:
        positions = hits[tag]
        return positions[0] if positions else None

    def entry_ids(tag: str) -> tuple[int, ...]:
        return tuple(i for i in (rows[p][5] for p in hits[tag]) if i is not None)

    def from_entry(
        index: int | None, source: str = SOURCE_ENTRY
    ) -> tuple[Milestone, timedelta | None]:
        if index is None:
            return _UNKNOWN, None
        row = rows[index]
        return Milestone(row[4], row[5], source), row[0]

    # Start: tagged entry, else the explicit field, else the earliest entry.
    explicit_start = incident.started_at
    explicit_start_t = None if explicit_start is None else _instant(explicit_start, "started_at")
    if hits["impact-start"]:
        started, started_t = from_entry(hits["impact-start"][0])
    elif explicit_start is not None:
        started, started_t = Milestone(explicit_start, None, SOURCE_EXPLICIT), explicit_start_t
    elif count:
        started, started_t = from_entry(0, SOURCE_EARLIEST_ENTRY)
    else:
        started, started_t = _UNKNOWN, None

    detected, detected_t = from_entry(earliest("detected"))
    responded, responded_t = from_entry(earliest("responded"))
    escalated, escalated_t = from_entry(earliest("escalation"))
    cause, cause_t = from_entry(earliest("cause-identified"))
    mitigated, mitigated_t = from_entry(earliest("mitigated"))

    # Resolution: the latest resolved entry (an incident can be reopened), else explicit.
    explicit_end = incident.resolved_at
    explicit_end_t = None if explicit_end is None else _instant(explicit_end, "resolved_at")
    if hits["resolved"]:
        resolved, resolved_t = from_entry(hits["resolved"][-1])
    elif explicit_end is not None:
        resolved, resolved_t = Milestone(explicit_end, None, SOURCE_EXPLICIT), explicit_end_t
    else:
        resolved, resolved_t = _UNKNOWN, None
    ongoing = resolved_t is None
    end_t = now_t if resolved_t is None else resolved_t

    duration = _minutes(started_t, end_t)

    # Time on false leads: from each false lead to the next entry (or to the end).
    lost = _ZERO
    for index in hits["false-lead"]:
        next_t = rows[index + 1][0] if index + 1 < count else end_t
        gap = next_t - rows[index][0]
        if gap > _ZERO:
            lost += gap

    impact_pct = incident.users_affected_pct
    target = incident.slo_target_pct
    window_days = incident.slo_window_days
    pct_ok = impact_pct is None or 0 <= impact_pct <= 100
    target_ok = target is not None and 0 <= target < 100
    window_ok = window_days is not None and window_days > 0
    budget: float | None = None
    # Out-of-range inputs give no figure (and a warning below) rather than a wrong one.
    if (
        duration is not None
        and target is not None
        and window_days is not None
        and pct_ok
        and target_ok
        and window_ok
    ):
        share = 1.0 if impact_pct is None else impact_pct / 100
        allowed_minutes = window_days * 1440 * (1 - target / 100)
        budget = duration * share / allowed_minutes * 100
    users = incident.users_affected
    user_minutes = None if users is None or duration is None else users * duration

    # Warnings, always in this order.
    warnings: list[str] = []
    zone: tzinfo | None = None

    def show(value: datetime) -> str:
        nonlocal zone
        if zone is None:
            zone = _display_zone(incident)
        return _show(value, zone)

    if started.source == SOURCE_EARLIEST_ENTRY and started.at is not None:
        warnings.append(
            "No entry is tagged #impact-start, so the impact is taken to start at the "
            f"earliest entry ({show(started.at)}): tag the entry where the impact began "
            "#impact-start."
        )
    elif started.source == SOURCE_NONE:
        warnings.append(
            "No start time: add a timeline entry where the impact began and tag it #impact-start."
        )
    if len(hits["impact-start"]) > 1 and started.at is not None:
        warnings.append(
            f"{len(hits['impact-start'])} entries are tagged #impact-start; the earliest "
            f"({show(started.at)}) is used: remove the tag from the others."
        )
    if (
        started.source == SOURCE_ENTRY
        and explicit_start is not None
        and started.at is not None
        and explicit_start_t != started_t
    ):
        warnings.append(
            f"The incident's start time ({show(explicit_start)}) disagrees with the entry "
            f"tagged #impact-start ({show(started.at)}); the entry wins: correct the start "
            "time or move the tag."
        )
    if detected.at is None:
        warnings.append(
            "No entry is tagged #detected, so time to detect is unknown: tag the entry "
            "where someone first noticed the problem #detected."
        )
    if ongoing:
        warnings.append("Not resolved yet: tag the entry that ends the impact #resolved.")
    if (
        resolved.source == SOURCE_ENTRY
        and explicit_end is not None
        and resolved.at is not None
        and explicit_end_t != resolved_t
    ):
        warnings.append(
            f"The incident's resolution time ({show(explicit_end)}) disagrees with the "
            f"latest entry tagged #resolved ({show(resolved.at)}); the entry wins: correct "
            "the resolution time or move the tag."
        )

    if started_t is not None and started.at is not None:
        start_said = f"the impact started ({{}}, {_WHAT_STARTED[started.source]})"
        if detected_t is not None and detected.at is not None and detected_t < started_t:
            warnings.append(
                f"Detected ({show(detected.at)}) before "
                f"{start_said.format(show(started.at))}: check the time of the #detected "
                "entry and of the start."
            )
        if mitigated_t is not None and mitigated.at is not None and mitigated_t < started_t:
            warnings.append(
                f"Mitigated ({show(mitigated.at)}) before "
                f"{start_said.format(show(started.at))}: check the time of the #mitigated "
                "entry and of the start."
            )
    if (
        resolved_t is not None
        and resolved.at is not None
        and mitigated_t is not None
        and mitigated.at is not None
        and resolved_t < mitigated_t
    ):
        warnings.append(
            f"Resolved ({show(resolved.at)}, {_WHAT_RESOLVED[resolved.source]}) before it was "
            f"mitigated ({show(mitigated.at)}): check both times."
        )
    if (
        resolved_t is not None
        and resolved.at is not None
        and started_t is not None
        and started.at is not None
        and resolved_t < started_t
    ):
        warnings.append(
            f"Resolved ({show(resolved.at)}, {_WHAT_RESOLVED[resolved.source]}) before "
            f"the impact started ({show(started.at)}, {_WHAT_STARTED[started.source]}): "
            "check both times."
        )
    if not pct_ok:
        warnings.append(
            f"Users affected is {impact_pct:g}%, outside 0–100%: correct the percentage of "
            "users affected."
        )
    if target is not None and not target_ok:
        warnings.append(
            f"The SLO target is {target:g}%, outside 0–100% (100% leaves no error budget): "
            "set a target like 99.9."
        )
    if target is not None and not window_ok:
        warnings.append(
            f"The SLO window is {window_days} days: set it to a positive number of days "
            "(30 is common)."
        )

    return IncidentMetrics(
        started=started,
        detected=detected,
        responded=responded,
        escalated=escalated,
        cause_identified=cause,
        mitigated=mitigated,
        resolved=resolved,
        ongoing=ongoing,
        duration_minutes=duration,
        time_to_detect_minutes=_minutes(started_t, detected_t),
        time_to_respond_minutes=_minutes(started_t, responded_t),
        time_to_escalate_minutes=_minutes(started_t, escalated_t),
        time_to_cause_minutes=_minutes(started_t, cause_t),
        time_to_mitigate_minutes=_minutes(started_t, mitigated_t),
        time_to_resolve_minutes=_minutes(started_t, resolved_t),
        false_leads=len(hits["false-lead"]),
        escalations=len(hits["escalation"]),
        time_on_false_leads_minutes=lost / _MINUTE,
        false_lead_entry_ids=entry_ids("false-lead"),
        escalation_entry_ids=entry_ids("escalation"),
        error_budget_consumed_pct=budget,
        user_minutes=user_minutes,
        warnings=tuple(warnings),
    )
