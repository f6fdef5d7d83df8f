"""Messages the workbook's screens and widgets post, named for what happened."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


class StoreOpened(Message):
    """The database, opened in a thread after the first frame, is ready."""


@dataclass
class StoreFailed(Message):
    """The database could not be opened; ``error`` says why."""

    error: BaseException


class DatabaseChanged(Message):
    """Someone (another responder, or this app) committed to the database."""


@dataclass
class MilestoneChosen(Message):
    """The user picked a figure in the metrics; jump to the entry it came from."""

    entry_id: int
