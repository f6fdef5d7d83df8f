"""The full-screen workbook: one factory builds it for the CLI and for the tests."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy.exc import SQLAlchemyError
from textual.app import App
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Input, TextArea

from models.config import Settings
from models.store import Store
from tui.commands import BindingCommands
from tui.drafts import Drafts, default_drafts_dir
from tui.live import DataVersionWatcher
from tui.messages import DatabaseChanged

POLL_SECONDS = 0.5


class WorkbookApp(App[None]):
    """Incident Workbook. Build it with :func:`make_app`."""

    TITLE = "Incident Workbook"
    HELP_GROUP: ClassVar[str] = "Workbook"
    CSS_PATH = "app.tcss"
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
        store: Store,
        settings: Settings,
        clock: Callable[[], datetime] | None = None,
        incident_id: int | None = None,
        drafts: Drafts | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self.clock: Callable[[], datetime] = clock or store.clock
        self.initial_incident_id = incident_id
        self.drafts = drafts or Drafts(default_drafts_dir(), str(store.engine.url))
        self._watcher = DataVersionWatcher(store.engine)
        self._poll_failed = False
        self._hangup_handlers: list[Callable[[], None]] = []

    # -- life cycle ---------------------------------------------------------------------

    def on_mount(self) -> None:
        theme = str(self.settings.theme or "textual-dark")
        if theme in self.available_themes:
            self.theme = theme
        else:
            self.notify(
                f"unknown theme {theme!r}; using textual-dark (see `workbook config`)",
                severity="warning",
            )
        from tui.screens.incident_list import IncidentListScreen

        self.push_screen(IncidentListScreen())
        if self.initial_incident_id is not None:
            self.open_incident(self.initial_incident_id)
        self.poll_database()  # remember the starting version
        self.set_interval(POLL_SECONDS, self.poll_database, name="data-version-poll")
        self._install_hangup_handler()

    def on_unmount(self) -> None:
        self._remove_hangup_handler()
        self._watcher.close()

    def open_incident(self, incident_id: int) -> None:
        from tui.screens.incident import IncidentScreen

        self.push_screen(IncidentScreen(incident_id))

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
        try:
            changed = self._watcher.changed()
        except SQLAlchemyError as exc:
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
        if changed:
            self.broadcast_database_changed()

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
            except (OSError, ValueError, SQLAlchemyError) as exc:
                self.log.error(f"saving a draft failed: {exc}")

    def _install_hangup_handler(self) -> None:
        if not hasattr(signal, "SIGHUP"):
            return
        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._hung_up)
        except (NotImplementedError, RuntimeError, ValueError):
            return

    def _remove_hangup_handler(self) -> None:
        if not hasattr(signal, "SIGHUP"):
            return
        try:
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        except (NotImplementedError, RuntimeError, ValueError):
            return

    def _hung_up(self) -> None:
        self.run_hangup_handlers()
        self.exit(return_code=129)

    # -- actions -------------------------------------------------------------------------

    async def action_quit(self) -> None:
        self.run_hangup_handlers()
        self.exit()

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))


def make_app(
    *,
    store: Store,
    settings: Settings,
    clock: Callable[[], datetime] | None = None,
    incident_id: int | None = None,
    drafts_dir: Path | None = None,
) -> WorkbookApp:
    """Build the workbook app from explicit parts: the CLI and every test go through here."""
    drafts = Drafts(drafts_dir, str(store.engine.url)) if drafts_dir is not None else None
    return WorkbookApp(
        store=store, settings=settings, clock=clock, incident_id=incident_id, drafts=drafts
    )


def run_app(
    *,
    store: Store,
    settings: Settings,
    clock: Callable[[], datetime] | None = None,
    incident_id: int | None = None,
) -> None:
    make_app(store=store, settings=settings, clock=clock, incident_id=incident_id).run()
