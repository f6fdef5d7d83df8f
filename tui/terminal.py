"""Leaving when the terminal goes away, however the session was set up.

A workbook started in a session of its own (``su -c``, ``setsid``, some ``sudo`` and SSH
``ForceCommand`` set-ups, a dropped link whose hangup never arrives) gets no SIGHUP when
its terminal goes: its input just hangs up. Textual 8.2.8's input thread then reads
nothing, over and over, at a full core, for ever (Textualize/textual pull request 6690
fixes it upstream, unreleased as of 8.2.8). :class:`GuardedDriver` is Textual's own Linux
driver with a watch on the input: a hangup or an error on it stops the reading, silences
the output and tells the app (:class:`TerminalLost`), which saves every draft and leaves.

Keep this guard until the pinned Textual has the fix, and a test shows it:
``tests/e2e/test_terminal_loss.py::test_bare_textual_still_spins_when_its_terminal_goes``
is a strict xfail on a bare Textual app, so the upgrade that fixes the bug makes it XPASS
and fail the suite; only then may the guard go.
"""

from __future__ import annotations

import os
import select
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App

HANGUP_EXIT_CODE = 129  # 128 + SIGHUP, as a shell reports a process that died of a hangup
GIVE_UP_SECONDS = 5.0  # a teardown still running this long after the terminal went is stuck


@dataclass
class TerminalLost(Message):
    """The terminal hung up or failed; ``why`` says how, for the log."""

    why: str


class HangupWatch:
    """A thread asleep in ``poll()`` until a file descriptor hangs up or fails.

    It asks for no events at all, so readable input never wakes it (that is Textual's to
    read): only POLLHUP, POLLERR and POLLNVAL, which poll() always reports, and a byte on
    its own pipe when it is told to stop. Idle, it costs nothing.
    """

    def __init__(self, fd: int, on_lost: Callable[[str], None]) -> None:
        self._fd = fd
        self._on_lost = on_lost
        self._wake_read, self._wake_write = os.pipe()
        self._thread = threading.Thread(target=self._watch, name="terminal-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop watching and close the pipe; safe to call twice, and from the watch itself."""
        with suppress(OSError):
            os.write(self._wake_write, b"\0")
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(1.0)
        if not self._thread.is_alive():
            for fd in (self._wake_read, self._wake_write):
                with suppress(OSError):
                    os.close(fd)
            self._wake_read = self._wake_write = -1

    def _watch(self) -> None:
        poller = select.poll()
        poller.register(self._fd, 0)
        poller.register(self._wake_read, select.POLLIN)
        while True:
            for fd, mask in poller.poll():
                if fd == self._wake_read:
                    return
                why = _what_happened(self._fd, mask)
                if why is None:
                    return  # this platform cannot poll the terminal: nothing to watch
                self._on_lost(why)
                return


def _what_happened(fd: int, mask: int) -> str | None:
    if mask & select.POLLNVAL:
        try:
            os.fstat(fd)
        except OSError:
            return "the terminal's file descriptor was closed"
        return None  # open, yet refused by poll(): some systems cannot poll a terminal
    if mask & select.POLLHUP:  # a hung-up terminal reports POLLERR as well
        return "the terminal hung up"
    return "the terminal reported an error"


class GuardedDriver(LinuxDriver):
    """Textual's Linux driver, watching its input for a hangup or an error.

    When the terminal goes: the input thread is told to stop at once (it would spin on
    end-of-file), output is dropped (writes to a hung-up terminal fail, and Textual's
    output thread dies on the first one, after which its bounded queue would block the
    app), the app gets :class:`TerminalLost`, and a last-resort timer ends the process if
    the orderly exit is still stuck after :data:`GIVE_UP_SECONDS` (every draft is on disk
    by then: they are saved as they are typed).
    """

    def __init__(
        self,
        app: App[Any],
        *,
        debug: bool = False,
        mouse: bool = True,
        size: tuple[int, int] | None = None,
    ) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        self._hangup_watch: HangupWatch | None = None
        self._terminal_gone = threading.Event()

    @property
    def terminal_gone(self) -> bool:
        return self._terminal_gone.is_set()

    def start_application_mode(self) -> None:
        super().start_application_mode()
        if self._hangup_watch is None and not self.terminal_gone:
            self._hangup_watch = HangupWatch(self.fileno, self.lose_terminal)
            self._hangup_watch.start()

    def stop_application_mode(self) -> None:
        if self._hangup_watch is not None:
            self._hangup_watch.stop()
            self._hangup_watch = None
        super().stop_application_mode()

    def run_input_thread(self) -> None:
        # Reading a terminal that has just gone can fail (EIO) instead of reaching
        # end-of-file; Textual would call that a crash. It is a lost terminal.
        try:
            super().run_input_thread()
        except OSError as exc:
            self.lose_terminal(f"reading the terminal failed ({exc.strerror or exc})")

    def lose_terminal(self, why: str) -> None:
        """The terminal is gone (any thread): stop using it and tell the app, once."""
        if self._terminal_gone.is_set():
            return
        self._terminal_gone.set()
        self.exit_event.set()  # the input thread leaves its loop now instead of spinning
        last_resort = threading.Timer(GIVE_UP_SECONDS, os._exit, (HANGUP_EXIT_CODE,))
        last_resort.daemon = True
        last_resort.start()
        self.send_message(TerminalLost(why))

    def write(self, data: str) -> None:
        if not self._terminal_gone.is_set():
            super().write(data)

    def close(self) -> None:
        if self._terminal_gone.is_set():
            # The output thread may have died on the dead terminal with its queue full;
            # stopping it would wait for ever. It is a daemon thread: it goes with us.
            return
        super().close()
