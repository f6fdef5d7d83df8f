"""A whole incident read from a document, stored in one transaction (``workbook import``).

Everything is checked before the write lock is taken; entries and action items go in with
one statement per table (see :mod:`models.bulk`), so a thousand documents import quickly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from models.bulk import insert_many
from models.record import IncidentRecord
from models.sessions import writing
from models.slugs import make_slug
from models.store import ACTION_TABLE, ENTRY_TABLE, StoreError, unique_slug
from models.tables import Incident, TimelineEntry
from models.vocabulary import (
    normalize_action_status,
    normalize_action_type,
    normalize_priority,
    normalize_tags,
)

if TYPE_CHECKING:
    from models.store import Store


def store_record(
    store: Store,
    record: IncidentRecord,
    *,
    evidence: Mapping[str, Mapping[str, Any]] | None = None,
) -> Incident:
    """Store ``record`` as a new incident; refused whole (StoreError) or stored whole.

    ``evidence``: where the importer found the start, end and duration (see
    :mod:`models.import_evidence`), kept in the same transaction.
    """
    from models.fields import validate_incident_fields

    fields = validate_incident_fields(record.fields)
    title = str(fields.pop("title", "") or "").strip()
    if not title:
        raise StoreError("the document has no title")
    wanted_slug = fields.pop("slug", None)
    now = store.clock()
    # Everything is checked before the write lock is taken.
    entry_rows: list[dict[str, Any]] = [
        {
            "at": e.at,
            "author": e.author,
            "text": e.text,
            "tags": normalize_tags(e.tags),
            "created_at": now,
            "updated_at": now,
        }
        for e in record.entries
    ]
    actions = [
        {
            "title": a.title,
            "owner": a.owner,
            "priority": normalize_priority(a.priority),
            "type": normalize_action_type(a.type),
            "status": normalize_action_status(a.status),
            "due": a.due,
            "link": a.link,
        }
        for a in record.action_items
    ]
    with writing(store.engine) as session:
        if not wanted_slug:
            from models.timeparse import resolve_zone

            first = min((e.at for e in record.entries), default=None)
            start = fields.get("started_at") or first or now
            zone = resolve_zone(fields.get("timezone") or "UTC")
            wanted_slug = make_slug(title, start.astimezone(zone).date())
        incident = Incident(
            slug=unique_slug(session, wanted_slug),
            title=title,
            created_at=now,
            updated_at=now,
            **fields,
        )
        incident.next_action_number = 1 + max(
            (a.number or 0 for a in record.action_items), default=0
        )
        session.add(incident)
        session.flush()
        assert incident.id is not None
        incident_id = incident.id
        for row in entry_rows:
            row["incident_id"] = incident_id
        entry_ids: list[int] = []
        if entry_rows:
            insert_many(session.connection(), ENTRY_TABLE, entry_rows)
        if any(a.source_entry_index is not None for a in record.action_items) or any(
            a.entry_index is not None for a in record.attachments
        ):
            # Rows inserted in one transaction get ascending ids in the order given.
            entry_ids = list(
                session.exec(
                    select(TimelineEntry.id)
                    .where(TimelineEntry.incident_id == incident.id)
                    .order_by(col(TimelineEntry.id))
                ).all()
            )
        next_free = incident.next_action_number
        action_rows: list[dict[str, Any]] = []
        for a, values in zip(record.action_items, actions, strict=True):
            if a.number is None:
                number, next_free = next_free, next_free + 1
            else:
                number = a.number
            index = a.source_entry_index
            source = entry_ids[index] if index is not None and 0 <= index < len(entry_ids) else None
            action_rows.append(
                {
                    "incident_id": incident_id,
                    "number": number,
                    "source_entry_id": source,
                    "created_at": now,
                    "updated_at": now,
                    **values,
                }
            )
        try:
            insert_many(session.connection(), ACTION_TABLE, action_rows)
        except IntegrityError as exc:
            raise StoreError("the document lists the same action item number twice") from exc
        incident.next_action_number = next_free
        session.add(incident)
        if record.attachments:
            from models.attachments import insert_attachment

            for attachment in record.attachments:
                index = attachment.entry_index
                data = attachment.data or b""
                insert_attachment(
                    session,
                    incident_id=incident_id,
                    entry_id=entry_ids[index] if index is not None else None,
                    name=attachment.name,
                    data=data,
                    media_type=attachment.media_type or None,
                    limit=max(len(data), 1),  # the limit is for attaching, not for imports
                    created_at=now,
                )
        if evidence:
            from models.import_evidence import add_evidence

            add_evidence(session, incident_id, evidence)
        return incident
