"""A command run through ``workbook run``, written to the record: its entry, and what it
printed attached to that entry, in one transaction, exactly once.

The entry's text and the output arrive cleaned (shell-quoted, control sequences gone,
secrets redacted: :mod:`exporters.command_record`); this module only stores them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection

from models.attachments import TEXT_MEDIA_TYPE, insert_attachment
from models.store import Store
from models.tables import TimelineEntry


def log_command_run(
    store: Store,
    incident_id: int,
    *,
    text: str,
    at: datetime,
    tags: Sequence[str],
    author: str,
    sent_at: datetime,
    output: str | None,
    output_name: str,
) -> TimelineEntry:
    """Log the run's entry with its output attached; a second try of the same run (same
    ``sent_at``) finds the first and writes nothing (:meth:`Store.log_entry_once`)."""

    def attach(conn: Connection, entry_id: int) -> None:
        if not output:
            return
        data = output.encode("utf-8")
        insert_attachment(
            conn,
            incident_id=incident_id,
            entry_id=entry_id,
            name=output_name,
            data=data,
            media_type=TEXT_MEDIA_TYPE,
            author=author,
            # The output has its own limit (run_output_limit), already applied.
            limit=max(len(data), 1),
            created_at=sent_at,
        )

    return store.log_entry_once(
        incident_id, text, at=at, tags=tags, author=author, sent_at=sent_at, also=attach
    )
