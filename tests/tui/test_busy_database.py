"""Another process holds the database's write lock: the screen goes on, the writes wait.

A second connection takes SQLite's write lock with ``BEGIN IMMEDIATE``. While it holds it,
a logged entry shows as a pending row and is kept as a draft; typing, tabs and the timeline
keep answering; once the lock is let go the entry lands, exactly once, also when the
session was dropped in between.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Input, TabbedContent

from models.store import Store
from models.tables import Incident
from tests.tui.support import build_app, screen_text
from tui.widgets.timeline import Timeline


@pytest.fixture
def lock_holder(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """Another process's connection, holding the write lock until the test lets go."""
    conn = sqlite3.connect(tmp_path / "w.db", isolation_level=None, timeout=0)
    conn.execute("BEGIN IMMEDIATE")
    yield conn
    if conn.in_transaction:
        conn.rollback()
    conn.close()


def _texts(store: Store, incident: Incident) -> list[str]:
    assert incident.id is not None
    return [e.text for e in store.entries(incident.id)]


def _row(app: App[object], text: str) -> str:
    return next(line for line in screen_text(app).splitlines() if text in line)


def _pending_drafts(tmp_path: Path) -> list[dict[str, object]]:
    found = []
    for path in (tmp_path / "drafts").glob("*.json"):
        for key, raw in json.loads(path.read_text()).items():
            if key.startswith("pending:"):
                found.append(json.loads(raw))
    return found


async def test_an_entry_waits_for_the_lock_and_the_screen_does_not(
    tmp_path: Path, world: tuple[Store, Incident], lock_holder: sqlite3.Connection
) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*"failover done #mit", "enter")
        await pilot.pause()
        # On screen at once, marked pending; on disk not yet, but kept as a draft.
        timeline = app.screen.query_one(Timeline)
        assert timeline.row_count == 7
        assert _row(app, "failover done").startswith("…")
        assert "failover done" not in _texts(store, incident)
        assert [d["text"] for d in _pending_drafts(tmp_path)] == ["failover done"]
        assert app.writer.outstanding == 1

        # Everything else answers while the write waits.
        await pilot.press(*"next thought")
        assert app.screen.query_one("#quick-entry", Input).value == "next thought"
        await pilot.press("f4")
        assert app.screen.query_one("#tabs", TabbedContent).active == "tab-details"
        await pilot.press("f2", "up")
        assert app.focused is timeline

        lock_holder.rollback()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert _texts(store, incident).count("failover done") == 1
        assert app.writer.outstanding == 0
        assert _pending_drafts(tmp_path) == []
        assert not _row(app, "failover done").startswith("…")


async def test_entries_typed_while_locked_land_in_the_order_typed(
    tmp_path: Path, world: tuple[Store, Incident], lock_holder: sqlite3.Connection
) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        for n in range(3):
            await pilot.press(*f"step {n}", "enter")
        await pilot.pause()
        assert app.screen.query_one(Timeline).row_count == 9
        lock_holder.rollback()
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert incident.id is not None
    steps = [e for e in store.entries(incident.id) if e.text.startswith("step")]
    assert [e.text for e in steps] == ["step 0", "step 1", "step 2"]
    assert [e.id for e in steps] == sorted(e.id for e in steps if e.id is not None)


async def test_an_entry_sent_before_a_hang_up_lands_once_next_time(
    tmp_path: Path,
    world: tuple[Store, Incident],
    lock_holder: sqlite3.Connection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tui.app.LAST_WRITES_SECONDS", 0.05)
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press(*"paged the network team #esc", "enter")
        await pilot.pause()
        os.kill(os.getpid(), signal.SIGHUP)
        await pilot.pause()
    assert app.return_code == 129
    assert [d["text"] for d in _pending_drafts(tmp_path)] == ["paged the network team"]
    lock_holder.rollback()

    again = build_app(store, tmp_path, incident_id=incident.id)
    async with again.run_test(size=(80, 24), notifications=True) as pilot:
        await again.workers.wait_for_complete()
        await pilot.pause()
        await again.workers.wait_for_complete()
        await pilot.pause()
    # Whether the first session's last try got through or this one logged it: once.
    assert _texts(store, incident).count("paged the network team") == 1
    assert _pending_drafts(tmp_path) == []
