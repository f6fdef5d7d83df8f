"""Related incidents on an incident: F9 lists earlier incidents like it, Enter opens one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from models.store import Store
from tests.tui.support import FIXED, build_app, make_store, sample_incident, screen_text
from tui.screens.incident import IncidentScreen
from tui.screens.related import RelatedScreen


def world(tmp_path: Path) -> tuple[Store, int, int]:
    store = make_store(tmp_path / "w.db")
    current = sample_incident(store)
    assert current.id is not None
    earlier = store.create_incident(
        "Checkout [b]database[/b] failover stalls",
        timezone="UTC",
        services=["checkout"],
        started_at=FIXED - timedelta(days=90),
    )
    assert earlier.id is not None
    store.update_incident(earlier.id, {"root_cause": "Disk full on the primary\nthen more"})
    store.create_incident("Printer jam", timezone="UTC", started_at=FIXED - timedelta(days=30))
    return store, current.id, earlier.id


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_f9_lists_earlier_incidents_and_enter_opens_one(tmp_path: Path) -> None:
    store, current, earlier = world(tmp_path)
    app = build_app(store, tmp_path, incident_id=current)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, RelatedScreen)
        text = screen_text(app)
        assert "Checkout [b]database[/b] failover stalls" in text
        assert "shares: service checkout · words checkout, database, failover" in text
        assert "root cause: Disk full on the primary" in text
        assert "Printer jam" not in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, IncidentScreen)
        assert app.screen.incident_id == earlier
        await pilot.press("f9")
        await settle(pilot)
        assert "No earlier incident shares" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, IncidentScreen)


def _related_keys() -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_related_dialog(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    store, current, _ = world(tmp_path)
    app = build_app(store, tmp_path, incident_id=current)
    assert snap_compare(app, terminal_size=size, run_before=_related_keys())
