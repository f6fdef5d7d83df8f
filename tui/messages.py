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


class ChangesArrived(Message):
    """The change feed's listener heard something (posted from its thread to the app)."""


class PresenceChanged(Message, bubble=False):
    """Someone opened or left an incident."""


@dataclass
class DatabaseReachability(Message, bubble=False):
    """Sent to every screen: the database went away (``reachable`` false) or is back."""

    reachable: bool
    why: str = ""


@dataclass
class MilestoneChosen(Message):
    """The user picked a figure in the metrics; jump to the entry it came from."""

    entry_id: int
