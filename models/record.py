"""Plain data for an incident as read from a document, before it becomes rows.

Readers (the workbook's own Markdown, foreign postmortems) produce these; the store turns
them into tables. Times are timezone-aware; nothing here touches a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass
class EntryRecord:
    at: datetime
    text: str
    tags: list[str] = field(default_factory=list)
    author: str = ""


@dataclass
class ActionRecord:
    title: str
    number: int | None = None  # the N of AI-N when the document says it
    owner: str | None = None
    priority: str = "medium"
    type: str = "prevent"
    status: str = "open"
    due: date | None = None
    link: str | None = None
    source_entry_index: int | None = None  # index into IncidentRecord.entries


@dataclass
class AttachmentRecord:
    """An attachment as a document lists it: the text's bytes, or (a file beside the
    document) ``data`` None until the importer reads ``relative_path``."""

    name: str
    media_type: str
    data: bytes | None = None
    relative_path: str | None = None
    sha256: str = ""
    entry_index: int | None = None  # index into IncidentRecord.entries


@dataclass
class IncidentRecord:
    """An incident's fields by their JSON names (see models.tables.Incident), entries, actions."""

    fields: dict[str, Any] = field(default_factory=dict)
    entries: list[EntryRecord] = field(default_factory=list)
    action_items: list[ActionRecord] = field(default_factory=list)
    attachments: list[AttachmentRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
