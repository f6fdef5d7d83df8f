"""The incident's title bar: at any width the title gives way, the figures never do."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.metrics import compute_metrics
from models.tables import Incident, TimelineEntry
from tests.tui.support import FIXED, build_app, make_store, screen_text
from tui.screens.incident.header import header_text

LONG = "Storefront down: migration script overloaded the primary DB during the sale"


def _incident(title: str) -> tuple[Incident, list[TimelineEntry]]:
    incident = Incident(id=1, slug="s", title=title, timezone="Europe/Berlin", severity="SEV-1")
    start = TimelineEntry(
        id=1, incident_id=1, at=FIXED - timedelta(minutes=135), tags=["impact-start"]
    )
    end = TimelineEntry(id=2, incident_id=1, at=FIXED, tags=["resolved"])
    return incident, [start, end]


@pytest.mark.parametrize("width", [50, 60, 78, 118])
def test_a_long_title_is_cut_and_the_figures_stay(width: int) -> None:
    incident, entries = _incident(LONG)
    metrics = compute_metrics(incident, entries, now=FIXED)
    line = header_text(incident, metrics, width=width, seconds=False).plain
    assert line.endswith(" · 2h 15m · Europe/Berlin")
    assert line.startswith("SEV-1 investigating · ")
    assert len(line) <= width
    assert "…" in line


def test_a_title_that_fits_is_whole() -> None:
    incident, entries = _incident("DB down")
    metrics = compute_metrics(incident, entries, now=FIXED)
    line = header_text(incident, metrics, width=78, seconds=False).plain
    assert line == "SEV-1 investigating · DB down · 2h 15m · Europe/Berlin"


@given(st.text(min_size=1, max_size=200), st.integers(min_value=50, max_value=200))
def test_any_title_at_any_width_keeps_the_duration(title: str, width: int) -> None:
    incident, entries = _incident(title)
    metrics = compute_metrics(incident, entries, now=FIXED)
    line = header_text(incident, metrics, width=width, seconds=False)
    assert line.plain.endswith("2h 15m · Europe/Berlin")
    assert line.cell_len <= width


async def test_the_bar_at_80_columns_shows_the_whole_duration(tmp_path: Path) -> None:
    store = make_store(tmp_path / "w.db")
    incident = store.create_incident(LONG, timezone="Europe/Berlin", severity="SEV-1")
    assert incident.id is not None
    store.log_entry(incident.id, "errors", at=FIXED - timedelta(minutes=135), tags=["start"])
    store.log_entry(incident.id, "fixed", at=FIXED, tags=["resolved"])
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        bar = screen_text(app).splitlines()[0]
    assert bar.endswith("· 2h 15m · Europe/Berlin")
    assert "Storefront down: migration" in bar and "…" in bar


@pytest.mark.parametrize("width", [78, 118])
def test_others_are_named_where_the_title_still_fits_and_counted_where_not(width: int) -> None:
    incident, entries = _incident("Checkout database failover")
    metrics = compute_metrics(incident, entries, now=FIXED)
    line = header_text(
        incident, metrics, width=width, seconds=False, others=("bob (2), carol", 3)
    ).plain
    assert len(line) <= width
    if width < 100:
        assert line.endswith(" · Europe/Berlin · 3 also here")
        assert "Checkout databas" in line  # most of the title, where names would leave none
    else:
        assert line.endswith(" · Europe/Berlin · also here: bob (2), carol")


@given(names=st.text(min_size=1, max_size=300))
def test_names_never_push_the_figures_off(names: str) -> None:
    incident, entries = _incident(LONG)
    metrics = compute_metrics(incident, entries, now=FIXED)
    line = header_text(incident, metrics, width=118, seconds=False, others=(names, 2))
    assert line.cell_len <= 118
    assert " · 2h 15m · Europe/Berlin · " in line.plain
