"""The five sample incidents: they import, their figures are right, and they round-trip.

The files in ``sample_incidents/`` were written by the workbook itself (built with the CLI,
then exported). Each must read back as the workbook's own format, give the duration its
source states, count the false leads and escalations its responders logged, carry no
warnings, and export again to exactly the same bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from exporters.ingest.importing import read_document
from exporters.render.markdown import render_markdown
from models.db import open_database
from models.metrics import IncidentMetrics, compute_metrics
from models.store import IncidentSnapshot, Store
from sample_incidents import sample_paths

# The clock the files were exported with (WORKBOOK_NOW in the build). Every sample is
# resolved, so the clock changes no figure; it is fixed all the same.
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

# slug: (duration in minutes, false leads, escalations), as the source postmortems tell it.
EXPECTED = {
    "2025-02-12-nightly-backend-freeze-root-disk-full": (15, 0, 0),
    "2024-05-14-spy-cam-outage-database-disk-filled": (270, 1, 1),
    "2024-06-20-storefront-down-migration-script-overloaded-primary-db": (135, 2, 1),
    "2023-05-01-checkout-failures-processing-loop-overloaded-database": (120, 2, 1),
    "2024-08-15-promo-traffic-filled-database-storage-site-down": (240, 1, 0),
}

PATHS = sample_paths()


def _imported(path: Path, tmp_path: Path) -> tuple[IncidentSnapshot, IncidentMetrics, list[str]]:
    document = read_document(path)
    assert document.format == "workbook", f"{path.name} is not in the workbook's own format"
    store = Store(open_database(tmp_path / "s.db"), author="t", clock=lambda: NOW)
    incident = store.import_record(document.record)
    assert incident.id is not None
    snap = store.snapshot(incident.id)
    metrics = compute_metrics(snap.incident, snap.entries, now=NOW)
    return snap, metrics, list(document.record.warnings)


def test_there_are_five_samples_named_by_slug() -> None:
    assert len(PATHS) == 5
    assert {p.stem for p in PATHS} == set(EXPECTED)


def test_the_durations_are_the_ones_the_sources_state(tmp_path: Path) -> None:
    durations = set()
    for number, path in enumerate(PATHS):
        _, metrics, _ = _imported(path, tmp_path / str(number))
        assert metrics.duration_minutes is not None
        durations.add(metrics.duration_minutes)
    assert durations == {15, 270, 135, 120, 240}


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_sample_imports_with_its_figures_and_no_warnings(path: Path, tmp_path: Path) -> None:
    snap, metrics, read_warnings = _imported(path, tmp_path)
    duration, false_leads, escalations = EXPECTED[path.stem]

    assert snap.incident.slug == path.stem
    assert metrics.duration_minutes == duration
    assert metrics.false_leads == false_leads
    assert metrics.escalations == escalations

    # Every milestone a reviewer expects is tagged on an entry, and nothing is ongoing.
    assert metrics.started.source == "entry"
    assert metrics.detected.at is not None
    assert metrics.responded.at is not None
    assert metrics.cause_identified.at is not None
    assert metrics.resolved.source == "entry"
    assert not metrics.ongoing
    assert read_warnings == []
    assert metrics.warnings == ()

    # A finished postmortem: written sections, a status past the incident, action items.
    incident = snap.incident
    assert incident.status in ("resolved", "published")
    assert incident.commander
    assert incident.services
    for section in ("summary", "impact_narrative", "root_cause", "resolution", "detection"):
        assert getattr(incident, section).strip(), f"{path.name}: {section} is empty"
    assert snap.action_items
    assert any(item.status == "done" for item in snap.action_items)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_sample_round_trips_byte_for_byte(path: Path, tmp_path: Path) -> None:
    snap, _, _ = _imported(path, tmp_path)
    again = render_markdown(snap.incident, snap.entries, snap.action_items, now=NOW)
    assert again == path.read_bytes().decode("utf-8")
