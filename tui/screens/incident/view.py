"""What the incident screen shows, as a plain object: no Textual, testable on its own.

The view is the last copy read from the database plus what this screen has sent but not
yet seen written: entries typed while another responder holds the database show at once,
as pending rows, and stay shown across reloads until their write lands (or is refused).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from models.attachments import AttachmentInfo
from models.import_evidence import with_corrections
from models.metrics import IncidentMetrics, compute_metrics
from models.store import IncidentSnapshot
from models.tables import ActionItem, Incident, TimelineEntry
from models.timeline import backfill_reference


def entry_order(entry: TimelineEntry) -> tuple[datetime, int]:
    """Time order; entries logged at the same moment in the order they were written."""
    return (entry.at, entry.id if entry.id is not None and entry.id > 0 else 1 << 62)


def is_pending(entry: TimelineEntry) -> bool:
    """An entry shown before its write landed (its id is a stand-in, below zero)."""
    return entry.id is not None and entry.id < 0


@dataclass
class IncidentView:
    """One incident as read last, with this screen's entries that are still being written."""

    snapshot: IncidentSnapshot
    pending: dict[int, TimelineEntry] = field(default_factory=dict)
    _entries: list[TimelineEntry] | None = None
    _reference_of: IncidentSnapshot | None = None
    _backfill_at: datetime | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(-1, -1))

    @property
    def incident(self) -> Incident:
        return self.snapshot.incident

    @property
    def action_items(self) -> list[ActionItem]:
        return self.snapshot.action_items

    def attachments_of(self, entry_id: int | None) -> list[AttachmentInfo]:
        """What is attached to one entry, in the order it was attached."""
        if entry_id is None:
            return []
        return [a for a in self.snapshot.attachments if a.entry_id == entry_id]

    @property
    def entries(self) -> list[TimelineEntry]:
        """Written and pending entries in time order (the written list itself when none wait)."""
        if not self.pending:
            return self.snapshot.entries
        if self._entries is None:
            merged = list(self.snapshot.entries)
            for entry in self.pending.values():
                bisect.insort(merged, entry, key=entry_order)
            self._entries = merged
        return self._entries

    def entry(self, entry_id: int | None) -> TimelineEntry | None:
        if entry_id is None:
            return None
        if entry_id in self.pending:
            return self.pending[entry_id]
        return next((e for e in self.snapshot.entries if e.id == entry_id), None)

    def metrics(self, now: datetime) -> IncidentMetrics:
        """The figures from what is written and what is on its way (the user sees both)."""
        return compute_metrics(self.incident, self.entries, now=now)

    def reference(self, now: datetime) -> datetime:
        """What a bare time is read near; worked out once per snapshot (every key asks)."""
        if self._reference_of is not self.snapshot:
            self._reference_of = self.snapshot
            self._backfill_at = backfill_reference(self.incident, self.entries)
        return self._backfill_at or now

    # -- changes ---------------------------------------------------------------------------

    def loaded(self, snapshot: IncidentSnapshot) -> None:
        """A fresh copy from the database; entries still on their way stay shown."""
        self._set(snapshot)

    def add_pending(self, at: datetime, text: str, tags: list[str], author: str) -> TimelineEntry:
        """Show an entry that is being written; its id is a stand-in below zero."""
        entry = TimelineEntry(
            id=next(self._ids),
            incident_id=self.incident.id or 0,
            at=at,
            author=author,
            text=text,
            tags=list(tags),
        )
        self.pending[entry.id] = entry  # type: ignore[index]
        self._entries = None
        self._moved_reference(entry)
        return entry

    def drop_pending(self, pending_id: int) -> TimelineEntry | None:
        entry = self.pending.pop(pending_id, None)
        self._entries = None
        return entry

    def written(self, pending_id: int, entry: TimelineEntry) -> None:
        """A pending entry landed: the written copy takes its place."""
        self.pending.pop(pending_id, None)
        entries = list(self.snapshot.entries)
        place = bisect.bisect_left(entries, entry_order(entry), key=entry_order)
        if place < len(entries) and entries[place].id == entry.id:
            entries[place] = entry  # a reload brought it already
        else:
            entries.insert(place, entry)
        keep_reference = self._reference_of is self.snapshot
        self._set(replace(self.snapshot, entries=entries))
        if keep_reference:  # the pending copy already moved it
            self._reference_of = self.snapshot

    def put_entry(self, entry: TimelineEntry) -> None:
        """An entry changed (edited, tagged, deleted or restored) by this screen."""
        others = [e for e in self.snapshot.entries if e.id != entry.id]
        if entry.deleted_at is None:
            bisect.insort(others, entry, key=entry_order)
        self._set(replace(self.snapshot, entries=others))

    def put_action(self, item: ActionItem) -> None:
        others = [a for a in self.snapshot.action_items if a.number != item.number]
        items = sorted([*others, item], key=lambda a: a.number)
        self._set(replace(self.snapshot, action_items=items))

    def put_incident(self, incident: Incident, saved: Iterable[str] = ()) -> None:
        """The incident as written; ``saved``: the fields this screen saved (a start or end
        saved corrects the imported figure, as the store marked it)."""
        imported = self.snapshot.imported
        if imported and saved:
            imported = with_corrections(imported, saved)
        self._set(replace(self.snapshot, incident=incident, imported=imported))

    def _set(self, snapshot: IncidentSnapshot) -> None:
        self.snapshot = snapshot
        self._entries = None
        self._reference_of = None  # and the snapshot it kept is free to go

    def _moved_reference(self, entry: TimelineEntry) -> None:
        # Logging moves the reference only forward, and only a resolved incident has one:
        # keep the worked-out value rather than going over every entry again.
        if self._reference_of is not self.snapshot or "resolved" in entry.tags:
            self._reference_of = None
        elif self._backfill_at is not None:
            self._backfill_at = max(self._backfill_at, entry.at)
