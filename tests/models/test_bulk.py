"""The bulk helpers: the collector pause, executemany as Core would, and quick instances."""

from __future__ import annotations

import gc
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from models.bulk import collector_paused, insert_many, unsaved_copy
from models.db import open_database
from models.store import Store
from models.tables import TimelineEntry

T0 = datetime(2026, 3, 2, 22, 0, tzinfo=UTC)
TABLE = TimelineEntry.__table__  # type: ignore[attr-defined]


def test_the_collector_is_paused_and_restored() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "an inner block must not turn it back on"
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_collector_kept_off_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def _rows(incident_id: int, count: int) -> list[dict[str, object]]:
    return [
        {
            "incident_id": incident_id,
            "at": T0 + timedelta(seconds=n, microseconds=n % 3),
            "author": f"author {n % 2}",
            "text": f"entry {n} | with *markup*" if n % 2 else "",
            "tags": [["note"], [], ["false-lead", "db-failover"]][n % 3],
            "created_at": T0,
            "updated_at": T0 + timedelta(minutes=n),
        }
        for n in range(count)
    ]


def _stored(path: Path) -> list[tuple[object, ...]]:
    con = sqlite3.connect(path)
    try:
        return con.execute(
            "SELECT incident_id, at, author, text, tags, deleted_at, created_at, updated_at"
            " FROM timeline_entry ORDER BY id"
        ).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("count", [1, 7, 600])
def test_insert_many_stores_what_core_executemany_stores(tmp_path: Path, count: int) -> None:
    stored = []
    for name, write in (
        ("core", lambda conn, rows: conn.execute(insert(TABLE), rows)),
        ("bulk", lambda conn, rows: insert_many(conn, TABLE, rows)),
    ):
        path = tmp_path / f"{name}.db"
        store = Store(open_database(path))
        incident = store.create_incident("x", timezone="UTC")
        with store.engine.begin() as conn:
            write(conn, _rows(incident.id, count))  # type: ignore[arg-type]
        stored.append(_stored(path))
    assert stored[0] == stored[1]
    assert len(stored[0]) == count


def test_insert_many_with_columns_left_to_their_defaults(tmp_path: Path) -> None:
    """Leaving out a column with a default (text) takes the ordinary path: same rows."""
    path = tmp_path / "w.db"
    store = Store(open_database(path))
    incident = store.create_incident("x", timezone="UTC")
    rows = [{k: v for k, v in row.items() if k != "text"} for row in _rows(incident.id, 3)]
    with store.engine.begin() as conn:
        insert_many(conn, TABLE, rows)
    assert [row[3] for row in _stored(path)] == ["", "", ""]


def test_insert_many_of_nothing_does_nothing(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    store = Store(open_database(path))
    with store.engine.begin() as conn:
        insert_many(conn, TABLE, [])
    assert _stored(path) == []


def _entry_values(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "id": 7,
        "incident_id": 1,
        "at": T0,
        "author": "ana",
        "text": "paged",
        "tags": ["detected"],
        "deleted_at": None,
        "created_at": T0,
        "updated_at": T0,
    }
    values.update(changes)
    return values


def test_an_unsaved_copy_is_like_a_constructed_instance() -> None:
    from sqlalchemy import inspect as inspect_state

    made = TimelineEntry(**_entry_values())
    copied = unsaved_copy(TimelineEntry, _entry_values())
    assert isinstance(copied, TimelineEntry)
    assert copied.model_dump() == made.model_dump()
    assert copied.model_dump(exclude_unset=True) == made.model_dump(exclude_unset=True)
    assert inspect_state(copied).transient and inspect_state(made).transient
    copied.text = "paged again"
    assert copied.text == "paged again"
    assert inspect_state(copied).attrs.text.history.added == ["paged again"]


def test_an_unsaved_copy_can_be_stored_like_a_constructed_one(tmp_path: Path) -> None:
    from sqlmodel import Session

    store = Store(open_database(tmp_path / "w.db"))
    incident = store.create_incident("x", timezone="UTC")
    copied = unsaved_copy(TimelineEntry, _entry_values(id=None, incident_id=incident.id))
    with Session(store.engine) as session:
        session.add(copied)
        session.commit()
    (stored,) = store.entries(incident.id)  # type: ignore[arg-type]
    assert (stored.text, stored.tags, stored.at, stored.author) == (
        "paged",
        ["detected"],
        T0,
        "ana",
    )
