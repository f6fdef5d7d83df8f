"""What a bare time is read near: now while the incident is ongoing, its last entry after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.tables import Incident, TimelineEntry
from models.timeline import time_reference

NOW = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
T0 = datetime(2026, 3, 2, 23, 40, tzinfo=UTC)


def entry(n: int, minutes: int, *tags: str, deleted: bool = False) -> TimelineEntry:
    return TimelineEntry(
        id=n,
        incident_id=1,
        at=T0 + timedelta(minutes=minutes),
        tags=list(tags),
        deleted_at=NOW if deleted else None,
    )


def incident(**fields: object) -> Incident:
    return Incident(id=1, slug="s", title="t", **fields)


def test_an_ongoing_incident_reads_bare_times_near_now() -> None:
    assert time_reference(incident(), [entry(1, 0), entry(2, 30)], now=NOW) == NOW
    assert time_reference(incident(), [], now=NOW) == NOW


def test_a_resolved_incident_reads_them_near_its_latest_entry() -> None:
    entries = [entry(1, 0, "impact-start"), entry(3, 90), entry(2, 40, "resolved")]
    assert time_reference(incident(), entries, now=NOW) == T0 + timedelta(minutes=90)


def test_an_explicit_resolution_counts_as_resolved() -> None:
    resolved = T0 + timedelta(minutes=50)
    entries = [entry(1, 0), entry(2, 20)]
    assert time_reference(incident(resolved_at=resolved), entries, now=NOW) == T0 + timedelta(
        minutes=20
    )
    # With no entries at all, the resolution itself.
    assert time_reference(incident(resolved_at=resolved), [], now=NOW) == resolved


def test_deleted_entries_are_not_looked_at() -> None:
    entries = [entry(1, 0), entry(2, 30, "resolved", deleted=True), entry(3, 500, deleted=True)]
    assert time_reference(incident(), entries, now=NOW) == NOW
    entries.append(entry(4, 45, "resolved"))
    assert time_reference(incident(), entries, now=NOW) == T0 + timedelta(minutes=45)
