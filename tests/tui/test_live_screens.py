"""The shared base of the screens: results handed over as messages, failures said once,
covered screens reloaded when shown again; and the list and stats screens built on it."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import Static
from textual.worker import WorkerFailed

from models.store import Store
from tests.tui.support import build_app, make_store, sample_incident, screen_text
from tui.screens.base import WorkbookScreen
from tui.screens.incident_list import IncidentListScreen
from tui.screens.stats import StatsScreen


class _Counting(WorkbookScreen[None]):
    """Each run of its worker waits for its own event, then hands over its number."""

    WORKER_FAILURES: ClassVar[dict[str, str]] = {"count": "cannot count: {why}"}

    @dataclass
    class Counted(Message, bubble=False):
        number: int

    def __init__(self) -> None:
        super().__init__()
        self.gates: list[threading.Event] = []
        self.ended: list[threading.Event] = []
        self.shown: list[int] = []
        self.failures: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("counting")

    def start(self, *, fail: bool = False) -> None:
        self.gates.append(threading.Event())
        self.ended.append(threading.Event())
        self._count(len(self.gates), self.gates[-1], self.ended[-1], fail)

    @work(thread=True, exclusive=True, group="count", exit_on_error=False)
    def _count(
        self, number: int, gate: threading.Event, ended: threading.Event, fail: bool
    ) -> None:
        gate.wait(timeout=30)
        if fail:
            raise OSError(28, "No space left on device")
        self.hand_over(self.Counted(number))
        ended.set()

    @on(Counted)
    def _counted(self, event: Counted) -> None:
        self.shown.append(event.number)

    def worker_failed(self, group: str, message: str) -> None:
        self.failures.append(message)


class _CountingApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(_Counting())


async def test_a_replaced_run_hands_nothing_over_even_when_it_ends_last() -> None:
    app = _CountingApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, _Counting)
        screen.start()
        await pilot.pause()  # its thread is running, waiting at its gate
        screen.start()  # replaces the first, whose thread cannot be stopped
        screen.gates[1].set()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen.gates[0].set()  # the replaced run now ends, after the newer one
        assert await asyncio.to_thread(screen.ended[0].wait, 30)
        await pilot.pause()
        assert screen.shown == [2]


async def test_a_failed_run_is_said_once_from_worker_failures() -> None:
    app = _CountingApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, _Counting)
        screen.start(fail=True)
        screen.gates[0].set()
        with suppress(WorkerFailed):
            await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.failures == ["cannot count: no space left on device"]
        assert screen.shown == []


async def test_s_steps_through_the_sort_orders(tmp_path: Path) -> None:
    store = make_store(tmp_path / "w.db")
    sample_incident(store)  # SEV-2, started on the fixed day
    store.create_incident("Another search outage", timezone="UTC", severity="SEV-4")
    store.create_incident("Billing emails late", timezone="UTC", severity="SEV-1")
    app = build_app(store, tmp_path)
    async with app.run_test(size=(100, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, IncidentListScreen)

        def titles() -> list[str]:
            return [line.row.title for line in screen.table.rows]

        assert screen.sort_by == "started"
        assert "sorted by newest first" in screen_text(app)
        await pilot.press("s")
        assert screen.sort_by == "severity"
        assert titles() == [
            "Billing emails late",
            "Checkout database failover",
            "Another search outage",
        ]
        assert "3 incidents · sorted by severity · Enter opens" in screen_text(app)
        await pilot.press("s", "s")
        assert screen.sort_by == "title"
        assert titles() == sorted(titles())
        await pilot.press("s")
        assert screen.sort_by == "started"


async def test_a_list_two_screens_down_reloads_when_it_is_shown_again(tmp_path: Path) -> None:
    store = make_store(tmp_path / "w.db")
    sample_incident(store)
    app = build_app(store, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        listing = app.screen
        assert isinstance(listing, IncidentListScreen)
        await pilot.press("S")
        await app.workers.wait_for_complete()
        await pilot.pause()
        figures = app.screen
        assert isinstance(figures, StatsScreen)
        await pilot.press("f1")  # help over the figures over the list
        await pilot.pause()
        bob = make_store(tmp_path / "w.db", author="bob")
        bob.create_incident("Search is slow", timezone="UTC")
        app.poll_database()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert listing.stale and "Search is slow" not in [r.title for r in listing.all_rows]
        assert not figures.stale  # right below the help: Textual counts it as shown
        await pilot.press("escape")
        await pilot.pause()
        assert "2 incidents (0 resolved, 2 ongoing)" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is listing and not listing.stale
        assert "Search is slow" in screen_text(app)


async def test_a_failed_read_of_the_figures_is_said_on_the_status_line(
    tmp_path: Path,
) -> None:
    store: Store = make_store(tmp_path / "w.db")
    sample_incident(store)
    app = build_app(store, tmp_path)
    async with app.run_test(size=(160, 30), notifications=True) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        with sqlite3.connect(tmp_path / "w.db") as conn:
            conn.execute("ALTER TABLE timeline_entry RENAME TO timeline_entry_gone")
        await pilot.press("S")
        with suppress(WorkerFailed):
            await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        text = screen_text(app)
        assert "Could not read the incidents; the figures may be out of date." in text
        assert "cannot work out the figures" in text
