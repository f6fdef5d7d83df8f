"""The quick-entry bar: type ``[TIME] what happened #tag``, see how it reads, Enter logs it.

The bar reads the line on every key (through the reader the screen gives it, which knows
the incident's zone and clock) and says on the line below how it will be logged. Enter
posts :class:`QuickEntryInput.EntrySubmitted` with the parsed entry; a line that cannot be
read stays in the bar with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input

from models.quick_entry import QuickEntry, QuickEntryError
from models.timeparse import format_local
from tui.widgets.status_line import StatusLine

QUICK_ENTRY_HINT = "[TIME] what happened #tag   ·   ↑ entries   ·   F1 keys and tag aliases"

Reader = Callable[[str], QuickEntry]


def preview_text(entry: QuickEntry, zone: ZoneInfo) -> Text:
    """How a line will be logged: its time, whether that is now, and its tags."""
    preview = Text("→ " + format_local(entry.at, zone, seconds=True), end="")
    if not entry.time_given:
        preview.append(" (now)")
    if entry.tags:
        preview.append("  tags: " + ", ".join(entry.tags))
    preview.append("  · Enter logs")
    return preview


def problem_text(problem: str) -> Text:
    return Text("✗ " + " ".join(problem.split()))


class QuickEntryInput(Input):
    """The bar at the bottom of the log."""

    HELP_GROUP: ClassVar[str] = "Quick entry"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "up",
            "entries",
            "Entries",
            id="quick.entries",
            tooltip="Move to the timeline to act on an entry",
        ),
        Binding(
            "enter",
            "submit",
            "Log",
            id="quick.log",
            tooltip="Log the line as an entry (a row that starts with … is not on disk yet)",
        ),
    ]

    @dataclass
    class EntrySubmitted(Message):
        """Enter on a line that reads as an entry; the bar is empty again already."""

        entry: QuickEntry
        line: str

    @dataclass
    class Typed(Message):
        """The line changed (keep it as a draft)."""

        line: str

    class TimelineWanted(Message):
        """↑: the user wants to act on the entries above."""

    def __init__(self, *, preview: StatusLine, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.preview = preview
        self.zone = ZoneInfo("UTC")
        self.reader: Reader | None = None
        # A line handed over by Enter and not yet kept by the screen (a draft still holds it).
        self.in_flight: str | None = None

    def read_as(self, reader: Reader, zone: ZoneInfo) -> None:
        """How lines are read from now on (the incident's zone, clock and reference)."""
        first = self.reader is None
        self.reader, self.zone = reader, zone
        if first and self.value:  # typed before the incident was read
            self.show_preview()

    def say(self, text: Text, kind: str = "") -> None:
        """Show ``text`` on the line under the bar; ``kind`` is ``ok``, ``error`` or plain."""
        self.preview.set_class(kind == "error", "-error")
        self.preview.set_class(kind == "ok", "-ok")
        self.preview.show(text)

    def read(self, line: str) -> QuickEntry | str:
        """The entry the line stands for, or what is wrong with it."""
        assert self.reader is not None
        try:
            return self.reader(line)
        except QuickEntryError as exc:
            return str(exc)

    def action_entries(self) -> None:
        self.post_message(self.TimelineWanted())

    def show_preview(self) -> None:
        """Say how the line in the bar will be logged (the hint when it is empty)."""
        if not self.value.strip():
            self.say(Text(QUICK_ENTRY_HINT))
            return
        if self.reader is None:
            return
        read = self.read(self.value)
        if isinstance(read, str):
            self.say(problem_text(read), "error")
        else:
            self.say(preview_text(read, self.zone), "ok")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Typed(event.value))
        self.show_preview()

    async def action_submit(self) -> None:
        """Enter: read the line and hand it over, clearing the bar in the same step.

        Done here rather than on the Submitted message: keys typed right after Enter are
        already queued behind it, and a bar cleared later would swallow them.
        """
        line = self.value
        if self.reader is None:  # the incident is still being read (a long log on a slow host)
            self.say(Text("⧗ still reading the incident: press Enter again in a moment"), "error")
            return
        read = self.read(line)
        if isinstance(read, str):
            self.say(problem_text(read), "error")
            self.app.bell()
            return
        self.in_flight = line
        self.value = ""
        self.post_message(self.EntrySubmitted(read, line))
