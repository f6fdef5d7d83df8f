"""The change feed: every write is heard by other workbooks, and heard for what it was."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from models.change_feed import PRESENCE, RECORD, PostgresChanges, SQLiteChanges
from models.db import open_database
from models.presence import Me, PresenceBook
from models.store import Store
from tests.pg_outage import Relay


def _store(engine: Engine) -> Store:
    return Store(engine, author="tester")


def test_sqlite_tells_the_record_from_presence_and_a_heartbeat_from_both(tmp_path: Path) -> None:
    engine = open_database(tmp_path / "w.db")
    store = _store(engine)
    incident = store.create_incident("Search is slow", timezone="UTC")
    assert incident.id is not None
    feed = SQLiteChanges(engine)
    book, me = PresenceBook(engine), Me("alice")
    assert feed.poll() == set()  # the first look only remembers where things stand
    assert feed.poll() == set()
    entry = store.log_entry(incident.id, "restarted search")
    assert feed.poll() == {RECORD}
    assert entry.id is not None
    store.toggle_tag(incident.id, entry.id, "mitigated")
    store.add_action(incident.id, "Alert on slow search")
    assert feed.poll() == {RECORD}
    book.beat(me, incident.id)
    assert feed.poll() == {PRESENCE}
    book.beat(me, incident.id)  # a heartbeat: still there, nothing to redraw
    assert feed.poll() == set()
    book.beat(me, None)
    assert feed.poll() == {PRESENCE}
    # Another program's commit (an older release, sqlite3 by hand) bumps no counter: it
    # may have changed anything, so it counts as a change to the record.
    with sqlite3.connect(tmp_path / "w.db") as raw:
        raw.execute("UPDATE incident SET title = 'Search is very slow'")
    assert feed.poll() == {RECORD}
    feed.close()


class _Heard:
    def __init__(self) -> None:
        self.wakes = threading.Event()
        self.states: list[bool] = []
        self.state_changed = threading.Event()

    def wake(self) -> None:
        self.wakes.set()

    def reachability(self, reachable: bool, why: str) -> None:
        self.states.append(reachable)
        self.state_changed.set()


@pytest.fixture
def relay(postgres_url: str) -> Iterator[Relay]:
    relay = Relay(postgres_url)
    yield relay
    relay.down()


def _wait_for(feed: PostgresChanges, heard: _Heard, kinds: set[str], within: float) -> float:
    start = time.monotonic()
    seen: set[str] = set()
    while not kinds <= seen:
        left = within - (time.monotonic() - start)
        assert left > 0, f"heard only {seen} of {kinds}"
        heard.wakes.wait(left)
        heard.wakes.clear()
        seen |= feed.poll()
    return time.monotonic() - start


def test_postgres_hears_other_writers_within_a_second(postgres_url: str) -> None:
    engine = open_database(postgres_url)
    store = _store(engine)
    incident = store.create_incident("Search is slow", timezone="UTC")
    assert incident.id is not None
    heard = _Heard()
    feed = PostgresChanges(engine, wake=heard.wake, on_reachability=heard.reachability)
    try:
        assert feed.listening.wait(5)
        assert feed.poll() == set()
        other = _store(open_database(postgres_url))
        other.log_entry(incident.id, "bob restarted search")
        assert _wait_for(feed, heard, {RECORD}, within=1.0) < 1.0
        PresenceBook(other.engine).beat(Me("bob"), incident.id)
        assert _wait_for(feed, heard, {PRESENCE}, within=1.0) < 1.0
        PresenceBook(other.engine).beat(Me("bob"), incident.id)  # a new session: arrives
        _wait_for(feed, heard, {PRESENCE}, within=1.0)
        # A failed transaction announces nothing: NOTIFY goes out only with a commit.
        with pytest.raises(ValueError):
            other.log_entry(incident.id, "")
        assert not heard.wakes.wait(0.5)
        assert feed.poll() == set()
        assert heard.states == []
    finally:
        feed.close()


def test_postgres_listener_comes_back_with_the_server(relay: Relay, postgres_url: str) -> None:
    engine = open_database(relay.url)
    store = _store(open_database(postgres_url))
    incident = store.create_incident("Search is slow", timezone="UTC")
    assert incident.id is not None
    heard = _Heard()
    feed = PostgresChanges(engine, wake=heard.wake, on_reachability=heard.reachability)
    try:
        assert feed.listening.wait(5)
        relay.down()
        assert heard.state_changed.wait(5)
        assert heard.states == [False]
        heard.state_changed.clear()
        store.log_entry(incident.id, "written while this one could not hear")
        relay.up()
        assert heard.state_changed.wait(10)
        assert heard.states == [False, True]
        # What was sent while away is lost; coming back counts as everything changed.
        _wait_for(feed, heard, {RECORD, PRESENCE}, within=1.0)
        store.log_entry(incident.id, "and it hears again")
        _wait_for(feed, heard, {RECORD}, within=1.0)
    finally:
        feed.close()


def test_terminated_backends_are_replaced(postgres_url: str) -> None:
    import psycopg

    from tests.postgres import server_url

    engine = open_database(postgres_url)
    heard = _Heard()
    feed = PostgresChanges(engine, wake=heard.wake, on_reachability=heard.reachability)
    try:
        assert feed.listening.wait(5)
        name = engine.url.database
        admin_url = server_url().replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
        assert heard.state_changed.wait(5)
        heard.state_changed.clear()
        assert heard.state_changed.wait(10)
        assert heard.states == [False, True]
        store = _store(engine)
        try:  # a pooled connection that was cut is found dead on its first use …
            store.create_incident("after the restart", timezone="UTC")
        except OperationalError as exc:
            assert exc.connection_invalidated  # … and the pool replaces it: worth a retry
            store.create_incident("after the restart", timezone="UTC")
        _wait_for(feed, heard, {RECORD}, within=1.0)
    finally:
        feed.close()
