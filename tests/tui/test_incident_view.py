"""The incident view without a terminal: pending entries, what a reload keeps, the reference."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.store import IncidentSnapshot
from models.tables import Incident, TimelineEntry
from tui.screens.incident.view import IncidentView, is_pending

T0 = datetime(2026, 3, 2, 22, 0, tzinfo=UTC)


def _entry(entry_id: int, minutes: int, text: str, tags: list[str] | None = None) -> TimelineEntry:
    return TimelineEntry(
        id=entry_id,
        incident_id=1,
        at=T0 + timedelta(minutes=minutes),
        author="ana",
        text=text,
        tags=tags or [],
    )


def _snapshot(*entries: TimelineEntry, resolved: bool = False) -> IncidentSnapshot:
    incident = Incident(id=1, slug="s", title="t", timezone="UTC")
    if resolved:
        incident.resolved_at = T0 + timedelta(hours=2)
    return IncidentSnapshot(incident, list(entries), [])


def test_a_pending_entry_shows_in_time_order_until_it_is_written() -> None:
    view = IncidentView(_snapshot(_entry(1, 0, "first"), _entry(2, 20, "third")))
    pending = view.add_pending(T0 + timedelta(minutes=10), "second", ["note"], "ana")
    assert is_pending(pending)
    assert [e.text for e in view.entries] == ["first", "second", "third"]
    assert view.entry(pending.id) is pending

    written = _entry(3, 10, "second", ["note"])
    assert pending.id is not None
    view.written(pending.id, written)
    assert view.pending == {}
    assert [e.id for e in view.entries] == [1, 3, 2]


def test_a_reload_keeps_what_is_still_on_its_way() -> None:
    view = IncidentView(_snapshot(_entry(1, 0, "first")))
    view.add_pending(T0 + timedelta(minutes=5), "mine", [], "ana")
    view.loaded(_snapshot(_entry(1, 0, "first"), _entry(7, 3, "bob's")))
    assert [e.text for e in view.entries] == ["first", "bob's", "mine"]


def test_a_dropped_pending_entry_goes_away() -> None:
    view = IncidentView(_snapshot(_entry(1, 0, "first")))
    pending = view.add_pending(T0, "refused", [], "ana")
    assert pending.id is not None
    view.drop_pending(pending.id)
    assert [e.text for e in view.entries] == ["first"]


def test_entries_logged_at_one_moment_keep_the_order_they_were_sent() -> None:
    view = IncidentView(_snapshot(_entry(1, 0, "written")))
    a = view.add_pending(T0, "a", [], "ana")
    b = view.add_pending(T0, "b", [], "ana")
    assert [e.text for e in view.entries] == ["written", "a", "b"]
    assert a.id != b.id


def test_the_reference_follows_pending_entries_of_a_resolved_incident() -> None:
    now = T0 + timedelta(days=3)
    view = IncidentView(_snapshot(_entry(1, 0, "first"), resolved=True))
    assert view.reference(now) == T0
    view.add_pending(T0 + timedelta(minutes=30), "backfilled", [], "ana")
    assert view.reference(now) == T0 + timedelta(minutes=30)


def test_an_ongoing_incident_reads_bare_times_near_now() -> None:
    now = T0 + timedelta(hours=1)
    view = IncidentView(_snapshot(_entry(1, 0, "first")))
    assert view.reference(now) == now


def test_a_written_entry_that_a_reload_brought_already_is_not_shown_twice() -> None:
    view = IncidentView(_snapshot(_entry(1, 0, "first")))
    pending = view.add_pending(T0 + timedelta(minutes=10), "second", [], "ana")
    written = _entry(3, 10, "second")
    view.loaded(_snapshot(_entry(1, 0, "first"), written))  # the reload raced the write
    assert pending.id is not None
    view.written(pending.id, written)
    assert [e.id for e in view.entries] == [1, 3]
