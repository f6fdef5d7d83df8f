"""A run's entry and its output: written together, and once however often it is sent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from models.attachments import list_attachments, read_attachment
from models.command_runs import log_command_run
from models.db import open_database
from models.store import NotFound, Store

AT = datetime(2026, 3, 2, 21, 0, tzinfo=UTC)
SENT = datetime(2026, 3, 2, 21, 0, 5, tzinfo=UTC)


def _log(store: Store, incident_id: int, output: str | None = "count\n42\n") -> int:
    entry = log_command_run(
        store,
        incident_id,
        text="$ psql -c 'select 1'\nexit 0, after 0.2 s",
        at=AT,
        tags=["command", "db"],
        author="ada",
        sent_at=SENT,
        output=output,
        output_name="psql-output.txt",
    )
    assert entry.id is not None
    return entry.id


def test_the_entry_and_its_output_land_together_and_a_second_try_adds_nothing(
    backend: str,
) -> None:
    store = Store(open_database(backend))
    incident = store.create_incident("Checkout down", timezone="UTC")
    assert incident.id is not None
    first = _log(store, incident.id)
    assert _log(store, incident.id) == first
    (entry,) = store.entries(incident.id)
    assert (entry.at, entry.created_at, entry.author, entry.tags) == (
        AT,
        SENT,
        "ada",
        ["command", "db"],
    )
    (info,) = list_attachments(store.engine, incident.id)
    assert (info.entry_id, info.name, info.media_type) == (first, "psql-output.txt", "text/plain")
    assert read_attachment(store.engine, incident.id, info.id)[1] == b"count\n42\n"


def test_no_output_no_attachment_and_an_unknown_incident_writes_nothing(backend: str) -> None:
    store = Store(open_database(backend))
    incident = store.create_incident("Checkout down", timezone="UTC")
    assert incident.id is not None
    _log(store, incident.id, output=None)
    assert list_attachments(store.engine, incident.id) == []
    with pytest.raises(NotFound):
        _log(store, incident.id + 1)
