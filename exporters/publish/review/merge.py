"""Reviewers' edits of a published postmortem, merged three-way into the incident.

Base: what the workbook last published. Theirs: the reviewed file. Ours: the workbook now.
Per field: changed only by the reviewers, their value is taken; changed only in the
workbook, ours stays; changed on both sides to different values, ours stays and theirs
is reported. Timeline rows are matched between base and theirs by aligning the two tables
(as a diff does), so an edited row is an edit, a new row a new entry, a removed row a
deletion; the base rows know their entry ids from the publication record. Tags merge as
sets (each side's additions and removals kept). Action items are matched by ref.

Pure functions: nothing here touches the database or the repository.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.record import ActionRecord, EntryRecord, IncidentRecord
from models.store import IncidentSnapshot
from models.tables import ActionItem, TimelineEntry
from models.timeline import exported_order
from models.vocabulary import (
    normalize_action_status,
    normalize_action_type,
    normalize_priority,
    normalize_tags,
)

ACTION_FIELDS = ("title", "owner", "priority", "type", "status", "due", "link")
_ENTRY_FIELDS = ("at", "text")


@dataclass
class EntryEdit:
    entry_id: int
    changes: dict[str, Any]


@dataclass
class ReviewMerge:
    incident_changes: dict[str, Any] = field(default_factory=dict)
    entry_edits: list[EntryEdit] = field(default_factory=list)
    entry_adds: list[EntryRecord] = field(default_factory=list)
    entry_deletes: list[int] = field(default_factory=list)
    action_changes: dict[int, dict[str, Any]] = field(default_factory=dict)
    action_adds: list[ActionRecord] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # For each row of the reviewed table: an entry id, or ("new", index into entry_adds).
    theirs_rows: list[int | tuple[str, int] | None] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.incident_changes
            or self.entry_edits
            or self.entry_adds
            or self.entry_deletes
            or self.action_changes
            or self.action_adds
        )


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    text = " ".join(str(value).split())
    return repr(text if len(text) <= 60 else text[:57] + "…")


def _three_way(base: Any, theirs: Any, ours: Any) -> tuple[bool, Any, bool]:
    """(take theirs?, value, conflict?)"""
    if theirs in (base, ours):
        return False, ours, False
    if ours == base:
        return True, theirs, False
    return False, ours, True


def _row_key(entry: EntryRecord) -> tuple[Any, ...]:
    return (entry.at, entry.text, tuple(entry.tags), entry.author)


def _merge_tags(base: list[str], theirs: list[str], ours: list[str]) -> list[str]:
    added = [t for t in theirs if t not in base]
    removed = set(base) - set(theirs)
    merged = [t for t in ours if t not in removed]
    return merged + [t for t in added if t not in merged]


def merge_review(
    base: IncidentRecord | None,
    base_entry_ids: list[int | None],
    theirs: IncidentRecord,
    ours: IncidentSnapshot,
) -> ReviewMerge:
    result = ReviewMerge()
    incident = ours.incident
    base_fields = base.fields if base is not None else {}
    for name, their_value in theirs.fields.items():
        if name == "slug":
            continue
        our_value = getattr(incident, name)
        if base is None:
            if their_value != our_value:
                result.conflicts.append(
                    f"{name}: kept the workbook's {_shown(our_value)}; the reviewed file has "
                    f"{_shown(their_value)}"
                )
            continue
        take, value, conflict = _three_way(base_fields.get(name), their_value, our_value)
        if take:
            result.incident_changes[name] = value
        elif conflict:
            result.conflicts.append(
                f"{name}: both changed it; kept the workbook's {_shown(our_value)}, the "
                f"reviewers wrote {_shown(their_value)}"
            )

    _merge_entries(result, base, base_entry_ids, theirs, ours)
    _merge_actions(result, base, theirs, ours.action_items)
    return result


def _merge_entries(
    result: ReviewMerge,
    base: IncidentRecord | None,
    base_entry_ids: list[int | None],
    theirs: IncidentRecord,
    ours: IncidentSnapshot,
) -> None:
    live = {e.id: e for e in exported_order(ours.entries) if e.id is not None}
    base_rows = base.entries if base is not None else []
    result.theirs_rows = [None] * len(theirs.entries)
    if base is None:
        # No common ancestor: pair the rows with the workbook's timeline by content.
        ours_rows = [
            EntryRecord(e.at, e.text, list(e.tags), e.author) for e in exported_order(ours.entries)
        ]
        ids = [e.id for e in exported_order(ours.entries)]
        matcher = difflib.SequenceMatcher(
            a=[_row_key(r) for r in ours_rows], b=[_row_key(r) for r in theirs.entries]
        )
        for a, b, size in matcher.get_matching_blocks():
            for k in range(size):
                result.theirs_rows[b + k] = ids[a + k]
        for index, row in enumerate(theirs.entries):
            if result.theirs_rows[index] is None:
                result.conflicts.append(
                    f"timeline row {index + 1} ({_shown(row.text)}) is only in the reviewed "
                    "file: not added, as there is no published version to compare with"
                )
        return

    matcher = difflib.SequenceMatcher(
        a=[_row_key(r) for r in base_rows], b=[_row_key(r) for r in theirs.entries], autojunk=False
    )
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        pairs = list(zip(range(a0, a1), range(b0, b1), strict=False))
        for a, b in pairs:
            entry_id = base_entry_ids[a] if a < len(base_entry_ids) else None
            result.theirs_rows[b] = entry_id
            if op == "equal" or entry_id is None:
                continue
            _merge_entry(result, base_rows[a], theirs.entries[b], live.get(entry_id), entry_id, b)
        for a in range(a0 + len(pairs), a1):
            entry_id = base_entry_ids[a] if a < len(base_entry_ids) else None
            current = live.get(entry_id) if entry_id is not None else None
            if entry_id is None or current is None:
                continue
            if _record_of(current) == base_rows[a]:
                result.entry_deletes.append(entry_id)
            else:
                result.conflicts.append(
                    f"entry {_shown(current.text)}: the reviewers removed it, the workbook "
                    "changed it; kept"
                )
        for b in range(b0 + len(pairs), b1):
            row = theirs.entries[b]
            result.theirs_rows[b] = ("new", len(result.entry_adds))
            result.entry_adds.append(row)


def _record_of(entry: TimelineEntry) -> EntryRecord:
    return EntryRecord(entry.at, entry.text, list(entry.tags), entry.author)


def _merge_entry(
    result: ReviewMerge,
    base: EntryRecord,
    theirs: EntryRecord,
    current: TimelineEntry | None,
    entry_id: int,
    row: int,
) -> None:
    if current is None:
        result.conflicts.append(
            f"timeline row {row + 1} ({_shown(theirs.text)}): the reviewers edited an entry "
            "deleted in the workbook; not restored"
        )
        return
    changes: dict[str, Any] = {}
    for name in _ENTRY_FIELDS:
        take, value, conflict = _three_way(
            getattr(base, name), getattr(theirs, name), getattr(current, name)
        )
        if take:
            changes[name] = value
        elif conflict:
            result.conflicts.append(
                f"timeline row {row + 1} {name}: both changed it; kept the workbook's "
                f"{_shown(getattr(current, name))}, the reviewers wrote "
                f"{_shown(getattr(theirs, name))}"
            )
    tags = _merge_tags(base.tags, theirs.tags, list(current.tags))
    if tags != list(current.tags):
        changes["tags"] = tags
    if changes:
        result.entry_edits.append(EntryEdit(entry_id, changes))


def _action_values(record: ActionRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in ACTION_FIELDS}


def _merge_actions(
    result: ReviewMerge,
    base: IncidentRecord | None,
    theirs: IncidentRecord,
    ours: list[ActionItem],
) -> None:
    base_items = {a.number: a for a in (base.action_items if base else [])}
    our_items = {a.number: a for a in ours}
    for item in theirs.action_items:
        number = item.number
        mine = our_items.get(number) if number is not None else None
        if mine is None:
            if number is not None and number in base_items:
                result.conflicts.append(
                    f"AI-{number}: the reviewers edited an action item the workbook no "
                    "longer has; not added back"
                )
            else:
                result.action_adds.append(item)
            continue
        before = base_items.get(number) if number is not None else None
        changes: dict[str, Any] = {}
        for name in ACTION_FIELDS:
            their_value = getattr(item, name)
            our_value = getattr(mine, name)
            if before is None:
                if their_value != our_value:
                    result.conflicts.append(
                        f"AI-{number} {name}: kept the workbook's {_shown(our_value)}; the "
                        f"reviewed file has {_shown(their_value)}"
                    )
                continue
            take, value, conflict = _three_way(getattr(before, name), their_value, our_value)
            if take:
                changes[name] = value
            elif conflict:
                result.conflicts.append(
                    f"AI-{number} {name}: both changed it; kept the workbook's "
                    f"{_shown(our_value)}, the reviewers wrote {_shown(their_value)}"
                )
        if changes:
            assert number is not None
            result.action_changes[number] = changes
    listed = {a.number for a in theirs.action_items}
    for number in base_items:
        if number not in listed and number in our_items:
            result.notes.append(f"AI-{number} was removed from the reviewed file; kept")


def carry_entry_ids(
    older: IncidentRecord, newer: IncidentRecord, newer_ids: list[int | None]
) -> list[int | None]:
    """The entry ids behind an older published version's rows, from a newer one's.

    When the reviewers started from a version the workbook has since published over (its
    newer publish never reached them), that older version is the merge base, but only the
    newer one's row ids are kept. Rows are aligned as the merge aligns them: a row found
    in both keeps its id, an edited row takes the id of the row it became, a row that
    went away has none (so a reviewer's edit of it is reported, not applied).
    """
    ids: list[int | None] = [None] * len(older.entries)
    matcher = difflib.SequenceMatcher(
        a=[_row_key(r) for r in older.entries],
        b=[_row_key(r) for r in newer.entries],
        autojunk=False,
    )
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op in ("equal", "replace"):
            for a, b in zip(range(a0, a1), range(b0, b1), strict=False):
                ids[a] = newer_ids[b] if b < len(newer_ids) else None
    return ids


def check_reviewed(record: IncidentRecord) -> None:
    """Refuse values the workbook would refuse from a person: the same rules as import."""
    from models.fields import validate_incident_fields

    record.fields = validate_incident_fields(record.fields)
    for entry in record.entries:
        entry.tags = normalize_tags(entry.tags)
    for item in record.action_items:
        item.priority = normalize_priority(item.priority)
        item.type = normalize_action_type(item.type)
        item.status = normalize_action_status(item.status)
