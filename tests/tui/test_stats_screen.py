"""The stats screen: opened from the incident list, filtered by severity, charts that
follow the width, and the pictures at 80×24 and 120×40."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from exporters.ingest.importing import collect_files, import_paths
from models.store import Store
from tests.exporters.ingest.helpers import HELD_OUT
from tests.paths import REPO
from tests.tui.support import FIXED, build_app, make_store, sample_incident, screen_text
from tui.charts import bar_rows, month_axis
from tui.screens.incident_list import IncidentListScreen
from tui.screens.stats import StatsScreen, chart_months


def history(tmp_path: Path) -> Store:
    """Five sample incidents, three imported postmortems and one still going (FIXED clock)."""
    store = make_store(tmp_path / "w.db")
    documents = [
        REPO / "sample_incidents",
        HELD_OUT / "h02_pagerduty.md",
        HELD_OUT / "h12_gitlab_issue.md",
        HELD_OUT / "h14_nested_dates.md",
    ]
    results = import_paths(store, collect_files(documents))
    assert all(r.error is None and r.skipped is None for r in results)
    sample_incident(store)
    return store


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


# --------------------------------------------------------------------------- charts


def test_bars_scale_to_the_peak_and_never_hide_a_small_month() -> None:
    rows = bar_rows([4, None, 1, 0, 2], height=2)
    assert rows == ["█    ", "█ ▄ █"]
    assert bar_rows([0.01, 100], height=1) == ["▁█"]
    assert bar_rows([None, None]) == ["  "] * 4


def test_the_axis_gives_initials_and_years_where_they_fit() -> None:
    months = [f"2023-{m:02d}" for m in range(9, 13)] + [f"2024-{m:02d}" for m in range(1, 8)]
    initials, years = month_axis(months)
    assert initials == "SONDJFMAMJJ"
    assert years == "'23 2024"
    assert month_axis(months[1:]) == ("ONDJFMAMJJ", "   2024")
    # Too little room for a year: nothing is written rather than a cut-off label.
    assert month_axis(["2025-12", "2026-01"]) == ("DJ", "")


def test_charts_take_the_width_they_are_given() -> None:
    assert chart_months(80) == 37
    assert chart_months(120) == 57
    assert chart_months(20) == 7
    assert chart_months(10) == 6
    assert chart_months(400) == 60


# --------------------------------------------------------------------------- workflows


async def test_s_on_the_list_opens_the_figures_and_esc_goes_back(tmp_path: Path) -> None:
    app = build_app(history(tmp_path), tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, IncidentListScreen)
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)
        text = screen_text(app)
        assert "9 incidents (8 resolved, 1 ongoing) · all severities · all time" in text
        assert "Incidents per month  peak 1" in text
        assert "Median duration  peak 16h 45m" in text
        assert "2023" in text and "2024" in text  # the imported history is on the chart
        assert "SEV-1       3" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, IncidentListScreen)


async def test_v_steps_through_the_severities(tmp_path: Path) -> None:
    app = build_app(history(tmp_path), tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        text = screen_text(app)
        assert "3 incidents (3 resolved, 0 ongoing) · SEV-1 · all time" in text
        assert "3 incidents · SEV-1 · v: severity · Esc: back" in text
        for _ in range(4):  # SEV-2 … SEV-5
            await pilot.press("v")
            await settle(pilot)
        assert "No incidents (SEV-5)" in screen_text(app)
        await pilot.press("v")
        await settle(pilot)
        assert "9 incidents · all severities" in screen_text(app)


async def test_an_empty_workbook_says_so(tmp_path: Path) -> None:
    app = build_app(make_store(tmp_path / "empty.db"), tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        text = screen_text(app)
        assert "0 incidents (0 resolved, 0 ongoing)" in text
        assert "nothing to show yet" in text
        assert "No open action items." in text


async def test_a_narrower_terminal_draws_fewer_months(tmp_path: Path) -> None:
    app = build_app(history(tmp_path), tmp_path)
    async with app.run_test(size=(60, 30)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        axis = next(line for line in screen_text(app).splitlines() if "JFM" in line)
        # 27 months a chart at 60 columns: the most recent ones, up to March 2026.
        assert axis.split()[0] == "JASONDJFMAMJJASONDJFMAMJJASONDJFM"[-27:]


async def test_owner_names_are_shown_literally(tmp_path: Path) -> None:
    store = make_store(tmp_path / "w.db")
    incident = sample_incident(store)
    assert incident.id is not None
    store.add_action(incident.id, "Escape this", owner="[bold]mallory[/bold]")
    app = build_app(store, tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert "[bold]mallory[/bold]" in screen_text(app)


# --------------------------------------------------------------------------- pictures


def _stats_keys() -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_stats_screen(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert FIXED.year == 2026  # the ages and months below depend on the fixed clock
    app = build_app(history(tmp_path), tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_stats_keys())
