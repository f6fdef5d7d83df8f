"""Writing a merged review into the record: every change and the new merge base, at once.

A pull lands whole or not at all: the incident's fields, edited entries (each keeping its
earlier version as a revision, like any edit), new and deleted entries, action items and
the publication row that remembers what was merged all go in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from models.publications import Publication
from models.record import ActionRecord, EntryRecord
from models.store import NotFound
from models.tables import ActionItem, EntryRevision, Incident, TimelineEntry


@dataclass(frozen=True)
class ReviewChanges:
    incident: Mapping[str, Any]
    entry_edits: Sequence[tuple[int, Mapping[str, Any]]]
    entry_adds: Sequence[EntryRecord]
    entry_deletes: Sequence[int]
    action_changes: Mapping[int, Mapping[str, Any]]
    action_adds: Sequence[ActionRecord]


def apply_review(
    engine: Engine,
    incident_id: int,
    changes: ReviewChanges,
    publication: Publication,
    *,
    editor: str,
    clock: Callable[[], datetime],
    entry_ids: Callable[[list[int]], list[int | None]],
) -> list[int]:
    """Apply the changes; ``entry_ids`` turns the new entries' ids into the row map.

    Returns the ids of the entries added, in the order given.
    """
    now = clock()
    with Session(engine, expire_on_commit=False) as session:
        session.connection(execution_options={"workbook_write": True})
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound(f"no incident with id {incident_id}")
        for name, value in changes.incident.items():
            setattr(incident, name, value)
        incident.updated_at = now
        for entry_id, values in changes.entry_edits:
            entry = session.get(TimelineEntry, entry_id)
            if entry is None or entry.incident_id != incident_id:
                continue
            session.add(
                EntryRevision(
                    entry_id=entry_id,
                    at=entry.at,
                    author=entry.author,
                    text=entry.text,
                    tags=list(entry.tags),
                    replaced_at=now,
                    replaced_by=editor,
                )
            )
            for name, value in values.items():
                setattr(entry, name, list(value) if name == "tags" else value)
            entry.updated_at = now
            session.add(entry)
        for entry_id in changes.entry_deletes:
            entry = session.get(TimelineEntry, entry_id)
            if entry is not None and entry.incident_id == incident_id:
                entry.deleted_at = now
                session.add(entry)
        added: list[TimelineEntry] = []
        for record in changes.entry_adds:
            row = TimelineEntry(
                incident_id=incident_id,
                at=record.at,
                author=record.author or editor,
                text=record.text,
                tags=list(record.tags),
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            added.append(row)
        items = {
            a.number: a
            for a in session.exec(select(ActionItem).where(ActionItem.incident_id == incident_id))
        }
        for number, values in changes.action_changes.items():
            item = items.get(number)
            if item is None:
                continue
            for name, value in values.items():
                setattr(item, name, value)
            item.updated_at = now
            session.add(item)
        for record in changes.action_adds:
            number = record.number
            if number is None or number in items:
                number = incident.next_action_number
            incident.next_action_number = max(incident.next_action_number, number + 1)
            item = ActionItem(
                incident_id=incident_id,
                number=number,
                title=record.title,
                owner=record.owner,
                priority=record.priority,
                type=record.type,
                status=record.status,
                due=record.due if isinstance(record.due, date) else None,
                link=record.link,
                created_at=now,
                updated_at=now,
            )
            items[number] = item
            session.add(item)
        session.add(incident)
        session.flush()
        new_ids = [row.id for row in added if row.id is not None]
        publication.entry_ids = entry_ids(new_ids)
        existing = session.exec(
            select(Publication).where(
                Publication.incident_id == incident_id,
                Publication.repo == publication.repo,
                Publication.folder == publication.folder,
                Publication.branch == publication.branch,
            )
        ).first()
        values = publication.model_dump(exclude={"id"})
        if existing is None:
            existing = Publication(**values)
        else:
            for name, value in values.items():
                setattr(existing, name, value)
        session.add(existing)
        session.commit()
        return new_ids
