"""What every screen of the workbook shares: one way to run I/O, one way to follow the database.

The worker pattern, used by every screen and dialog:

- I/O (database, git, files) runs in ``@work(thread=True, exclusive=True, group=…,
  exit_on_error=False)``.
- The worker hands its result over with ``self.hand_over(Message(...))``: a typed message
  named for what happened (``RowsLoaded``, ``SnapshotLoaded``), handled with ``@on``. A
  result returned instead would live on in the finished worker until the cyclic collector
  gets to it (15 MB for a 10,000-entry log), and would have to be read back untyped.
- A worker that raises is reported here, once, from ``WORKER_FAILURES``; failures the
  screen must act on (a refused write keeps the typed text) are caught in the worker and
  posted as messages of their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import on
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState, get_current_worker

from tui.errors import describe
from tui.messages import DatabaseChanged

ResultType = TypeVar("ResultType")

if TYPE_CHECKING:
    _Screen = Screen[Any]
else:
    _Screen = object


class WorkerReports(_Screen):
    """The worker pattern for any screen: results handed over, failures said in one place.

    A mixin because a full screen and a modal dialog have different Textual bases; Textual
    calls a handler named ``on_worker_state_changed`` on every class of the MRO, mixins too.
    """

    # Worker group -> what a failure of it means, with ``{why}`` for the cause.
    WORKER_FAILURES: ClassVar[dict[str, str]] = {}

    def hand_over(self, message: Message) -> None:
        """Post a worker's result to this screen; call it from the worker's thread.

        A newer run of an ``exclusive`` group cancels the older one, but a thread cannot be
        stopped: it runs to its end, and its result, posted late, would replace the newer
        one on screen. A cancelled worker's result is therefore dropped here.
        """
        if not get_current_worker().is_cancelled:
            self.post_message(message)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        group = event.worker.group
        if event.state != WorkerState.ERROR or group not in self.WORKER_FAILURES:
            return
        why = self.failure_reason(group, event.worker.error or Exception())
        self.worker_failed(group, self.WORKER_FAILURES[group].format(why=why))

    def failure_reason(self, group: str, error: BaseException) -> str:
        """The ``{why}`` of a failure; a screen whose workers write says it its own way."""
        return describe(error, reading=True)

    def worker_failed(self, group: str, message: str) -> None:
        """Say that a worker failed; screens that also mark something stale extend this."""
        self.notify(message, severity="error", timeout=10)


class WorkbookScreen(WorkerReports, Screen[ResultType]):
    """A screen whose workers follow the worker pattern."""


class WorkbookModalScreen(WorkerReports, ModalScreen[ResultType]):
    """A dialog whose workers follow the worker pattern."""


class LiveScreen(WorkbookScreen[ResultType]):
    """A screen that shows what is in the database and follows every commit to it.

    ``load`` starts the worker that reads what is shown. A commit while the screen can be
    seen reloads it at once; one made while it is covered marks it stale, and it reloads
    when it is shown again. A screen under dialogs only can be seen (they show it through);
    one under a full screen (the list under an incident) cannot, and waits: on PostgreSQL
    the list's reload reads every incident, and it would hold up the incident's own.
    """

    # A class default, so subclasses keep whatever ``__init__`` signature they need.
    _stale: bool = False

    @property
    def stale(self) -> bool:
        """Something was committed while the screen was covered, and it has not reloaded."""
        return self._stale

    def load(self) -> None:
        raise NotImplementedError

    def reload(self) -> None:
        self._stale = False
        self.load()

    @property
    def can_be_seen(self) -> bool:
        """Top of the stack, or under dialogs only."""
        stack = self.app.screen_stack
        if self not in stack:
            return False
        return all(isinstance(s, ModalScreen) for s in stack[stack.index(self) + 1 :])

    @on(DatabaseChanged)
    def _database_changed(self) -> None:
        if self.can_be_seen:
            self.reload()
        else:
            self._stale = True

    def on_screen_resume(self) -> None:
        if self._stale:
            self.reload()
