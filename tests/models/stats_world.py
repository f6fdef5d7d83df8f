"""A small world of incidents with known figures, shared by the stats tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from models.store import IncidentSnapshot
from models.tables import ActionItem, Incident, TimelineEntry

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
_ids = iter(range(1, 1_000_000))


def snap(
    number: int,
    *,
    start: datetime,
    steps: Sequence[tuple[float, str]] = (),
    end: float | None = None,
    severity: str = "SEV-3",
    zone: str = "UTC",
    actions: Sequence[tuple[str | None, str, int]] = (),
) -> IncidentSnapshot:
    """An incident that starts at ``start``; ``steps`` are (minutes after start, tag) and
    ``end`` the minute it is resolved (None: still going). ``actions`` are (owner, status,
    age in days)."""
    incident = Incident(
        id=number,
        slug=f"i{number}",
        title=f"Incident {number}",
        severity=severity,
        timezone=zone,
        created_at=start,  # logged live: the row is as old as the incident
    )
    moments = [(0.0, "impact-start"), *steps]
    if end is not None:
        moments.append((end, "resolved"))
    entries = [
        TimelineEntry(
            id=next(_ids),
            incident_id=number,
            at=start + timedelta(minutes=minutes),
            text=tag,
            tags=[tag] if tag else [],
        )
        for minutes, tag in moments
    ]
    items = [
        ActionItem(
            id=next(_ids),
            incident_id=number,
            number=n,
            title=f"do {n}",
            owner=owner,
            status=status,
            created_at=NOW - timedelta(days=age),
        )
        for n, (owner, status, age) in enumerate(actions, start=1)
    ]
    return IncidentSnapshot(incident, entries, items)


JAN = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
FEB = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)


def world() -> list[IncidentSnapshot]:
    return [
        # 60 minutes; detected at 5, false lead 10→30 (20 min), mitigated at 40.
        snap(
            1,
            start=JAN,
            steps=[(5, "detected"), (10, "false-lead"), (30, ""), (40, "mitigated")],
            end=60,
            severity="SEV-2",
            actions=[("alice", "open", 10), (None, "in-progress", 3), ("bob", "done", 30)],
        ),
        # 120 minutes; detected at 15, two escalations, mitigated at 100.
        snap(
            2,
            start=JAN + timedelta(days=3),
            steps=[(15, "detected"), (20, "escalation"), (25, "escalation"), (100, "mitigated")],
            end=120,
            severity="SEV-2",
            actions=[("alice", "open", 2), ("alice", "wont-do", 50)],
        ),
        # 30 minutes, nothing else tagged.
        snap(3, start=FEB, end=30, severity="SEV-1", actions=[("", "open", 1)]),
        # Still going: counted, but none of its times.
        snap(4, start=FEB + timedelta(days=1), steps=[(1, "detected"), (2, "escalation")]),
    ]
