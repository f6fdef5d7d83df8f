"""Noticing other responders' commits, on either backend, without a polling storm.

Every write transaction announces itself as it commits (:func:`announce`, called by
:mod:`models.sessions`, so no write can forget): on PostgreSQL a ``NOTIFY`` on
``workbook_changes``, which the server delivers only if the transaction commits; on SQLite
a bump of a row in ``change_counter``. The payload (or the counter) says what kind of
change it was: ``record`` (entries, edits, tags, deletions, action items, the incident's
fields) or ``presence`` (a session arriving or leaving). A bare heartbeat announces
nothing, so it redraws nothing anywhere.

Readers use one :class:`ChangeFeed` per app (:func:`open_change_feed`):

- SQLite: ``PRAGMA data_version`` on one connection, polled twice a second on the UI
  thread (a few microseconds, no I/O beyond the file's header); when it moves, the two
  counters say which kinds changed.
- PostgreSQL: one connection in autocommit that ``LISTEN``s, in a thread of its own that
  sleeps in ``select`` until the server sends something. It reconnects, with backoff,
  when the server goes away, and reports it through ``on_reachability``; after a
  reconnection everything counts as changed (notifications sent meanwhile are lost).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from models.db import data_version

RECORD = "record"
PRESENCE = "presence"
HEARTBEAT = "heartbeat"  # SQLite only: a commit that is ours and changes nothing shown
KINDS = (RECORD, PRESENCE)
CHANNEL = "workbook_changes"

_NOTIFY = text(f"SELECT pg_notify('{CHANNEL}', :kind)")
_BUMP = text("UPDATE change_counter SET version = version + 1 WHERE name = :kind")
_COUNTERS = text("SELECT name, version FROM change_counter")

RECONNECT_FIRST = 0.5  # seconds before the first try to listen again, doubled up to …
RECONNECT_MOST = 5.0
LISTEN_WAKE = 1.0  # the listener's longest sleep, so that closing it never waits long


def announce(conn: Connection, kind: str | None) -> None:
    """Tell every open workbook, as this transaction commits, that ``kind`` changed."""
    if kind is None:
        return
    if conn.dialect.name == "postgresql":
        if kind != HEARTBEAT:
            conn.execute(_NOTIFY, {"kind": kind})
    elif conn.dialect.name == "sqlite":
        conn.execute(_BUMP, {"kind": kind})


class ChangeFeed(Protocol):
    def poll(self) -> set[str]:
        """The kinds changed since the last call (empty on the first). Raises SQLAlchemyError."""
        ...

    def close(self) -> None: ...


class SQLiteChanges:
    """``PRAGMA data_version`` on one dedicated connection, then the counters."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None
        self._version: int | None = None
        self._counters: dict[str, int] | None = None

    def poll(self) -> set[str]:
        if self._conn is None:
            self._conn = self._engine.connect()
        try:
            version = data_version(self._conn)
            if version == self._version and self._counters is not None:
                return set()
            counters = {str(n): int(v) for n, v in self._conn.execute(_COUNTERS).all()}
        finally:
            # Never keep a read transaction open: it would pin an old WAL snapshot.
            self._conn.rollback()
        previous, self._counters, self._version = self._counters, counters, version
        if previous is None:
            return set()
        moved = {kind for kind, value in counters.items() if previous.get(kind) != value}
        if not moved:  # a commit by another program (or a change to the schema)
            return {RECORD}
        return moved - {HEARTBEAT}

    def close(self) -> None:
        if self._conn is not None:
            with suppress(SQLAlchemyError):
                self._conn.close()
            self._conn = None


def libpq_conninfo(engine: Engine) -> str:
    """The engine's URL as libpq takes it (psycopg's own scheme, password and all)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresChanges:
    """A thread that listens on ``workbook_changes`` and wakes the app when told something.

    ``wake`` and ``on_reachability`` are called from that thread: they must only hand
    over (post a message), never touch the screen.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        wake: Callable[[], None],
        on_reachability: Callable[[bool, str], None],
        connect: Callable[[], Any] | None = None,
    ) -> None:
        self._conninfo = libpq_conninfo(engine)
        self._connect = connect or self._default_connect
        self._wake = wake
        self._on_reachability = on_reachability
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._conn: Any = None
        self.listening = threading.Event()  # set while LISTEN is in force (tests wait on it)
        self._thread = threading.Thread(target=self._run, name="workbook-listen", daemon=True)
        self._thread.start()

    def _default_connect(self) -> Any:
        import psycopg

        # Keepalives: a network that drops without a word is noticed in about 20 s.
        return psycopg.connect(
            self._conninfo,
            autocommit=True,
            connect_timeout=5,
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=5,
            keepalives_count=2,
        )

    def poll(self) -> set[str]:
        with self._lock:
            kinds, self._pending = self._pending, set()
        return kinds

    def _add(self, kinds: set[str]) -> None:
        with self._lock:
            quiet = not self._pending
            self._pending |= kinds
        if quiet:  # one wake for a burst: the app takes them all in one poll
            self._wake()

    def _run(self) -> None:
        import psycopg

        delay = RECONNECT_FIRST
        lost = False
        while not self._stop.is_set():
            try:
                self._conn = self._connect()
                self._conn.execute(f"LISTEN {CHANNEL}")
                self.listening.set()
                if lost:
                    lost = False
                    self._on_reachability(True, "")
                    self._add(set(KINDS))  # what was sent while we were away is lost
                delay = RECONNECT_FIRST
                while not self._stop.is_set():
                    # Each one as it comes: the generator only ends when its timeout does.
                    for notice in self._conn.notifies(timeout=LISTEN_WAKE):
                        if notice.payload in KINDS:
                            self._add({notice.payload})
            except (psycopg.Error, OSError) as exc:
                self.listening.clear()
                if self._stop.is_set():
                    return
                if not lost:
                    lost = True
                    self._on_reachability(False, " ".join(str(exc).split()) or type(exc).__name__)
                self._stop.wait(delay)
                delay = min(delay * 2, RECONNECT_MOST)
            finally:
                self._close_conn()

    def _close_conn(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with suppress(Exception):
                conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=LISTEN_WAKE + 1)


def open_change_feed(
    engine: Engine,
    *,
    wake: Callable[[], None],
    on_reachability: Callable[[bool, str], None],
) -> ChangeFeed | None:
    """The feed for this engine's backend; None for a backend that has none."""
    if engine.dialect.name == "sqlite":
        return SQLiteChanges(engine)
    if engine.dialect.name == "postgresql":
        return PostgresChanges(engine, wake=wake, on_reachability=on_reachability)
    return None
