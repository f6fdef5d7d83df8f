"""What every screen of the workbook shares: one way to run I/O, one way to follow the database.

The worker pattern, used by every screen:

- I/O (database, git, files) runs in ``@work(thread=True, exclusive=True, group=…,
  exit_on_error=False)``.
- The worker hands its result over by posting a typed message named for what happened
  (``RowsLoaded``, ``SnapshotLoaded``): ``post_message`` is safe from a thread, and a result
  returned instead would live on in the finished worker until the cyclic collector gets to
  it (15 MB for a 10,000-entry log).
- A worker that raises is reported here, once, from ``WORKER_FAILURES``; failures the
  screen must act on (a refused write keeps the typed text) are caught in the worker and
  posted as messages of their own.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual import on
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tui.errors import describe
from tui.messages import DatabaseChanged

ResultType = TypeVar("ResultType")


class WorkbookScreen(Screen[ResultType]):
    """A screen whose workers' failures are said in one place."""

    # Worker group -> what a failure of it means, with ``{why}`` for the cause.
    WORKER_FAILURES: ClassVar[dict[str, str]] = {}

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        group = event.worker.group
        if event.state != WorkerState.ERROR or group not in self.WORKER_FAILURES:
            return
        why = describe(event.worker.error or Exception(), reading=True)
        self.worker_failed(group, self.WORKER_FAILURES[group].format(why=why))

    def worker_failed(self, group: str, message: str) -> None:
        """Say that a worker failed; screens that also mark something stale extend this."""
        self.notify(message, severity="error", timeout=10)


class LiveScreen(WorkbookScreen[ResultType]):
    """A screen that shows what is in the database and follows every commit to it.

    ``load`` starts the worker that reads what is shown. A commit while the screen is on
    top reloads it at once; one made while it is covered marks it stale, and it reloads
    when it is shown again.
    """

    def __init__(self) -> None:
        super().__init__()
        self._stale = False

    def load(self) -> None:
        raise NotImplementedError

    def reload(self) -> None:
        self._stale = False
        self.load()

    @on(DatabaseChanged)
    def _database_changed(self) -> None:
        if self.is_current:
            self.reload()
        else:
            self._stale = True

    def on_screen_resume(self) -> None:
        if self._stale:
            self.reload()
