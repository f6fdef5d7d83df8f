"""The two kinds of transaction the record uses: a short read, and a write.

Every write in the program goes through :func:`writing` or :func:`write_connection`, so each
one asks for SQLite's write lock up front (see models.db on ``BEGIN IMMEDIATE``) and commits
as a whole before the caller gets its result, or not at all when the caller raises; and
each one tells every open workbook what changed as it commits (:mod:`models.change_feed`):
``kind`` is ``record`` unless said otherwise, ``presence`` for a session arriving or
leaving, None for a write nobody needs to hear about (a heartbeat).
Objects handed out stay readable after their session is gone (``expire_on_commit=False``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlmodel import Session

from models.change_feed import RECORD, announce


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def writing(engine: Engine, *, kind: str | None = RECORD) -> Iterator[Session]:
    """A session in one write transaction, committed when the block ends without raising."""
    with Session(engine, expire_on_commit=False) as session:
        session.connection(execution_options={"workbook_write": True})
        yield session
        session.flush()
        announce(session.connection(), kind)
        session.commit()


@contextmanager
def write_connection(
    engine: Engine, *, kind: str | None = RECORD, patience_ms: int | None = None
) -> Iterator[Connection]:
    """A bare connection in one write transaction, for inserts that skip the ORM.

    ``patience_ms``: how long to wait for SQLite's write lock before giving up (a write
    that can be skipped, such as a heartbeat); the usual busy timeout when None.
    """
    options: dict[str, object] = {"workbook_write": True}
    if patience_ms is not None:
        options["workbook_patience_ms"] = patience_ms
    with engine.connect().execution_options(**options) as conn, conn.begin():
        yield conn
        announce(conn, kind)
