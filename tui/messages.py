"""Messages the workbook's screens and widgets post, named for what happened."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from models.store import IncidentSnapshot


class DatabaseChanged(Message):
    """Someone (another responder, or this app) committed to the database."""


@dataclass
class IncidentLoaded(Message):
    """A fresh copy of the open incident was read from the database."""

    snapshot: IncidentSnapshot


@dataclass
class MilestoneChosen(Message):
    """The user picked a figure in the metrics; jump to the entry it came from."""

    entry_id: int
