"""Messages the workbook's screens and widgets post, named for what happened."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


class DatabaseChanged(Message):
    """Someone (another responder, or this app) committed to the database."""


@dataclass
class MilestoneChosen(Message):
    """The user picked a figure in the metrics; jump to the entry it came from."""

    entry_id: int
