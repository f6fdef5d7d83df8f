"""Who is here: arriving, beating, leaving and dying, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from models.db import open_database
from models.presence import GONE_AFTER, SWEEP_AFTER, Here, Me, PresenceBook, who_is_here
from models.sessions import reading
from models.store import Store
from models.tables import Presence


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "w.db")
    return str(request.getfixturevalue("postgres_url"))


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 23, 55, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_arriving_beating_leaving_and_dying(location: str) -> None:
    engine = open_database(location)
    store = Store(engine)
    first = store.create_incident("Search is slow", timezone="UTC")
    second = store.create_incident("Billing late", timezone="UTC")
    assert first.id is not None and second.id is not None
    clock = _Clock()
    book = PresenceBook(engine, clock=clock)
    alice, bob, bob_again = Me("alice"), Me("bob"), Me("bob")
    for me in (alice, bob, bob_again):
        book.beat(me, first.id)
    assert [p.name for p in book.here(first.id)] == ["alice", "bob", "bob"]
    assert [p.name for p in book.here(first.id, exclude=alice.session_key)] == ["bob", "bob"]
    assert book.counts() == {first.id: 3}

    book.beat(bob_again, second.id)  # moved to another incident: one row, not two
    assert book.counts() == {first.id: 2, second.id: 1}
    book.beat(alice, None)  # left
    assert book.counts() == {first.id: 1, second.id: 1}

    clock.now += GONE_AFTER - timedelta(seconds=1)
    book.beat(bob, first.id)  # bob beats; bob_again died (kill -9) and does not
    clock.now += timedelta(seconds=2)
    assert book.counts() == {first.id: 1}
    assert book.here(second.id) == []

    clock.now += SWEEP_AFTER
    book.beat(alice, first.id)  # anyone's heartbeat sweeps long-dead rows away
    with reading(engine) as session:
        keys = set(session.exec(select(Presence.session_key)).all())
    assert keys == {alice.session_key}


def test_names_are_said_once_with_their_count() -> None:
    people = [Here("bob", "bob", "h1"), Here("", "carol", "h2"), Here("bob", "bob", "h3")]
    assert who_is_here(people) == "bob (2), carol"
    assert who_is_here([]) == ""


def test_a_heartbeat_gives_up_behind_a_held_lock_and_leaves_the_patience_as_it_was(
    tmp_path: Path,
) -> None:
    import sqlite3
    import time

    from sqlalchemy.exc import OperationalError

    from models.db import BUSY_TIMEOUT_MS

    engine = open_database(tmp_path / "w.db")
    incident = Store(engine).create_incident("Search is slow", timezone="UTC")
    assert incident.id is not None
    holder = sqlite3.connect(tmp_path / "w.db", isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        start = time.monotonic()
        with pytest.raises(OperationalError, match="locked"):
            PresenceBook(engine).beat(Me("alice"), incident.id)
        assert time.monotonic() - start < 5  # not the 15 s an entry would wait
    finally:
        holder.rollback()
        holder.close()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS
