"""Writing a merged review into the record: every change and the new merge base, at once.

A pull lands whole or not at all: the incident's fields, edited entries (each keeping its
earlier version as a revision, like any edit), new and deleted entries, action items and
the publication row that remembers what was merged all go in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import select

from models.publications import Publication, save_publication
from models.record import ActionRecord, EntryRecord
from models.sessions import writing
from models.store import NotFound, Store, revise_entry
from models.tables import ActionItem, Incident, TimelineEntry


@dataclass(frozen=True)
class ReviewChanges:
    incident: Mapping[str, Any]
    entry_edits: Sequence[tuple[int, Mapping[str, Any]]]
    entry_adds: Sequence[EntryRecord]
    entry_deletes: Sequence[int]
    action_changes: Mapping[int, Mapping[str, Any]]
    action_adds: Sequence[ActionRecord]


def apply_review(
    store: Store,
    incident_id: int,
    changes: ReviewChanges,
    publication: Publication,
    *,
    entry_ids: Callable[[list[int]], list[int | None]],
) -> list[int]:
    """Apply the changes as the store's author; ``entry_ids`` turns the new entries' ids
    into the row map.

    Returns the ids of the entries added, in the order given.
    """
    editor = store.author
    now = store.clock()
    with writing(store.engine) as session:
        # Locked (PostgreSQL) so action numbers handed out here and by add_action never clash.
        incident = session.get(Incident, incident_id, with_for_update=True)
        if incident is None:
            raise NotFound(f"no incident with id {incident_id}")
        for name, value in changes.incident.items():
            setattr(incident, name, value)
        incident.updated_at = now
        for entry_id, values in changes.entry_edits:
            entry = session.get(TimelineEntry, entry_id)
            if entry is not None and entry.incident_id == incident_id:
                revise_entry(session, entry, values, editor, now)
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
        save_publication(session, publication)
        return new_ids
