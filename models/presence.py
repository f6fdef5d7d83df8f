"""Who has which incident open: one row per open workbook, kept alive by a heartbeat.

A workbook showing an incident beats every :data:`HEARTBEAT_SECONDS`; its row goes when it
leaves the incident or exits. A session that dies without a word (an SSH drop, kill -9)
stops beating, and its row counts as gone once it is :data:`GONE_AFTER` old; rows much
older than that are swept away by the next heartbeat of anyone.

Arriving and leaving are announced to every open workbook (kind ``presence``, see
:mod:`models.change_feed`); a heartbeat alone is not, so it redraws nothing. Times here are
the real clock's, also under a frozen workbook clock: they say who is alive now.
"""

from __future__ import annotations

import getpass
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, func, insert, update
from sqlmodel import col, select

from models.change_feed import HEARTBEAT, PRESENCE, announce
from models.sessions import reading, write_connection
from models.tables import Presence

HEARTBEAT_SECONDS = 10.0
GONE_AFTER = timedelta(seconds=60)
SWEEP_AFTER = timedelta(hours=1)
BEAT_PATIENCE_MS = 200


def real_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Me:
    """This workbook session, as the others see it."""

    author: str
    login: str = field(default_factory=getpass.getuser)
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)
    session_key: str = field(default_factory=lambda: uuid.uuid4().hex)


@dataclass(frozen=True)
class Here:
    """Someone with an incident open."""

    author: str
    login: str
    host: str

    @property
    def name(self) -> str:
        return self.author or self.login


def who_is_here(people: list[Here]) -> str:
    """``alice, bob (2)``: each name once, with how many sessions when more than one."""
    counts: dict[str, int] = {}
    for person in people:
        counts[person.name] = counts.get(person.name, 0) + 1
    return ", ".join(name if n == 1 else f"{name} ({n})" for name, n in sorted(counts.items()))


class PresenceBook:
    """Reads and writes the presence table."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] | None = None) -> None:
        self.engine = engine
        self._clock = clock

    def clock(self) -> datetime:
        return self._clock() if self._clock is not None else real_now()

    def beat(self, me: Me, incident_id: int | None) -> None:
        """``me`` has ``incident_id`` open (None: none); arriving and leaving are announced."""
        now = self.clock()
        table = Presence.__table__  # type: ignore[attr-defined]
        mine = col(Presence.session_key) == me.session_key
        # Skipped rather than queued behind a held lock: the next beat is seconds away.
        with write_connection(self.engine, kind=None, patience_ms=BEAT_PATIENCE_MS) as conn:
            was = conn.execute(select(Presence.incident_id).where(mine)).first()
            if incident_id is None:
                if was is not None:
                    conn.execute(delete(table).where(mine))
                    announce(conn, PRESENCE)
                return
            if was is None:
                conn.execute(
                    insert(table).values(
                        session_key=me.session_key,
                        incident_id=incident_id,
                        author=me.author,
                        login=me.login,
                        host=me.host,
                        pid=me.pid,
                        heartbeat_at=now,
                    )
                )
            else:
                values = {"incident_id": incident_id, "heartbeat_at": now}
                conn.execute(update(table).where(mine).values(**values))
            announce(conn, PRESENCE if was is None or was[0] != incident_id else HEARTBEAT)
            conn.execute(delete(table).where(col(Presence.heartbeat_at) < now - SWEEP_AFTER))

    def here(self, incident_id: int, *, exclude: str | None = None) -> list[Here]:
        """Who has the incident open now (``exclude``: a session key, usually our own)."""
        query = select(Presence.author, Presence.login, Presence.host).where(
            col(Presence.incident_id) == incident_id,
            col(Presence.heartbeat_at) >= self.clock() - GONE_AFTER,
        )
        if exclude is not None:
            query = query.where(col(Presence.session_key) != exclude)
        with reading(self.engine) as session:
            rows = session.exec(query.order_by(col(Presence.author), col(Presence.id))).all()
        return [Here(author, login, host) for author, login, host in rows]

    def counts(self) -> dict[int, int]:
        """How many sessions have each incident open now (incidents with none left out)."""
        query = (
            select(Presence.incident_id, func.count())
            .where(col(Presence.heartbeat_at) >= self.clock() - GONE_AFTER)
            .group_by(col(Presence.incident_id))
        )
        with reading(self.engine) as session:
            return {incident_id: int(n) for incident_id, n in session.exec(query).all()}
