"""A database that breaks under the open app: a message saying so, the app stays up."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from models.store import Store
from models.tables import Incident
from tests.tui.support import build_app, screen_text
from tui.app import WorkbookApp
from tui.screens.incident import IncidentScreen
from tui.screens.incident_list import IncidentListScreen


async def _settled(app: WorkbookApp, pilot: Pilot[None]) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def _break_table(path: Path, table: str) -> None:
    """Another process on the host renames a table: every read of it fails from now on."""
    with sqlite3.connect(path) as conn:
        conn.execute(f"ALTER TABLE {table} RENAME TO {table}_gone")


async def test_a_failed_reload_of_the_incident_keeps_the_app_and_the_rows(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        before = screen_text(app)
        # Our own heartbeat is seen first: a foreign commit in the same half second as one
        # of our heartbeats is only noticed with the next change (models.change_feed).
        app.poll_database()
        _break_table(tmp_path / "w.db", "timeline_entry")
        app.poll_database()
        await _settled(app, pilot)
        assert app.is_running
        assert isinstance(app.screen, IncidentScreen)
        assert "cannot reload the incident" in screen_text(app)
        # what was read last is still on screen
        assert before.splitlines()[3] in screen_text(app)


async def test_a_failed_log_keeps_the_typed_line(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        _break_table(tmp_path / "w.db", "timeline_entry")
        await pilot.press(*"rolled back the deploy #mit", "enter")
        await _settled(app, pilot)
        assert app.is_running
        assert app.screen.query_one("#quick-entry", Input).value == "rolled back the deploy #mit"


async def test_a_failed_read_of_the_list_keeps_the_app(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, _ = world
    app = build_app(store, tmp_path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.poll_database()  # as above: anything of ours is seen first
        _break_table(tmp_path / "w.db", "timeline_entry")
        app.poll_database()
        await _settled(app, pilot)
        assert app.is_running
        assert isinstance(app.screen, IncidentListScreen)
        assert "cannot read the incidents" in screen_text(app)


async def test_notifications_show_brackets_as_typed(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await app.workers.wait_for_complete()
        app.screen.notify("no such file: /srv/[bold]docs[/bold]")
        await pilot.pause()
        assert "/srv/[bold]docs[/bold]" in screen_text(app)
