"""The tables of the record: incidents, timeline entries (with revisions) and action items."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.timeparse import utc_now
from models.types import StringList, UTCDateTime
from models.vocabulary import DEFAULT_SEVERITY, DEFAULT_STATUS

NARRATIVE_FIELDS: tuple[str, ...] = (
    "summary",
    "impact_narrative",
    "root_cause",
    "trigger",
    "resolution",
    "detection",
    "went_well",
    "went_wrong",
    "got_lucky",
    "supporting_info",
)

IMPACT_FIELDS: tuple[str, ...] = (
    "users_affected_pct",
    "users_affected",
    "transactions_lost",
    "revenue_lost",
    "currency",
    "data_loss",
    "data_loss_note",
    "slo_target_pct",
    "slo_window_days",
)


def _utc_column(*, nullable: bool) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable)


class Incident(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(index=True, unique=True, max_length=120)
    title: str
    severity: str = DEFAULT_SEVERITY
    status: str = DEFAULT_STATUS
    timezone: str = "UTC"
    services: list[str] = Field(
        default_factory=list, sa_column=Column(StringList(), nullable=False)
    )
    commander: str | None = None

    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    impact_narrative: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    root_cause: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    trigger: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    resolution: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    detection: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    went_well: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    went_wrong: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    got_lucky: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    supporting_info: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))

    started_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    resolved_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))

    users_affected_pct: float | None = None
    users_affected: int | None = None
    transactions_lost: int | None = None
    revenue_lost: float | None = None
    currency: str | None = None
    data_loss: bool | None = None
    data_loss_note: str | None = None
    slo_target_pct: float | None = None
    slo_window_days: int = 30

    # Action item refs are never reused, even after a deletion: the next number lives here.
    next_action_number: int = 1

    created_at: datetime = Field(default_factory=utc_now, sa_column=_utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utc_now, sa_column=_utc_column(nullable=False))


class TimelineEntry(SQLModel, table=True):
    __tablename__ = "timeline_entry"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True, ondelete="CASCADE")
    at: datetime = Field(sa_column=_utc_column(nullable=False))
    author: str = ""
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    tags: list[str] = Field(default_factory=list, sa_column=Column(StringList(), nullable=False))
    deleted_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    created_at: datetime = Field(default_factory=utc_now, sa_column=_utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utc_now, sa_column=_utc_column(nullable=False))


class EntryRevision(SQLModel, table=True):
    """An earlier version of a timeline entry, kept whenever the entry is edited."""

    __tablename__ = "entry_revision"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="timeline_entry.id", index=True, ondelete="CASCADE")
    at: datetime = Field(sa_column=_utc_column(nullable=False))
    author: str = ""
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    tags: list[str] = Field(default_factory=list, sa_column=Column(StringList(), nullable=False))
    # When this version stopped being the current one, and who replaced it.
    replaced_at: datetime = Field(default_factory=utc_now, sa_column=_utc_column(nullable=False))
    replaced_by: str = ""


class ActionItem(SQLModel, table=True):
    __tablename__ = "action_item"
    __table_args__ = (UniqueConstraint("incident_id", "number", name="uq_action_item_number"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True, ondelete="CASCADE")
    number: int
    title: str
    owner: str | None = None
    priority: str = "medium"
    type: str = "prevent"
    status: str = "open"
    due: date | None = None
    link: str | None = None
    source_entry_id: int | None = Field(
        default=None, foreign_key="timeline_entry.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utc_now, sa_column=_utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utc_now, sa_column=_utc_column(nullable=False))

    @property
    def ref(self) -> str:
        return f"AI-{self.number}"


class Presence(SQLModel, table=True):
    """One open workbook session on one incident, kept alive by its heartbeat (models.presence)."""

    __tablename__ = "presence"
    __table_args__ = (UniqueConstraint("session_key", name="uq_presence_session"),)

    id: int | None = Field(default=None, primary_key=True)
    session_key: str
    incident_id: int = Field(foreign_key="incident.id", index=True, ondelete="CASCADE")
    author: str
    login: str
    host: str
    pid: int
    heartbeat_at: datetime = Field(sa_column=_utc_column(nullable=False))


class ChangeCounter(SQLModel, table=True):
    """SQLite's stand-in for NOTIFY: one row per kind of change (models.change_feed)."""

    __tablename__ = "change_counter"

    name: str = Field(primary_key=True)
    version: int
