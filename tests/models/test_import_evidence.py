"""Evidence of imported figures: kept with the import, marked until the responder corrects
the figure, on SQLite and PostgreSQL, and built by migration 0007 as the code declares it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from exporters.ingest.importing import import_paths
from models.db import open_database
from models.import_evidence import evidence_for, shown_marks
from models.metrics import compute_metrics
from models.store import Store

WHEN = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
START = datetime(2026, 3, 2, 14, 5, tzinfo=UTC)
END = datetime(2026, 3, 2, 14, 55, tzinfo=UTC)

# Our own small postmortem: no entry says the impact began, so the start is a guess.
STUCK_INVOICES = """\
# Night of the stuck invoices

Date: 2026-03-02

## Timeline
- 14:05 Priya opened a ticket about invoices
- 14:20 Sam looked at the queue dashboards
- 14:55 invoices back to normal

## Action items
- Watch the invoice queue length
"""


@pytest.fixture
def db(backend: str) -> str:
    return backend


def _imported(db: str, tmp_path: Path) -> tuple[Store, int]:
    store = Store(open_database(db), clock=lambda: WHEN)
    document = tmp_path / "stuck-invoices.md"
    document.write_text(STUCK_INVOICES, encoding="utf-8")
    (result,) = import_paths(store, [document])
    assert result.error is None, result.error
    (incident,) = store.list_incidents()
    assert incident.id is not None
    return store, incident.id


def _marks(store: Store, incident_id: int) -> dict[str, str]:
    snapshot = store.snapshot(incident_id)
    metrics = compute_metrics(snapshot.incident, snapshot.entries, now=WHEN)
    return {name: f.confidence for name, f in shown_marks(snapshot.imported, metrics).items()}


def test_the_import_keeps_where_each_figure_came_from(db: str, tmp_path: Path) -> None:
    store, incident_id = _imported(db, tmp_path)
    imported = store.snapshot(incident_id).imported
    assert set(imported) == {"start", "end", "duration"}
    start = imported["start"]
    assert (start.confidence, start.line, start.at) == ("guessed", 6, START)
    assert start.text == "- 14:05 Priya opened a ticket about invoices"
    assert imported["end"].at == END and imported["end"].line == 8
    assert imported["duration"].minutes == 50 and imported["duration"].line is None
    assert not any(f.corrected for f in imported.values())
    assert _marks(store, incident_id) == {
        "start": "guessed",
        "end": "derived",
        "duration": "guessed",
    }


def test_saving_the_start_corrects_it_and_the_duration_not_the_end(db: str, tmp_path: Path) -> None:
    store, incident_id = _imported(db, tmp_path)
    # The same moment, saved again: the responder has looked at it, so it is theirs.
    store.update_incident(incident_id, {"started_at": START})
    imported = evidence_for(store.engine, incident_id)
    assert imported["start"].corrected and imported["duration"].corrected
    assert not imported["end"].corrected
    assert _marks(store, incident_id) == {"end": "derived"}
    # Other fields leave the marks alone.
    store.update_incident(incident_id, {"severity": "SEV-1"})
    assert not evidence_for(store.engine, incident_id)["end"].corrected


def test_a_figure_that_moves_off_the_imported_moment_is_no_longer_marked(
    db: str, tmp_path: Path
) -> None:
    store, incident_id = _imported(db, tmp_path)
    earlier = store.log_entry(
        incident_id,
        "checkout errors began",
        at=START - timedelta(minutes=20),
        tags=["impact-start"],
    )
    assert set(_marks(store, incident_id)) == {"end"}  # the duration goes with the start
    assert earlier.id is not None
    store.delete_entry(incident_id, earlier.id)
    # The tagged entry is gone: the imported start is in use again, still unchecked.
    assert _marks(store, incident_id)["start"] == "guessed"


def test_a_workbook_document_and_a_created_incident_have_no_marks(db: str, tmp_path: Path) -> None:
    store, incident_id = _imported(db, tmp_path)
    made = store.create_incident("Made by hand", timezone="UTC", started_at=START)
    assert made.id is not None
    assert store.snapshot(made.id).imported == {}
    from exporters.render.markdown import render_markdown

    own = tmp_path / "own.md"
    snapshot = store.snapshot(incident_id)
    text = render_markdown(snapshot.incident, snapshot.entries, snapshot.action_items, now=WHEN)
    own.write_text(text.replace("Night of the stuck invoices", "Stuck, again"), encoding="utf-8")
    (result,) = import_paths(store, [own])
    assert result.error is None and result.slug is not None
    again = store.resolve_ref(result.slug)
    assert again.id is not None
    # Its own format states the start and end: nothing was read into them.
    assert store.snapshot(again.id).imported == {}
