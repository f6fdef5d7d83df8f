"""Forms keep what is typed across a hang-up: the action-item form, Details, new incident.

Each test types into a form, hangs up the way an SSH drop does (SIGHUP), starts a fresh app
on the same database and drafts folder, and checks the text comes back where it was typed.
"""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from models.store import Store
from models.tables import Incident
from tests.tui.support import build_app, make_store, screen_text
from tui.app import WorkbookApp
from tui.screens.action_form import ActionFormScreen
from tui.screens.entry_dialogs import EditEntryScreen
from tui.screens.incident import IncidentScreen
from tui.screens.new_incident import NewIncidentScreen

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="needs SIGHUP")


async def _hang_up(app: WorkbookApp, pilot: Pilot[None]) -> None:
    await pilot.pause()
    os.kill(os.getpid(), signal.SIGHUP)
    await pilot.pause()
    assert app.return_code == 129


def _drafts_left(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "drafts"
    return sorted(folder.iterdir()) if folder.exists() else []


def _notices(app: WorkbookApp) -> str:
    """The toasts' text as one line (a toast wraps at its own width, right of its bar)."""
    parts = [line.rsplit("▌ ", 1)[1] for line in screen_text(app).splitlines() if "▌ " in line]
    return " ".join(parts)


def _field(app: WorkbookApp, name: str) -> str:
    return app.screen.query_one(f"#field-{name}", Input).value


async def test_new_action_item_survives_a_hang_up(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    assert incident.id is not None
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6", "n")
        await pilot.pause()
        await pilot.press(*"Alert on [b]replica[/b] lag", "enter", *"carol")
        await _hang_up(app, pilot)
    assert len(store.action_items(incident.id)) == 1

    again = build_app(store, tmp_path, incident_id=incident.id)
    async with again.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert "Recovered unsent text: a new action item" in _notices(again)
        await pilot.press("f6", "n")
        await pilot.pause()
        assert isinstance(again.screen, ActionFormScreen)
        assert _field(again, "title") == "Alert on [b]replica[/b] lag"
        assert _field(again, "owner") == "carol"
        assert "recovered" in screen_text(again)
        await pilot.press("ctrl+s")
        await pilot.pause()
    item = store.get_action(incident.id, "AI-2")
    assert (item.title, item.owner) == ("Alert on [b]replica[/b] lag", "carol")
    assert _drafts_left(tmp_path) == []


async def test_action_item_edit_survives_a_hang_up_and_esc_throws_it_away(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    assert incident.id is not None
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6", "enter")
        await pilot.pause()
        await pilot.press("enter", "ctrl+a", "ctrl+k", *"carol")
        await _hang_up(app, pilot)
    assert store.get_action(incident.id, "AI-1").owner == "alice"

    again = build_app(store, tmp_path, incident_id=incident.id)
    async with again.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert "an edit of AI-1 (Enter on it in Actions" in _notices(again)
        await pilot.press("f6", "enter")
        await pilot.pause()
        assert _field(again, "owner") == "carol"
        assert _field(again, "title") == "Alert on DB disk usage at 80%"
        await pilot.press("escape")
        await pilot.pause()
        assert _drafts_left(tmp_path) == []
        await pilot.press("enter")
        await pilot.pause()
        assert _field(again, "owner") == "alice"
    assert store.get_action(incident.id, "AI-1").owner == "alice"


async def test_action_item_edit_is_saved_and_the_draft_dropped(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    assert incident.id is not None
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6", "enter")
        await pilot.pause()
        await pilot.press("enter", "ctrl+a", "ctrl+k", *"dave")
        await pilot.pause()
        assert _drafts_left(tmp_path) != []
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert store.get_action(incident.id, "AI-1").owner == "dave"
    assert _drafts_left(tmp_path) == []


async def test_details_typed_but_not_saved_survive_a_hang_up(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    assert incident.id is not None
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        pct = app.screen.query_one("#detail-users_affected_pct", Input)
        pct.focus()
        await pilot.press(*"150", "enter")  # refused: never saved
        commander = app.screen.query_one("#detail-commander", Input)
        commander.focus()
        await pilot.press(*"erin")  # not yet Enter
        await _hang_up(app, pilot)
    assert store.get_incident(incident.id).users_affected_pct is None

    again = build_app(store, tmp_path, incident_id=incident.id)
    async with again.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert "Details: Commander, Users hit %" in _notices(again)
        await pilot.press("f4")
        await pilot.pause()
        screen = again.screen
        assert screen.query_one("#detail-users_affected_pct", Input).value == "150"
        assert "percentage from 0 to 100" in screen_text(again)
        commander = screen.query_one("#detail-commander", Input)
        assert commander.value == "erin"
        commander.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert store.get_incident(incident.id).commander == "erin"
        assert _drafts_left(tmp_path) != []  # the refused percentage is still kept
        screen.query_one("#detail-users_affected_pct", Input).focus()
        await pilot.press("ctrl+a", "ctrl+k", *"15", "enter")
        await pilot.pause()
    assert store.get_incident(incident.id).users_affected_pct == 15
    assert _drafts_left(tmp_path) == []


async def test_new_incident_form_survives_a_hang_up(tmp_path: Path) -> None:
    store = make_store(tmp_path / "w.db")
    app = build_app(store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Login outage", "enter", "ctrl+a", "ctrl+k", *"sev1")
        await _hang_up(app, pilot)
    assert store.list_incidents() == []

    again = build_app(store, tmp_path)
    async with again.run_test(size=(80, 24), notifications=True) as pilot:
        await again.workers.wait_for_complete()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(again.screen, NewIncidentScreen)
        assert _field(again, "title") == "Login outage"
        assert _field(again, "severity") == "sev1"
        assert _field(again, "timezone") == "UTC"
        assert "Recovered the new incident you were typing" in _notices(again)
        await pilot.press("ctrl+s")
        await again.workers.wait_for_complete()  # the incident is written off the UI thread
        await pilot.pause()
        assert isinstance(again.screen, IncidentScreen)
    (incident,) = store.list_incidents()
    assert (incident.title, incident.severity) == ("Login outage", "SEV-1")
    assert _drafts_left(tmp_path) == []


async def test_esc_throws_the_new_incident_draft_away(tmp_path: Path) -> None:
    store = make_store(tmp_path / "w.db")
    app = build_app(store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Login outage")
        await pilot.pause()
        assert _drafts_left(tmp_path) != []
        await pilot.press("escape")
        await pilot.pause()
        assert _drafts_left(tmp_path) == []
        await pilot.press("n")
        await pilot.pause()
        assert _field(app, "title") == ""
        assert "recovered" not in screen_text(app)


async def test_a_form_opened_but_not_changed_leaves_no_draft(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("up", "enter")
        await pilot.pause()
        assert isinstance(app.screen, EditEntryScreen)
        await _hang_up(app, pilot)
    assert _drafts_left(tmp_path) == []


async def test_a_drafts_folder_that_cannot_be_written_only_warns(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    assert incident.id is not None
    (tmp_path / "drafts").write_text("a file where the folder should be")
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("f6", "n")
        await pilot.pause()
        await pilot.press(*"Page the DB on-call sooner")
        await pilot.pause()
        assert "cannot keep a draft of what you type" in _notices(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("f4")
        app.screen.query_one("#detail-commander", Input).focus()
        await pilot.press(*"erin", "enter")
        await pilot.pause()
        assert store.get_incident(incident.id).commander == "erin"
    assert store.get_action(incident.id, "AI-2").title == "Page the DB on-call sooner"


async def test_new_incident_form_with_a_broken_drafts_folder(tmp_path: Path) -> None:
    store = make_store(tmp_path / "w.db")
    (tmp_path / "drafts").write_text("a file where the folder should be")
    app = build_app(store, tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Login outage")
        await pilot.pause()
        assert "cannot keep a draft of what you type" in _notices(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, IncidentScreen)
    assert [i.title for i in store.list_incidents()] == ["Login outage"]


async def test_an_action_item_the_database_refuses_stays_a_draft(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        with sqlite3.connect(tmp_path / "w.db") as conn:  # another process breaks the table
            conn.execute("ALTER TABLE action_item RENAME TO action_item_gone")
        await pilot.press("f6", "n")
        await pilot.pause()
        await pilot.press(*"Rehearse the failover", "ctrl+s")
        await pilot.pause()
        assert "not added" in _notices(app)
        await pilot.press("n")
        await pilot.pause()
        assert _field(app, "title") == "Rehearse the failover"
