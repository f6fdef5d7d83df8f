"""Every draft of one incident in one place: the keys, keeping them, and what came back.

What is typed and not yet in the database is kept in the drafts file with every change (see
:mod:`tui.drafts`), under these keys: the quick-entry line, each write-up section, each open
entry or action-item form, the Details fields, and every entry sent to the database whose
write has not landed yet (``pending:…``, written again when the incident is next opened).
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from models.tables import ActionItem, TimelineEntry

if TYPE_CHECKING:
    from tui.app import WorkbookApp

QUICK_ENTRY = "quick-entry"
NEW_ACTION = "action:new"
DETAILS = "details"
PENDING = "pending:"
PASTE = "paste:"  # a paste too large for an entry, kept until attached (or for good)
OR_ELSE = "log it soon, it is not on disk yet"


def edit_key(entry_id: int) -> str:
    return f"edit:{entry_id}"


def action_key(item: ActionItem) -> str:
    return f"action:{item.id}"


def writeup_key(field: str) -> str:
    return f"writeup:{field}"


def paste_key() -> str:
    return PASTE + secrets.token_hex(6)


@dataclass(frozen=True)
class PendingEntry:
    """An entry sent to the database, kept until its write is seen to land."""

    key: str
    at: datetime
    text: str
    tags: list[str]
    author: str
    sent_at: datetime  # when Enter was pressed: kept as the entry's created_at

    def matches(self, entry: TimelineEntry) -> bool:
        mine = (self.at, self.sent_at, self.text, self.author)
        return (entry.at, entry.created_at, entry.text, entry.author) == mine


def as_line(entry: PendingEntry) -> str:
    """A quick-entry line that logs ``entry`` again, at its own time (for a refused one)."""
    # In a block only the last line's trailing tags are read: nothing else needs escaping.
    text = entry.text if "\n" in entry.text else re.sub(r"(?<!\S)#", r"\\#", entry.text)
    tags = "".join(f" #{tag}" for tag in entry.tags)
    return f"{entry.at.isoformat()} {text}{tags}"


class IncidentDrafts:
    """The drafts of one incident. Holds the app's draft store, not the screen, so that a
    write landing after the screen is gone can still drop its draft."""

    def __init__(self, app: WorkbookApp, incident_id: int) -> None:
        self._app = app
        self.incident_id = incident_id

    def keep(self, key: str, text: str) -> None:
        """Keep ``text`` (empty: drop the key); a disk that refuses is said once."""
        self._app.keep_draft(self.incident_id, key, text, or_else=OR_ELSE)

    def drop(self, key: str) -> None:
        self.keep(key, "")

    def drop_all(self, keys: list[str]) -> None:
        """Drop several keys with one write of the drafts file."""
        self._app.keep_drafts(self.incident_id, dict.fromkeys(keys, ""), or_else=OR_ELSE)

    def where(self) -> str:
        """The drafts file, for a message."""
        return str(self._app.drafts.path(self.incident_id))

    def all(self) -> dict[str, str]:
        return self._app.drafts.load(self.incident_id)

    def form(self, key: str) -> dict[str, str] | None:
        return self._app.drafts.load_form(self.incident_id, key)

    def keep_pending(self, at: datetime, text: str, tags: list[str], author: str) -> PendingEntry:
        (entry,) = self.keep_pending_many([(at, text, tags)], author)
        return entry

    def keep_pending_many(
        self, entries: list[tuple[datetime, str, list[str]]], author: str
    ) -> list[PendingEntry]:
        """Keep entries about to be sent, with one write of the drafts file.

        Each gets its own moment of sending (a microsecond apart), so two identical log
        lines of one paste stay two entries when a second try looks for the first.
        """
        sent = datetime.now(UTC)  # the real moment, also under a frozen clock: it is an id
        kept: list[PendingEntry] = []
        values: dict[str, str] = {}
        for number, (at, text, tags) in enumerate(entries):
            sent_at = sent + timedelta(microseconds=number)
            entry = PendingEntry(
                PENDING + secrets.token_hex(6), at, text, list(tags), author, sent_at
            )
            value = {
                "at": at.isoformat(),
                "text": text,
                "tags": entry.tags,
                "author": author,
                "sent_at": sent_at.isoformat(),
            }
            values[entry.key] = json.dumps(value, ensure_ascii=False)
            kept.append(entry)
        self._app.keep_drafts(self.incident_id, values, or_else=OR_ELSE)
        return kept

    def pending(self) -> list[PendingEntry]:
        """Entries a previous session sent and did not see land, oldest first."""
        found: list[PendingEntry] = []
        for key, raw in self.all().items():
            if not key.startswith(PENDING):
                continue
            try:
                value = json.loads(raw)
                at = datetime.fromisoformat(value["at"])
                sent_at = datetime.fromisoformat(value["sent_at"])
                tags = [str(tag) for tag in value["tags"]]
                entry = PendingEntry(key, at, str(value["text"]), tags, value["author"], sent_at)
            except (ValueError, KeyError, TypeError):
                continue  # not ours to understand: leave it alone
            if at.tzinfo is not None and sent_at.tzinfo is not None:
                found.append(entry)
        return sorted(found, key=lambda e: e.at)
