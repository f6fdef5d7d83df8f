"""The full-screen workbook: one factory builds it for the CLI and for the tests."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.driver import Driver
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Input, TextArea

from models.config import Settings
from tui.commands import BindingCommands
from tui.drafts import Drafts, default_drafts_dir
from tui.errors import describe, expected_errors
from tui.messages import (
    ChangesArrived,
    DatabaseChanged,
    DatabaseReachability,
    PresenceChanged,
    StoreFailed,
    StoreOpened,
)
from tui.screens.incident_list import IncidentListScreen
from tui.writer import ReachabilityChanged, Write, Writer, WriteSettled

if TYPE_CHECKING:
    from models.change_feed import ChangeFeed
    from models.listing import IncidentRow
    from models.presence import Me
    from models.store import Store
    from tui.terminal import TerminalLost


POLL_SECONDS = 0.5  # SQLite's data_version; PostgreSQL's listener wakes the app itself
HEARTBEAT_SECONDS = 10.0  # models.presence.HEARTBEAT_SECONDS (not imported: SQLAlchemy)
LAST_WRITES_SECONDS = 3.0  # at exit, how long writes in hand get to land (the rest stay drafts)
# Leaving on a lost terminal, SIGHUP or SIGTERM must be over within 2 s: writes in hand get
# less time (the ones that do not land are drafts already, and are written next time).
LEAVING_WRITES_SECONDS = 1.0


class WorkbookApp(App[None]):
    """Incident Workbook. Build it with :func:`make_app`."""

    TITLE = "Incident Workbook"
    HELP_GROUP: ClassVar[str] = "Workbook"
    # The list's rules load with the app's: it is the first screen, and loading a screen's
    # own CSS when it is shown restyles the whole app once more before the first frame.
    CSS_PATH: ClassVar[list[str | PurePath]] = ["app.tcss", "screens/incident_list.tcss"]
    COMMANDS = App.COMMANDS | {BindingCommands}
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-narrow"),
        (120, "-wide"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            id="app.quit",
            tooltip="Leave the workbook; everything logged is already saved",
            priority=True,
        ),
        Binding(
            "f1",
            "help",
            "Help",
            id="app.help",
            tooltip="Show every key of this screen and the quick-entry syntax",
        ),
    ]

    def __init__(
        self,
        *,
        store: Store | Callable[[], Store],
        settings: Settings,
        clock: Callable[[], datetime] | None = None,
        incident_id: int | None = None,
        drafts: Drafts | None = None,
        database: str | None = None,
        first_rows: list[IncidentRow] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.initial_incident_id = incident_id
        self._store_ready: Future[Store] = Future()
        self._open_store: Callable[[], Store] | None = None
        if callable(store):
            if clock is None or database is None:
                raise ValueError("a store opened later needs its clock and database named")
            self._open_store = store
        else:
            self._store_ready.set_result(store)
            clock = clock or store.clock
            database = database or str(store.engine.url)
        assert clock is not None and database is not None
        self.clock: Callable[[], datetime] = clock
        self.drafts = drafts or Drafts(default_drafts_dir(), database)
        self._first_rows = first_rows
        self._feed: ChangeFeed | None = None
        self._poll_failed = False
        self.database_reachable = True
        self.me: Me | None = None  # this session in the presence table, once the store is open
        self._present: list[int] = []  # incidents open on screens here, the newest last
        self._beating = False  # a heartbeat is on its way
        self._beat_again = False  # … and what is open changed meanwhile
        self._was_present = False  # our row is in the table
        self._draft_failed = False
        self._freezes = 0
        self._hangup_handlers: list[Callable[[], None]] = []
        self._last_writes_seconds = LAST_WRITES_SECONDS
        self._leaving = False
        self.writer = Writer(self, lambda: self.store)

    @property
    def store(self) -> Store:
        """The open store; waits for it while it is still being opened (a moment at most)."""
        return self._store_ready.result()

    @property
    def store_is_open(self) -> bool:
        return self._store_ready.done() and self._store_ready.exception() is None

    def take_first_rows(self) -> list[IncidentRow] | None:
        """The incident list rows read before the store was open, once."""
        rows, self._first_rows = self._first_rows, None
        return rows

    # -- life cycle ---------------------------------------------------------------------

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, with a watch for a terminal that goes away (see tui.terminal)."""
        driver = super().get_driver_class()
        if os.name != "posix":
            return driver
        from textual.drivers.linux_driver import LinuxDriver

        from tui.terminal import GuardedDriver

        return GuardedDriver if driver is LinuxDriver else driver

    def get_default_screen(self) -> Screen[Any]:
        # The list is the bottom of the stack from the start: pushing it over a blank
        # default screen would cost the first frame a whole screen's layout.
        return IncidentListScreen()

    def on_mount(self) -> None:
        theme = str(self.settings.theme or "textual-dark")
        if theme in self.available_themes:
            self.theme = theme
        else:
            self.notify(
                f"unknown theme {theme!r}; using textual-dark (see `workbook config`)",
                severity="warning",
            )
        if self.initial_incident_id is not None:
            self.open_incident(self.initial_incident_id)
        self._install_signal_handlers()
        if self._open_store is None:
            self._start_watching()
        else:
            self.call_after_refresh(self._open_store_in_thread, self._open_store)

    def on_unmount(self) -> None:
        self.writer.finish(self._last_writes_seconds)
        self._remove_signal_handlers()
        gc.unfreeze()  # see settle_long_lived: once the app is gone, all may be collected
        if self._feed is not None:
            self._feed.close()
        if self.store_is_open:
            self.store.release()

    @work(thread=True, exclusive=True, group="open-store", exit_on_error=False)
    def _open_store_in_thread(self, opener: Callable[[], Store]) -> None:
        try:
            store = opener()
        except BaseException as exc:
            self._store_ready.set_exception(exc)
            self.post_message(StoreFailed(exc))
            return
        self._store_ready.set_result(store)
        self.post_message(StoreOpened())

    @on(StoreOpened)
    def _store_opened(self) -> None:
        self._start_watching()
        # Anything committed between the first read and now shows up with this reload.
        self.broadcast_database_changed()

    @on(StoreFailed)
    def _store_failed(self, event: StoreFailed) -> None:
        self.notify(
            f"cannot open the database: {describe(event.error)}; the list shown may be out of "
            "date and nothing can be saved: put that right, then start workbook again",
            severity="error",
            timeout=30,
        )

    @on(WriteSettled)
    def _write_settled(self, event: WriteSettled) -> None:
        self.writer.settle(event.outcome)

    def _start_watching(self) -> None:
        from models.change_feed import SQLiteChanges, open_change_feed
        from models.presence import Me

        self.me = Me(author=self.store.author)
        self._feed = open_change_feed(
            self.store.engine,
            wake=lambda: self.post_message(ChangesArrived()),
            on_reachability=lambda ok, why: self.post_message(ReachabilityChanged(ok, why)),
        )
        self.poll_database()  # remember the starting version
        if isinstance(self._feed, SQLiteChanges):
            self.set_interval(POLL_SECONDS, self.poll_database, name="data-version-poll")
        self.set_interval(HEARTBEAT_SECONDS, self.heartbeat, name="presence-heartbeat")
        self.heartbeat()

    @on(ChangesArrived)
    def _changes_arrived(self) -> None:
        self.poll_database()

    @on(ReachabilityChanged)
    def _reachability_changed(self, event: ReachabilityChanged) -> None:
        if event.reachable == self.database_reachable:
            return
        self.database_reachable = event.reachable
        if event.reachable:
            self.writer.try_now()
            self.notify("The database is back: waiting changes are being written.", timeout=5)
            self.broadcast_database_changed()  # what others wrote meanwhile
        else:
            self.notify(
                f"The database cannot be reached ({event.why}). Keep typing: entries are kept "
                "as drafts and written, in order, when it is back.",
                severity="warning",
                timeout=10,
            )
        for screen in self.screen_stack:
            screen.post_message(DatabaseReachability(event.reachable, event.why))

    # -- presence ------------------------------------------------------------------------

    def enter_incident(self, incident_id: int) -> None:
        """An incident screen opened: others see us there within moments."""
        self._present.append(incident_id)
        self.heartbeat()

    def leave_incident(self, incident_id: int) -> None:
        if incident_id in self._present:
            self._present.reverse()
            self._present.remove(incident_id)
            self._present.reverse()
        self.heartbeat()

    def heartbeat(self) -> None:
        """Tell the presence table where we are (through the writer, like every write)."""
        if self.me is None or not self.store_is_open:
            return
        incident_id = self._present[-1] if self._present else None
        if incident_id is None and not self._was_present:
            return
        if self._beating:  # one at a time: a database that is away must not pile them up
            self._beat_again = True
            return
        self._beating = True
        me = self.me

        def beat(store: Store) -> None:
            from models.presence import PresenceBook

            PresenceBook(store.engine).beat(me, incident_id)

        def settled(landed: bool) -> None:
            self._beating = False
            if landed:
                self._was_present = incident_id is not None
            if self._beat_again:
                self._beat_again = False
                self.heartbeat()

        self.writer.submit(
            Write(beat, lambda _: settled(True), lambda _: settled(False), background=True)
        )

    def _leave_everything(self) -> None:
        """At exit: take our row out (it would count as gone within a minute anyway)."""
        self._present.clear()
        self._beating = False  # the writer runs writes in order: this lands after the last
        self.heartbeat()

    def keep_draft(self, incident_id: int, key: str, text: str, *, or_else: str) -> None:
        """Keep typed text as a draft; a disk that refuses is said once, ending in ``or_else``.

        A broken drafts folder is broken for every field of every screen: one warning is
        enough, and typing goes on either way.
        """
        self.keep_drafts(incident_id, {key: text}, or_else=or_else)

    def keep_drafts(self, incident_id: int, texts: dict[str, str], *, or_else: str) -> None:
        """Keep (or, with an empty text, drop) several drafts with one write of the file."""
        try:
            self.drafts.save_many(incident_id, texts)
        except OSError as exc:
            if not self._draft_failed:
                self._draft_failed = True
                self.notify(
                    f"cannot keep a draft of what you type ({describe(exc)}); {or_else}",
                    severity="warning",
                )

    def settle_long_lived(self) -> None:
        """Take what is loaded now out of the cyclic collector's rounds.

        An incident's log lives until the next reload: with 10,000 entries that is a few
        hundred thousand objects, and Textual and SQLAlchemy are as many again. Left in
        the collector's generations, every young collection walks the newest of them
        (10 to 15 ms in the middle of logging an entry) and every full one all of them
        (0.2 s). Frozen, they are skipped, and still freed by reference counting when a
        reload replaces them. What is frozen is never collected as a cycle, so every
        hundredth time everything goes back for one full collection (about 35 KB a reload
        would be kept otherwise).
        """
        self._freezes += 1
        if self._freezes % 100 == 0:
            gc.unfreeze()
            gc.collect()
        gc.freeze()

    def open_incident(
        self, incident_id: int, *, entry_id: int | None = None, tab: str | None = None
    ) -> None:
        """Open an incident; with ``entry_id`` that timeline entry selected, with ``tab``
        (``tab-writeup``, ``tab-actions``, …) that tab shown."""
        from tui.screens.incident import IncidentScreen

        self.push_screen(IncidentScreen(incident_id, entry_id=entry_id, tab=tab))

    def now(self) -> datetime:
        return self.clock()

    # -- quiet cursors -----------------------------------------------------------------

    def quiet_cursors(self, root: Screen[Any]) -> None:
        """Apply the cursor_blink setting to every text field of a screen.

        A blinking cursor redraws twice a second: over SSH that is a steady trickle of
        bytes, so it stays off unless the user asked for it.
        """
        blink = bool(self.settings.cursor_blink)
        for widget in root.query(Input):
            widget.cursor_blink = blink
        for area in root.query(TextArea):
            area.cursor_blink = blink

    # -- live refresh --------------------------------------------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Show a notification as plain text, whatever the caller asked.

        Messages here quote database errors, file names and user text; brackets in them
        are data, never markup (Widget.notify would pass ``markup=True`` on).
        """
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def poll_database(self) -> None:
        """Reload what is shown if anyone committed since the last look (cheap)."""
        if self._feed is None:
            return
        try:
            changed = self._feed.poll()
        except expected_errors() as exc:
            if not self._poll_failed:
                self._poll_failed = True
                self.notify(
                    f"cannot check the database for changes ({exc.__class__.__name__}); "
                    "other responders' entries may not appear until it is readable again",
                    severity="warning",
                    timeout=10,
                )
            return
        self._poll_failed = False
        if "record" in changed:
            self.broadcast_database_changed()
        if "presence" in changed:
            for screen in self.screen_stack:
                screen.post_message(PresenceChanged())

    def broadcast_database_changed(self) -> None:
        for screen in self.screen_stack:
            screen.post_message(DatabaseChanged())

    # -- hang-up -------------------------------------------------------------------------

    def add_hangup_handler(self, handler: Callable[[], None]) -> None:
        """Run ``handler`` (save what is typed) when the terminal goes away or the app ends."""
        self._hangup_handlers.append(handler)

    def remove_hangup_handler(self, handler: Callable[[], None]) -> None:
        if handler in self._hangup_handlers:
            self._hangup_handlers.remove(handler)

    def run_hangup_handlers(self) -> None:
        for handler in list(self._hangup_handlers):
            try:
                handler()
            except expected_errors() as exc:
                self.log.error(f"saving a draft failed: {exc}")

    def _install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for signum, code in _LEAVING_SIGNALS:
            try:
                loop.add_signal_handler(signum, self.leave, code)
            except (NotImplementedError, RuntimeError, ValueError):
                continue

    def _remove_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for signum, _ in _LEAVING_SIGNALS:
            try:
                loop.remove_signal_handler(signum)
            except (NotImplementedError, RuntimeError, ValueError):
                continue

    @property
    def leaving(self) -> bool:
        """True once the app is on its way out because the terminal went or a signal came."""
        return self._leaving

    def leave(self, return_code: int) -> None:
        """The terminal went, or we were told to stop: save every draft and exit, once."""
        if self._leaving:
            return
        self._leaving = True
        self._last_writes_seconds = LEAVING_WRITES_SECONDS
        self.run_hangup_handlers()
        self._leave_everything()
        self.exit(return_code=return_code)

    def on_terminal_lost(self, event: TerminalLost) -> None:
        from tui.terminal import HANGUP_EXIT_CODE

        self.log.warning(f"leaving: {event.why}")
        self.leave(HANGUP_EXIT_CODE)

    # -- actions -------------------------------------------------------------------------

    async def action_quit(self) -> None:
        self.run_hangup_handlers()
        self._leave_everything()
        self.exit()

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))


# Signals that end the workbook the way a hang-up does, with the exit status a shell
# reports for a process they killed (128 + the signal's number).
_LEAVING_SIGNALS: list[tuple[signal.Signals, int]] = [
    (sig, 128 + sig.value)
    for sig in (getattr(signal, "SIGHUP", None), getattr(signal, "SIGTERM", None))
    if sig is not None
]


def make_app(
    *,
    store: Store | Callable[[], Store],
    settings: Settings,
    clock: Callable[[], datetime] | None = None,
    incident_id: int | None = None,
    drafts_dir: Path | None = None,
    database: str | None = None,
    first_rows: list[IncidentRow] | None = None,
) -> WorkbookApp:
    """Build the workbook app from explicit parts: the CLI and every test go through here.

    ``store`` is an open store, or a function that opens one: then ``clock`` and
    ``database`` (its URL, which names its drafts) are needed, and ``first_rows`` lets the
    incident list be drawn before the store is open.
    """
    if database is None and not callable(store):
        database = str(store.engine.url)
    drafts = Drafts(drafts_dir, database) if drafts_dir is not None and database else None
    return WorkbookApp(
        store=store,
        settings=settings,
        clock=clock,
        incident_id=incident_id,
        drafts=drafts,
        database=database,
        first_rows=first_rows,
    )
