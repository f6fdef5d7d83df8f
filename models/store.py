"""The service layer: every read and write of the record goes through a Store, or through
one of the write modules beside it (models.publications, models.review_apply,
models.record_import) that share its transactions (models.sessions) and its entry
revisions (:func:`revise_entry`).

Each write is one short transaction, committed before the method returns (with SQLite in
``synchronous=FULL`` mode, that means on disk). Objects handed back are detached copies that
stay readable after their session is gone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, bindparam, func, insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.attachments import AttachmentInfo, attachments_in
from models.bulk import collector_paused, unsaved_copy
from models.import_evidence import ImportedFigure, mark_corrected, read_evidence
from models.listing import IncidentRow, list_rows, rows_from_snapshots
from models.record import IncidentRecord
from models.sessions import reading, write_connection, writing
from models.slugs import make_slug
from models.tables import ActionItem, EntryRevision, Incident, TimelineEntry
from models.timeparse import utc_now
from models.vocabulary import (
    DEFAULT_SEVERITY,
    OPEN_ACTION_STATUSES,
    normalize_action_status,
    normalize_action_type,
    normalize_priority,
    normalize_severity,
    normalize_tags,
)

SLUG_ATTEMPTS = 5
ENTRY_TABLE: Table = TimelineEntry.__table__  # type: ignore[attr-defined]
ACTION_TABLE: Table = ActionItem.__table__  # type: ignore[attr-defined]
_INSERT_ENTRY = insert(ENTRY_TABLE)
_FIND_SENT_ENTRY = sa_select(ENTRY_TABLE.c.id, ENTRY_TABLE.c.deleted_at).where(
    ENTRY_TABLE.c.incident_id == bindparam("incident_id"),
    ENTRY_TABLE.c.at == bindparam("at"),
    ENTRY_TABLE.c.created_at == bindparam("created_at"),
    ENTRY_TABLE.c.text == bindparam("text"),
    ENTRY_TABLE.c.author == bindparam("author"),
)


@dataclass(frozen=True)
class NewEntry:
    """An entry to log in a batch (:meth:`Store.log_entries`).

    ``sent_at``, when given, is the moment it was first sent (kept as its ``created_at``):
    an entry already stored with it is not logged twice, as in :meth:`Store.log_entry_once`.
    """

    at: datetime
    text: str
    tags: Sequence[str] = ()
    sent_at: datetime | None = None


class StoreError(ValueError):
    """A request the record cannot carry out; the message says why."""


class NotFound(StoreError):
    pass


class EditConflict(StoreError):
    """Someone else changed the same part of an entry since this editor read it."""


@dataclass(frozen=True)
class IncidentSnapshot:
    """One incident with its live entries (sorted by time) and action items."""

    incident: Incident
    entries: list[TimelineEntry]
    action_items: list[ActionItem]
    # For an imported incident: where its start, end and duration came from (by figure).
    imported: dict[str, ImportedFigure] = field(default_factory=dict)
    # What is attached to the incident and its entries; the bytes only when asked for
    # (Store.with_attachment_data), by attachment id.
    attachments: list[AttachmentInfo] = field(default_factory=list)
    attachment_data: dict[int, bytes] = field(default_factory=dict)

    def attached(self) -> list[tuple[AttachmentInfo, bytes | None]]:
        """Each attachment with its bytes when they were read."""
        return [(a, self.attachment_data.get(a.id)) for a in self.attachments]


class Store:
    def __init__(
        self,
        engine: Engine,
        *,
        author: str = "responder",
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.engine = engine
        self.author = author
        self.clock = clock

    # -- sessions -------------------------------------------------------------------------

    def _reading(self) -> AbstractContextManager[Session]:
        return reading(self.engine)

    def _writing(self) -> AbstractContextManager[Session]:
        return writing(self.engine)

    def _write_connection(self) -> AbstractContextManager[Connection]:
        return write_connection(self.engine)

    def release(self) -> None:
        """Close the idle pooled connections (the store opens new ones if used again)."""
        self.engine.dispose()

    # -- incidents ------------------------------------------------------------------------

    def list_incidents(self) -> list[Incident]:
        with self._reading() as session:
            rows = session.exec(select(Incident).order_by(col(Incident.id).desc())).all()
            return list(rows)

    def get_incident(self, incident_id: int) -> Incident:
        with self._reading() as session:
            incident = session.get(Incident, incident_id)
            if incident is None:
                raise NotFound(f"no incident with id {incident_id}")
            return incident

    def resolve_ref(self, ref: str) -> Incident:
        """An incident by slug, numeric id or unique slug prefix."""
        ref = ref.strip()
        with self._reading() as session:
            if ref.isdigit():
                found = session.get(Incident, int(ref))
                if found is not None:
                    return found
            exact = session.exec(select(Incident).where(Incident.slug == ref)).first()
            if exact is not None:
                return exact
            if ref:
                pattern = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                matches = session.exec(
                    select(Incident)
                    .where(col(Incident.slug).like(pattern + "%", escape="\\"))
                    .order_by(col(Incident.slug))
                    .limit(6)
                ).all()
                if len(matches) == 1:
                    return matches[0]
                if matches:
                    names = ", ".join(m.slug for m in matches[:5])
                    raise NotFound(f"{ref!r} matches several incidents ({names}): type more of it")
        raise NotFound(f"no incident matches {ref!r}: run `workbook list` to see them")

    def create_incident(
        self,
        title: str,
        *,
        timezone: str,
        severity: str = DEFAULT_SEVERITY,
        services: Sequence[str] = (),
        started_at: datetime | None = None,
        commander: str | None = None,
    ) -> Incident:
        from models.timeparse import resolve_zone

        title = title.strip()
        if not title:
            raise StoreError("the title is empty: give the incident a short name")
        zone = resolve_zone(timezone)
        timezone = zone.key
        severity = normalize_severity(severity)
        local_day = (started_at or self.clock()).astimezone(zone).date()
        base = make_slug(title, local_day)

        def insert() -> Incident:
            with self._writing() as session:
                incident = Incident(
                    slug=unique_slug(session, base),
                    title=title,
                    severity=severity,
                    timezone=timezone,
                    services=_clean_services(services),
                    started_at=started_at,
                    commander=commander,
                    created_at=self.clock(),
                    updated_at=self.clock(),
                )
                session.add(incident)
                session.flush()
                return incident

        # Two responders opening "Checkout down" at one moment on PostgreSQL can both see a
        # slug free; the unique index refuses the second, which then looks again.
        for _ in range(SLUG_ATTEMPTS - 1):
            try:
                return insert()
            except IntegrityError:
                continue
        return insert()

    def update_incident(self, incident_id: int, changes: Mapping[str, Any]) -> Incident:
        """Apply already-validated field changes (see models.fields)."""
        with self._writing() as session:
            incident = session.get(Incident, incident_id)
            if incident is None:
                raise NotFound(f"no incident with id {incident_id}")
            for name, value in changes.items():
                setattr(incident, name, value)
            incident.updated_at = self.clock()
            session.add(incident)
            # A start or end the responder saved is theirs, no longer the importer's.
            mark_corrected(session, incident_id, changes, now=incident.updated_at)
            return incident

    def touch(self, session: Session, incident_id: int) -> None:
        """Mark the incident changed; raises NotFound when it does not exist."""
        result = session.execute(
            update(Incident).where(col(Incident.id) == incident_id).values(updated_at=self.clock())
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound(f"no incident with id {incident_id}")

    # -- timeline -------------------------------------------------------------------------

    def entries(self, incident_id: int, *, include_deleted: bool = False) -> list[TimelineEntry]:
        with collector_paused(), self._reading() as session:
            query = select(TimelineEntry).where(TimelineEntry.incident_id == incident_id)
            if not include_deleted:
                query = query.where(col(TimelineEntry.deleted_at).is_(None))
            rows = session.exec(query.order_by(col(TimelineEntry.at), col(TimelineEntry.id)))
            return list(rows.all())

    def get_entry(self, incident_id: int, entry_id: int) -> TimelineEntry:
        with self._reading() as session:
            return self._entry(session, incident_id, entry_id)

    def _entry(
        self, session: Session, incident_id: int, entry_id: int, *, lock: bool = False
    ) -> TimelineEntry:
        # ``lock``: on PostgreSQL, hold the row until commit so concurrent edits of one
        # entry take turns (SQLite's BEGIN IMMEDIATE already serializes every writer).
        entry = session.get(TimelineEntry, entry_id, with_for_update=lock)
        if entry is None or entry.incident_id != incident_id:
            raise NotFound(f"no entry {entry_id} in this incident: `workbook show` lists them")
        return entry

    def log_entry(
        self,
        incident_id: int,
        text: str,
        *,
        at: datetime | None = None,
        tags: Iterable[str] = (),
        author: str | None = None,
    ) -> TimelineEntry:
        now = self.clock()
        author = author if author is not None else self.author
        values = _entry_row(incident_id, text, at=at or now, tags=tags, author=author, now=now)
        # The hot path of a live incident: one prepared statement and a commit, no ORM
        # session. The foreign key says whether the incident exists.
        try:
            with self._write_connection() as conn:
                entry_id = conn.execute(_INSERT_ENTRY, values).inserted_primary_key[0]
        except IntegrityError as exc:
            raise NotFound(f"no incident with id {incident_id}") from exc
        return unsaved_copy(TimelineEntry, {"id": entry_id, "deleted_at": None, **values})

    def log_entry_once(
        self,
        incident_id: int,
        text: str,
        *,
        at: datetime,
        tags: Iterable[str],
        author: str,
        sent_at: datetime,
        also: Callable[[Connection, int], object] | None = None,
    ) -> TimelineEntry:
        """Log an entry first sent at ``sent_at``, unless that very entry is there already.

        A screen that sends an entry and loses its session before it sees the write land
        sends it again next time. The moment of the first sending, kept as the entry's
        ``created_at``, tells that second try apart from a new entry that merely reads the
        same; the check and the insert are one transaction, so two tries cannot both land.
        ``also(conn, entry_id)`` writes what belongs with a new entry (a command's output)
        in that same transaction; it is not called for an entry found already there.
        """
        values = _entry_row(incident_id, text, at=at, tags=tags, author=author, now=sent_at)
        # Core statements on one connection, like log_entry: this runs for every line typed
        # in the workbook, in a thread that shares the interpreter with the screen.
        try:
            with self._write_connection() as conn:
                found = conn.execute(_FIND_SENT_ENTRY, values).first()
                if found is not None:
                    entry_id, deleted_at = found
                    return unsaved_copy(
                        TimelineEntry, {"id": entry_id, "deleted_at": deleted_at, **values}
                    )
                entry_id = conn.execute(_INSERT_ENTRY, values).inserted_primary_key[0]
                if also is not None:
                    also(conn, entry_id)
        except IntegrityError as exc:
            raise NotFound(f"no incident with id {incident_id}") from exc
        return unsaved_copy(TimelineEntry, {"id": entry_id, "deleted_at": None, **values})

    def log_entries(
        self, incident_id: int, entries: Sequence[NewEntry], *, author: str | None = None
    ) -> list[TimelineEntry]:
        """Log several entries in one transaction: all of them land, or none.

        Every entry is checked before anything is written. An entry with a ``sent_at``
        that is stored already (an earlier try that landed unseen) is handed back, not
        logged again.
        """
        now = self.clock()
        author = author if author is not None else self.author
        rows = [
            _entry_row(
                incident_id,
                entry.text,
                at=entry.at,
                tags=entry.tags,
                author=author,
                now=entry.sent_at or now,
            )
            for entry in entries
        ]
        logged: list[TimelineEntry] = []
        try:
            with collector_paused(), self._write_connection() as conn:
                stored = _sent_entries(conn, incident_id, [e.sent_at for e in entries])
                for entry, values in zip(entries, rows, strict=True):
                    key = (values["at"], values["created_at"], values["text"], values["author"])
                    found = stored.get(key) if entry.sent_at is not None else None
                    if found is not None:
                        entry_id, deleted_at = found
                    else:
                        entry_id = conn.execute(_INSERT_ENTRY, values).inserted_primary_key[0]
                        deleted_at = None
                    logged.append(
                        unsaved_copy(
                            TimelineEntry, {"id": entry_id, "deleted_at": deleted_at, **values}
                        )
                    )
        except IntegrityError as exc:
            raise NotFound(f"no incident with id {incident_id}") from exc
        return logged

    def edit_entry(
        self,
        incident_id: int,
        entry_id: int,
        *,
        text: str | None = None,
        at: datetime | None = None,
        tags: Iterable[str] | None = None,
        editor: str | None = None,
        base: TimelineEntry | None = None,
    ) -> TimelineEntry:
        """Change an entry, keeping the version it replaces as a revision.

        ``base`` is the entry as the editor saw it when they started. Only what they changed
        from it is written, so someone else's change to another field (or to other tags)
        stays; a field both changed, differently, raises :class:`EditConflict` and writes
        nothing. Without ``base`` the given values simply win.
        """
        new_tags = normalize_tags(list(tags)) if tags is not None else None
        asked: dict[str, Any] = {"text": text, "at": at, "tags": new_tags}
        with self._writing() as session:
            entry = self._entry(session, incident_id, entry_id, lock=True)
            if base is not None:
                asked = self._merge_with(session, entry, base, asked)
            changes = {
                name: value
                for name, value in asked.items()
                if value is not None and value != getattr(entry, name)
            }
            if not changes:
                return entry
            if not changes.get("text", entry.text).strip() and not changes.get("tags", entry.tags):
                # What log_entry refuses, an edit must not make.
                raise StoreError(
                    "the entry would be empty: keep some text or a tag (or delete the entry)"
                )
            editor = editor if editor is not None else self.author
            revise_entry(session, entry, changes, editor, self.clock())
            self.touch(session, incident_id)
            return entry

    def _merge_with(
        self,
        session: Session,
        entry: TimelineEntry,
        base: TimelineEntry,
        asked: dict[str, Any],
    ) -> dict[str, Any]:
        """What an edit started from ``base`` writes over the entry as it is now."""
        mine = {
            name: value
            for name, value in asked.items()
            if value is not None and value != getattr(base, name)
        }
        clashes = [
            name
            for name, value in mine.items()
            if name != "tags" and getattr(entry, name) not in (getattr(base, name), value)
        ]
        if clashes:
            latest = session.exec(
                select(EntryRevision)
                .where(EntryRevision.entry_id == entry.id)
                .order_by(col(EntryRevision.id).desc())
                .limit(1)
            ).first()
            who = f" by {latest.replaced_by}" if latest is not None and latest.replaced_by else ""
            fields = " and ".join("time" if name == "at" else name for name in clashes)
            raise EditConflict(
                f"entry {entry.id} was changed{who} while you were editing it (its {fields}): "
                "your version was not saved"
            )
        if "tags" in mine:
            # Tags merge as sets: my additions and removals, over whatever others did.
            added = [t for t in mine["tags"] if t not in base.tags]
            removed = {t for t in base.tags if t not in mine["tags"]}
            kept = [t for t in entry.tags if t not in removed]
            mine["tags"] = kept + [t for t in added if t not in kept]
        return mine

    def tag_entry(
        self, incident_id: int, entry_id: int, tags: Iterable[str], *, remove: bool = False
    ) -> TimelineEntry:
        wanted = normalize_tags(list(tags))
        seen = self.get_entry(incident_id, entry_id)
        current = seen.tags
        if remove:
            result = [t for t in current if t not in wanted]
        else:
            result = list(dict.fromkeys([*current, *wanted]))
        # Against what was read: a tag someone else set meanwhile is kept.
        return self.edit_entry(incident_id, entry_id, tags=result, base=seen)

    def toggle_tag(self, incident_id: int, entry_id: int, tag: str) -> TimelineEntry:
        (wanted,) = normalize_tags([tag])
        present = wanted in self.get_entry(incident_id, entry_id).tags
        return self.tag_entry(incident_id, entry_id, [wanted], remove=present)

    def history(self, incident_id: int, entry_id: int) -> list[EntryRevision]:
        """Earlier versions of an entry, oldest first."""
        with self._reading() as session:
            self._entry(session, incident_id, entry_id)
            rows = session.exec(
                select(EntryRevision)
                .where(EntryRevision.entry_id == entry_id)
                .order_by(col(EntryRevision.id))
            )
            return list(rows.all())

    def delete_entry(self, incident_id: int, entry_id: int) -> TimelineEntry:
        return self._set_deleted(incident_id, entry_id, deleted=True)

    def restore_entry(self, incident_id: int, entry_id: int) -> TimelineEntry:
        return self._set_deleted(incident_id, entry_id, deleted=False)

    def _set_deleted(self, incident_id: int, entry_id: int, *, deleted: bool) -> TimelineEntry:
        with self._writing() as session:
            entry = self._entry(session, incident_id, entry_id)
            if deleted and entry.deleted_at is not None:
                raise StoreError(f"entry {entry_id} is already deleted")
            if not deleted and entry.deleted_at is None:
                raise StoreError(f"entry {entry_id} is not deleted")
            entry.deleted_at = self.clock() if deleted else None
            session.add(entry)
            self.touch(session, incident_id)
            return entry

    # -- action items ---------------------------------------------------------------------

    def action_items(self, incident_id: int) -> list[ActionItem]:
        with self._reading() as session:
            rows = session.exec(
                select(ActionItem)
                .where(ActionItem.incident_id == incident_id)
                .order_by(col(ActionItem.number))
            )
            return list(rows.all())

    def add_action(
        self,
        incident_id: int,
        title: str,
        *,
        owner: str | None = None,
        priority: str = "medium",
        type: str = "prevent",
        status: str = "open",
        due: date | None = None,
        link: str | None = None,
        source_entry_id: int | None = None,
    ) -> ActionItem:
        title = title.strip()
        if not title:
            raise StoreError("the action item's title is empty: say what must be done")
        values = {
            "priority": normalize_priority(priority),
            "type": normalize_action_type(type),
            "status": normalize_action_status(status),
        }
        with self._writing() as session:
            # The incident row holds the next number. Locking it (PostgreSQL; SQLite's
            # BEGIN IMMEDIATE already serializes writers) makes concurrent adds take turns,
            # so refs stay unique and gap-free.
            incident = session.get(Incident, incident_id, with_for_update=True)
            if incident is None:
                raise NotFound(f"no incident with id {incident_id}")
            if source_entry_id is not None:
                self._entry(session, incident_id, source_entry_id)
            number = incident.next_action_number
            incident.next_action_number = number + 1
            incident.updated_at = self.clock()
            item = ActionItem(
                incident_id=incident_id,
                number=number,
                title=title,
                owner=owner or None,
                due=due,
                link=link or None,
                source_entry_id=source_entry_id,
                created_at=self.clock(),
                updated_at=self.clock(),
                **values,
            )
            session.add_all([incident, item])
            session.flush()
            return item

    def get_action(self, incident_id: int, ref: str) -> ActionItem:
        number = parse_action_ref(ref)
        with self._reading() as session:
            return self._action(session, incident_id, number)

    def _action(self, session: Session, incident_id: int, number: int) -> ActionItem:
        item = session.exec(
            select(ActionItem).where(
                ActionItem.incident_id == incident_id, ActionItem.number == number
            )
        ).first()
        if item is None:
            raise NotFound(f"no action item AI-{number} in this incident")
        return item

    def update_action(self, incident_id: int, ref: str, changes: Mapping[str, Any]) -> ActionItem:
        """Apply already-validated changes (see models.fields.parse_action_changes)."""
        number = parse_action_ref(ref)
        with self._writing() as session:
            item = self._action(session, incident_id, number)
            for name, value in changes.items():
                setattr(item, name, value)
            item.updated_at = self.clock()
            session.add(item)
            self.touch(session, incident_id)
            return item

    # -- whole incidents ------------------------------------------------------------------

    def snapshot(self, incident_id: int) -> IncidentSnapshot:
        with collector_paused(), self._reading() as session:
            incident = session.get(Incident, incident_id)
            if incident is None:
                raise NotFound(f"no incident with id {incident_id}")
            entries = session.exec(
                select(TimelineEntry)
                .where(
                    TimelineEntry.incident_id == incident_id,
                    col(TimelineEntry.deleted_at).is_(None),
                )
                .order_by(col(TimelineEntry.at), col(TimelineEntry.id))
            ).all()
            actions = session.exec(
                select(ActionItem)
                .where(ActionItem.incident_id == incident_id)
                .order_by(col(ActionItem.number))
            ).all()
            imported = read_evidence(session, incident_id)
            attachments = attachments_in(session, incident_id)
            return IncidentSnapshot(incident, list(entries), list(actions), imported, attachments)

    def with_attachment_data(self, snapshot: IncidentSnapshot) -> IncidentSnapshot:
        """The snapshot with the bytes of its attachments, for an export or a publish."""
        if not snapshot.attachments or snapshot.incident.id is None:
            return snapshot
        from dataclasses import replace

        from models.attachments import read_attachment_data

        data = {
            info.id: blob for info, blob in read_attachment_data(self.engine, snapshot.incident.id)
        }
        return replace(snapshot, attachment_data=data)

    def open_action_counts(self) -> dict[int, int]:
        with self._reading() as session:
            rows = session.exec(
                select(ActionItem.incident_id, func.count())
                .where(col(ActionItem.status).in_(OPEN_ACTION_STATUSES))
                .group_by(col(ActionItem.incident_id))
            ).all()
            return {incident_id: count for incident_id, count in rows}

    def list_rows(self) -> list[IncidentRow]:
        """Every incident's line in the list, without loading its entries as objects."""
        if self.engine.dialect.name != "sqlite":
            return rows_from_snapshots(self.all_snapshots(), now=self.clock())
        with self.engine.connect() as conn, conn.begin():
            return list_rows(conn.connection.dbapi_connection)  # type: ignore[arg-type]

    def all_snapshots(self) -> list[IncidentSnapshot]:
        """Every incident with its entries and actions, in three queries."""
        with collector_paused(), self._reading() as session:
            incidents = session.exec(select(Incident).order_by(col(Incident.id))).all()
            entries = session.exec(
                select(TimelineEntry)
                .where(col(TimelineEntry.deleted_at).is_(None))
                .order_by(col(TimelineEntry.at), col(TimelineEntry.id))
            ).all()
            actions = session.exec(select(ActionItem).order_by(col(ActionItem.number))).all()
        by_incident: dict[int, IncidentSnapshot] = {
            i.id: IncidentSnapshot(i, [], []) for i in incidents if i.id is not None
        }
        for entry in entries:
            by_incident[entry.incident_id].entries.append(entry)
        for item in actions:
            by_incident[item.incident_id].action_items.append(item)
        return list(by_incident.values())

    def import_record(
        self, record: IncidentRecord, *, evidence: Mapping[str, Mapping[str, Any]] | None = None
    ) -> Incident:
        """Store a whole incident read from a document, in one transaction; ``evidence``
        (where its start, end and duration came from) is kept with it."""
        from models.record_import import store_record

        with collector_paused():
            return store_record(self, record, evidence=evidence)


def unique_slug(session: Session, base: str, own_id: int | None = None) -> str:
    """``base``, or ``base-2``, ``base-3``…: the first slug no other incident has."""
    taken = set(
        session.exec(select(Incident.slug).where(col(Incident.slug).like(base + "%"))).all()
    )
    if own_id is not None:
        own = session.get(Incident, own_id)
        if own is not None:
            taken.discard(own.slug)
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def revise_entry(
    session: Session,
    entry: TimelineEntry,
    changes: Mapping[str, Any],
    editor: str,
    now: datetime,
) -> None:
    """Apply changes to an entry, keeping the version they replace as a revision.

    The one way an entry changes, whether someone edits it or a pull brings reviewers'
    edits in: ``workbook history`` must show every earlier version either way.
    """
    assert entry.id is not None
    session.add(
        EntryRevision(
            entry_id=entry.id,
            at=entry.at,
            author=entry.author,
            text=entry.text,
            tags=list(entry.tags),
            replaced_at=now,
            replaced_by=editor,
        )
    )
    for name, value in changes.items():
        setattr(entry, name, list(value) if name == "tags" else value)
    entry.updated_at = now
    session.add(entry)


def _sent_entries(
    conn: Connection, incident_id: int, sent: Sequence[datetime | None]
) -> dict[tuple[Any, ...], tuple[int, datetime | None]]:
    """The incident's entries first sent within the span of ``sent`` (None: not asked for),
    by (at, created_at, text, author): one scan, not one per entry of a long batch."""
    moments = [moment for moment in sent if moment is not None]
    if not moments:
        return {}
    c = ENTRY_TABLE.c
    query = sa_select(c.id, c.deleted_at, c.at, c.created_at, c.text, c.author).where(
        c.incident_id == incident_id,
        c.created_at >= min(moments),
        c.created_at <= max(moments),
    )
    found: dict[tuple[Any, ...], tuple[int, datetime | None]] = {}
    for row in conn.execute(query):
        found[(row.at, row.created_at, row.text, row.author)] = (row.id, row.deleted_at)
    return found


def _entry_row(
    incident_id: int, text: str, *, at: datetime, tags: Iterable[str], author: str, now: datetime
) -> dict[str, Any]:
    """A new entry's column values, checked: refused when it says nothing at all."""
    clean_tags = normalize_tags(list(tags))
    if not text.strip() and not clean_tags:
        raise StoreError("the entry is empty: type what happened")
    return {
        "incident_id": incident_id,
        "at": at,
        "author": author,
        "text": text,
        "tags": clean_tags,
        "created_at": now,
        "updated_at": now,
    }


def parse_action_ref(ref: str) -> int:
    text = ref.strip().upper()
    if text.startswith("AI-"):
        text = text[3:]
    if not text.isdigit():
        raise StoreError(f"{ref!r} is not an action item ref: use AI-1, AI-2, …")
    return int(text)


def _clean_services(services: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(s.strip() for s in services if s.strip()))
