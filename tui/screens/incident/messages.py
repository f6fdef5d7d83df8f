"""What the incident screen's workers hand over, as messages named for what happened."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from models.store import IncidentSnapshot
from models.tables import EntryRevision, TimelineEntry


@dataclass
class SnapshotLoaded(Message):
    """A fresh copy of the incident was read from the database."""

    snapshot: IncidentSnapshot


@dataclass
class PublicationRead(Message):
    """What to say about the incident's review branch (None: nothing to say)."""

    notice: str | None


@dataclass
class HistoryRead(Message):
    """An entry's earlier versions, read for its edit dialog."""

    entry: TimelineEntry
    revisions: list[EntryRevision]


@dataclass
class PreviewRendered(Message):
    text: str
    warnings: list[str]


@dataclass
class PresenceRead(Message):
    """Who else has the incident open, as the title bar names them, and how many sessions."""

    names: str
    count: int
    number: int  # which read: a late answer to an older one is dropped
