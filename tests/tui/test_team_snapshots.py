"""Pictures of what a team sees at 80×24 and 120×40: who else is here, and a database away."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from models.presence import Me, PresenceBook
from tests.tui.support import build_app, make_store, sample_incident
from tui.writer import ReachabilityChanged

SIZES = [(80, 24), (120, 40)]


def _size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def _app(tmp_path: Path, *, open_incident: bool) -> Any:
    store = make_store(tmp_path / "w.db")
    incident = sample_incident(store)
    store.create_incident("Search is slow", timezone="UTC", severity="SEV-4")
    assert incident.id is not None
    book = PresenceBook(store.engine)
    for me in (Me("bob", host="jump-1"), Me("carol", host="jump-2"), Me("bob", host="laptop")):
        book.beat(me, incident.id)
    return build_app(store, tmp_path, incident_id=incident.id if open_incident else None)


async def _settled(pilot: Pilot[Any]) -> None:
    for _ in range(3):  # the screen's read, then who is here, then the heartbeat's echo
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=_size_id)
def test_incident_screen_says_who_else_is_here(
    snap_compare: Any, tmp_path: Path, size: tuple[int, int]
) -> None:
    app = _app(tmp_path, open_incident=True)
    assert snap_compare(app, terminal_size=size, run_before=_settled)


@pytest.mark.parametrize("size", SIZES, ids=_size_id)
def test_incident_list_counts_who_is_in_each_incident(
    snap_compare: Any, tmp_path: Path, size: tuple[int, int]
) -> None:
    app = _app(tmp_path, open_incident=False)
    assert snap_compare(app, terminal_size=size, run_before=_settled)


@pytest.mark.parametrize("size", SIZES, ids=_size_id)
def test_incident_screen_while_the_database_is_away(
    snap_compare: Any, tmp_path: Path, size: tuple[int, int]
) -> None:
    app = _app(tmp_path, open_incident=True)

    async def run_before(pilot: Pilot[Any]) -> None:
        await _settled(pilot)
        pilot.app.post_message(ReachabilityChanged(False, "connection refused"))
        await _settled(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
