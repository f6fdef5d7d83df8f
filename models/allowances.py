"""Findings of the secret scan that a responder allowed: kept per incident, for one text.

A finding is allowed for the exact text it was found in: the row keeps the finding's id
(which already stands for its place, kind and matched value) and a digest of the whole
text around it. Edit that text (an entry, a section) and the digest no longer matches, so
the scan asks again: what a person judged harmless was that text, not whatever comes next.
The secret itself is not stored here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Engine, UniqueConstraint
from sqlmodel import Field, SQLModel, select

from models.sessions import reading, writing
from models.timeparse import utc_now
from models.types import UTCDateTime


class AllowedFinding(SQLModel, table=True):
    __tablename__ = "allowed_finding"
    __table_args__ = (UniqueConstraint("incident_id", "finding_id", name="uq_allowed_finding"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True, ondelete="CASCADE")
    finding_id: str  # the short id the scan printed
    text_sha256: str  # of the whole text the finding was in, when it was allowed
    kind: str = ""  # what the scan took it for, for a person reading the table
    allowed_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(UTCDateTime(), nullable=False)
    )


@dataclass(frozen=True)
class Allowance:
    """One finding to allow: its id, the digest of its text, and its kind."""

    finding_id: str
    text_sha256: str
    kind: str = ""


class Allowances:
    """Reads and writes of the allowed findings; each write is one committed transaction."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.engine = engine
        self.clock = clock

    def for_incident(self, incident_id: int) -> dict[str, str]:
        """Finding id → the digest of the text it is allowed in."""
        with reading(self.engine) as session:
            rows = session.exec(
                select(AllowedFinding).where(AllowedFinding.incident_id == incident_id)
            ).all()
            return {row.finding_id: row.text_sha256 for row in rows}

    def allow(self, incident_id: int, allowances: Iterable[Allowance]) -> None:
        """Allow each finding for its text now; an older mark for the same id is replaced."""
        now = self.clock()
        with writing(self.engine) as session:
            for allowance in allowances:
                row = session.exec(
                    select(AllowedFinding).where(
                        AllowedFinding.incident_id == incident_id,
                        AllowedFinding.finding_id == allowance.finding_id,
                    )
                ).first()
                if row is None:
                    row = AllowedFinding(incident_id=incident_id, finding_id=allowance.finding_id)
                row.text_sha256 = allowance.text_sha256
                row.kind = allowance.kind
                row.allowed_at = now
                session.add(row)
