"""The workbook's writes: one at a time, in the order asked, never on the UI thread.

Every change a screen makes (an entry logged, a tag toggled, a field saved) is a
:class:`Write`. The app's one :class:`Writer` runs them in a thread worker, oldest first,
so that another process holding the database's write lock delays the writes and nothing
else: typing, scrolling and switching tabs go on. A write that meets a busy database is
tried again until the lock is free. A write that cannot reach the database (a PostgreSQL
server restarting, a network drop) is tried again with a growing pause, and the writes
behind it wait their turn, so that they land in the order they were asked for once it is
back; the app is told when the database goes and comes back (:class:`ReachabilityChanged`).
Any other failure is reported with its reason and the screen keeps what was typed.

The writer belongs to the app, not to a screen: a write asked for just before leaving the
incident still lands, and at exit the app gives the writes in hand a moment to land
(whatever is left is in the drafts, for the next session).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from textual.message import Message

from tui.errors import describe, is_busy, is_unreachable

if TYPE_CHECKING:
    from textual.app import App

    from models.store import Store

T = TypeVar("T")

RETRY_PAUSE = 0.2  # between tries, once SQLite's own busy wait has run out
UNREACHABLE_PAUSES = (0.5, 1.0, 2.0, 3.0)  # between tries while the database is away, then …
UNREACHABLE_MOST = 5.0  # … this, for as long as it takes
SLOW_WRITE = 1.0  # a write not landed after this long: the screens say the database is busy


@dataclass(eq=False)
class Write(Generic[T]):
    """One change to the record.

    ``run`` does it with the store, in the writer's thread. Then, on the UI thread, ``done``
    gets what ``run`` returned, or ``refused`` gets the reason in one line. Both must cope
    with their screen being gone (the user may have left it meanwhile).
    """

    run: Callable[[Store], T]
    done: Callable[[T], None]
    refused: Callable[[str], None]
    # Housekeeping (a presence heartbeat): not counted among the changes said to wait, and
    # given up at its first failure rather than tried again.
    background: bool = False


@dataclass(eq=False)
class Outcome:
    """What became of a write; settled once, on the UI thread."""

    write: Write[Any]
    result: Any = None
    why: str | None = None
    settled: bool = field(default=False, compare=False)


@dataclass
class WriteSettled(Message):
    """A write landed or was refused (the writer settles it when the app handles this)."""

    outcome: Outcome


@dataclass
class ReachabilityChanged(Message):
    """The database stopped answering (``why`` says how), or answers again."""

    reachable: bool
    why: str = ""


@dataclass
class WritesWaiting(Message):
    """Sent to every screen: how many writes are still on their way (0: all landed)."""

    count: int


class Writer:
    """Runs the app's writes in order, in one thread worker at a time."""

    def __init__(self, app: App[Any], store: Callable[[], Store]) -> None:
        self._app = app
        self._store = store
        self._queue: deque[Write[Any]] = deque()
        self._unsettled: deque[Outcome] = deque()  # done in the thread, not yet on the UI
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._outstanding = 0  # asked for and not yet settled
        self._closed = False
        self._said_waiting = False
        self._wakeup = threading.Event()  # cuts a pause between tries short
        self._unreachable = False

    @property
    def outstanding(self) -> int:
        """Writes asked for whose outcome the UI has not seen yet."""
        return self._outstanding

    def submit(self, write: Write[Any]) -> None:
        """Queue a write; it runs after every write queued before it."""
        if self._closed:
            write.refused("the workbook is closing; what you typed is kept as a draft")
            return
        if not write.background:
            self._outstanding += 1
        with self._lock:
            self._queue.append(write)
            start = self._idle.is_set()
            self._idle.clear()
        if start:
            self._app.run_worker(self._drain, thread=True, group="writes", exit_on_error=False)
        self._app.set_timer(SLOW_WRITE, self._check_waiting)

    def settle(self, outcome: Outcome) -> None:
        """Run the write's callback (UI thread); a second call does nothing."""
        if outcome.settled:
            return
        outcome.settled = True
        with self._lock:
            if outcome in self._unsettled:
                self._unsettled.remove(outcome)
        if not outcome.write.background:
            self._outstanding -= 1
        if outcome.why is None:
            outcome.write.done(outcome.result)
        else:
            outcome.write.refused(outcome.why)
        if self._outstanding == 0 and self._said_waiting:
            self._said_waiting = False
            self._tell_screens(0)

    def finish(self, timeout: float) -> None:
        """At exit: give the writes in hand up to ``timeout`` seconds to land, then settle
        every outcome here (the app will not handle its messages any more). Writes that
        did not start stay in the drafts their screens kept."""
        self._idle.wait(timeout)
        with self._lock:
            self._closed = True
            self._queue.clear()
            outcomes = list(self._unsettled)
        self._wakeup.set()
        for outcome in outcomes:
            self.settle(outcome)

    def try_now(self) -> None:
        """Cut the pause before the next try short (the database is said to be back)."""
        self._wakeup.set()

    def _check_waiting(self) -> None:
        if self._outstanding and not self._closed:
            self._said_waiting = True
            self._tell_screens(self._outstanding)

    def _tell_screens(self, count: int) -> None:
        for screen in self._app.screen_stack:
            screen.post_message(WritesWaiting(count))

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._queue or self._closed:
                    self._idle.set()
                    return
                write = self._queue.popleft()
            outcome = self._attempt(write)
            if outcome is None:
                continue  # closing while the database is away: its draft stays
            with self._lock:
                self._unsettled.append(outcome)
            self._app.post_message(WriteSettled(outcome))

    def _attempt(self, write: Write[Any]) -> Outcome | None:
        away = 0
        while True:
            try:
                result = write.run(self._store())
            except Exception as exc:  # any failure keeps the typed text: none may crash
                if write.background:  # housekeeping is not worth holding the queue for
                    return Outcome(write, why=describe(exc))
                if is_unreachable(exc):
                    if self._closed:
                        return None
                    self._say_reachable(False, describe(exc))
                    pause = UNREACHABLE_PAUSES[away] if away < len(UNREACHABLE_PAUSES) else None
                    away += 1
                    self._wakeup.clear()
                    if self._closed:
                        return None
                    self._wakeup.wait(pause or UNREACHABLE_MOST)
                    continue
                if is_busy(exc) and not self._closed:
                    time.sleep(RETRY_PAUSE)
                    continue
                return Outcome(write, why=describe(exc))
            self._say_reachable(True)
            return Outcome(write, result=result)

    def _say_reachable(self, reachable: bool, why: str = "") -> None:
        if self._unreachable == (not reachable):
            return
        self._unreachable = not reachable
        self._app.post_message(ReachabilityChanged(reachable, why))
