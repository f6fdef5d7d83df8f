"""Logging many entries at once (a paste read line by line, ``log --lines``): one
transaction, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from models.db import open_database
from models.store import NewEntry, NotFound, Store, StoreError

T0 = datetime(2026, 3, 2, 22, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "sqlite":
        location = str(tmp_path / "batch.db")
    else:
        location = request.getfixturevalue("postgres_url")
    return Store(open_database(location), author="tester", clock=lambda: T0)


def _incident(store: Store) -> int:
    incident = store.create_incident("Batch", timezone="UTC")
    assert incident.id is not None
    return incident.id


def test_all_land_in_order_with_their_line_breaks(any_store: Store) -> None:
    incident_id = _incident(any_store)
    batch = [NewEntry(T0 + timedelta(seconds=n), f"line {n}\n  detail", ["db"]) for n in range(50)]
    logged = any_store.log_entries(incident_id, batch)
    assert [e.id for e in logged] == sorted(e.id for e in logged)
    stored = any_store.entries(incident_id)
    assert [(e.at, e.text, e.tags, e.author) for e in stored] == [
        (n.at, n.text, ["db"], "tester") for n in batch
    ]


def test_one_bad_entry_and_none_is_written(any_store: Store) -> None:
    incident_id = _incident(any_store)
    with pytest.raises(StoreError, match="empty"):
        any_store.log_entries(incident_id, [NewEntry(T0, "fine"), NewEntry(T0, "  ")])
    with pytest.raises(NotFound):
        any_store.log_entries(incident_id + 1, [NewEntry(T0, "fine")])
    assert any_store.entries(incident_id) == []


def test_a_second_try_logs_only_what_is_missing(any_store: Store) -> None:
    incident_id = _incident(any_store)
    sent = datetime(2026, 3, 2, 22, 5, tzinfo=UTC)
    # Two identical log lines of one paste: told apart by their moment of sending.
    batch = [
        NewEntry(T0, "same", (), sent),
        NewEntry(T0, "same", (), sent + timedelta(microseconds=1)),
    ]
    first = any_store.log_entries(incident_id, batch[:1])
    again = any_store.log_entries(incident_id, batch)
    assert again[0].id == first[0].id
    assert len(any_store.entries(incident_id)) == 2
