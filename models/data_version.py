"""Noticing other processes' commits cheaply: SQLite's ``PRAGMA data_version``."""

from __future__ import annotations

from contextlib import suppress

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from models.db import data_version


class DataVersionWatcher:
    """One dedicated connection whose data_version changes when anyone else commits.

    Our own writes go through other connections (the store opens one per transaction), so
    they count as "someone else" too; screens compare what they reload with what they show.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None
        self._last: int | None = None
        self.supported = engine.dialect.name == "sqlite"

    def changed(self) -> bool:
        """True when a commit happened since the previous call. Raises SQLAlchemyError."""
        if not self.supported:
            return False
        if self._conn is None:
            self._conn = self._engine.connect()
        try:
            version = data_version(self._conn)
        finally:
            # Never keep a read transaction open: it would pin an old WAL snapshot.
            self._conn.rollback()
        previous, self._last = self._last, version
        return previous is not None and version != previous

    def close(self) -> None:
        if self._conn is not None:
            with suppress(SQLAlchemyError):
                self._conn.close()
            self._conn = None
