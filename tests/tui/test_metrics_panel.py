"""The metrics panel: every milestone with its figure, and the impact the incident states,
in the side panel at 120 columns and on the Metrics tab at 80×24."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.store import Store
from models.tables import Incident
from tests.tui.support import build_app, screen_text
from tui.app import WorkbookApp

SIZES = [(80, 24), (120, 40)]


async def _figures(app: WorkbookApp, size: tuple[int, int]) -> list[str]:
    """The panel's lines as the terminal shows them, label first."""
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        if size[0] < 100:  # no side panel: the Metrics tab
            await pilot.press("f3")
            await pilot.pause()
        text = screen_text(app)
    inside = [line.split("▊", 1)[-1].split("▏ ", 1)[-1] for line in text.splitlines()]
    return [" ".join(line.rstrip(" ▎").split()) for line in inside]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_cause_found_shows_the_time_to_cause(
    tmp_path: Path, world: tuple[Store, Incident], size: tuple[int, int]
) -> None:
    store, incident = world
    lines = await _figures(build_app(store, tmp_path, incident_id=incident.id), size)
    # Impact at 00:00 (Berlin), cause found at 00:40: like the other milestones.
    assert "Cause found 40m at 00:40 ↵" in lines
    assert "Escalate 30m at 00:30 ↵" in lines


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_impact_the_incident_states_is_shown(
    tmp_path: Path, world: tuple[Store, Incident], size: tuple[int, int]
) -> None:
    store, incident = world
    assert incident.id is not None
    store.update_incident(
        incident.id,
        {
            "users_affected_pct": 12.5,
            "users_affected": 4000,
            "transactions_lost": 5120,
            "revenue_lost": 50000.0,
            "currency": "USD",
            "slo_target_pct": 99.9,
        },
    )
    lines = await _figures(build_app(store, tmp_path, incident_id=incident.id), size)
    figures = [
        "Users affected 12.5% (4,000 users)",
        "Transactions 5,120 lost",
        "Revenue 50,000 USD lost",
        "User-minutes 220,000",  # 4,000 users for 55 minutes so far
        "Error budget 15.9% consumed",
    ]
    start = lines.index("Escalations 1 ↵") + 1
    assert lines[start : start + len(figures)] == figures
    # All of it on one 80×24 screen, the warning below the figures included.
    assert any(line.startswith("⚠ Not resolved yet") for line in lines)


async def test_unknown_impact_figures_are_left_out(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    assert incident.id is not None
    store.update_incident(incident.id, {"users_affected": 350, "revenue_lost": 1234.5})
    lines = await _figures(build_app(store, tmp_path, incident_id=incident.id), (80, 24))
    start = lines.index("Escalations 1 ↵") + 1
    assert lines[start : start + 3] == [
        "Users affected 350 users",
        "Revenue 1,234.50 lost",  # no currency given: none made up
        "User-minutes 19,250",
    ]
    assert not any(line.startswith(("Transactions", "Error budget")) for line in lines)
