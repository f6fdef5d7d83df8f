"""The quick-entry bar: type ``[TIME] what happened #tag``, see how it reads, Enter logs it.

The bar reads the line on every key (through the reader the screen gives it, which knows
the incident's zone and clock) and says on the line below how it will be logged. Enter
posts :class:`QuickEntryInput.EntrySubmitted` with the parsed entry; a line that cannot be
read stays in the bar with the reason.

A paste of several lines is kept whole (Textual's Input keeps only the first line of a
paste). The bar is one line high, so it shows each line break as ``⏎`` and each other
control character as its Unicode control picture (``␉`` for a tab, ``␛`` for escape): one
character for one, so the cursor and editing work as usual, and :func:`from_bar` turns
them back. A badge beside the bar says how many lines it holds. Enter logs the block as one
entry; when its lines carry timestamps of their own, ctrl+t logs one entry per line at its
time instead (:class:`QuickEntryInput.LinesSubmitted`). A paste larger than an entry holds
is not taken (:class:`QuickEntryInput.PasteRefused`): the screen keeps it as a draft.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.text import Text
from textual import events, on
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.widgets import Input

from models.log_lines import has_stamped_line, normalize_newlines, size_problem, trim_block
from models.quick_entry import QuickEntry, QuickEntryError, QuickLines, is_block
from models.timeparse import format_local
from tui.widgets.status_line import StatusLine

QUICK_ENTRY_HINT = "[TIME] what happened #tag   ·   ↑ entries   ·   F1 keys and tag aliases"

Reader = Callable[[str], QuickEntry]
LinesReader = Callable[[str], QuickLines]

LINE_BREAK = "\u23ce"  # ⏎
# Every other C0 control character and DEL as its control picture (U+2400 + code, ␡). A
# picture typed or pasted as itself comes back as its control character: they are not
# characters anyone writes in an incident log.
_TO_BAR = {code: 0x2400 + code for code in range(0x20)} | {0x0A: ord(LINE_BREAK), 0x7F: 0x2421}
_FROM_BAR = {picture: code for code, picture in _TO_BAR.items()}


def to_bar(text: str) -> str:
    """Text as the one-line bar shows it: line breaks as ⏎, controls as their pictures."""
    return normalize_newlines(text).translate(_TO_BAR)


def from_bar(value: str) -> str:
    """What the bar holds, with its line breaks and control characters back."""
    return value.translate(_FROM_BAR)


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


def _short_time(at: datetime, zone: ZoneInfo, today: datetime) -> str:
    """``10:00:01``, or ``12-03 10:00:01`` on another day than ``today``."""
    local = at.astimezone(zone)
    if local.date() == today.astimezone(zone).date():
        return local.strftime("%H:%M:%S")
    return local.strftime("%m-%d %H:%M:%S")


def block_preview(
    entry: QuickEntry, lines: QuickLines | str | None, zone: ZoneInfo, now: datetime
) -> Text:
    """How a block will be logged: one entry on Enter, and (``lines``: the reading line by
    line, or why there is none) the entries ctrl+t would log, first and last time."""
    count = entry.line_count
    when = "now" if not entry.time_given else _short_time(entry.at, zone, now)
    tags = ("  tags: " + ", ".join(entry.tags)) if entry.tags else ""
    if lines is None:
        preview = Text("→ " + format_local(entry.at, zone, seconds=True), end="")
        if not entry.time_given:
            preview.append(" (now)")
        preview.append(f"{tags} · {count} lines as one entry · Enter logs")
        return preview
    # The log column is 72 cells wide beside the metrics: the times come before the tags.
    preview = Text(f"Enter: one entry, {when} · ", end="")
    if isinstance(lines, str):
        preview.append("ctrl+t: ✗ " + " ".join(lines.split()))
        return preview
    first, last = lines.entries[0].at, lines.entries[-1].at
    many = len(lines.entries)
    preview.append(f"ctrl+t: {many} entr{'ies' if many > 1 else 'y'}, ")
    preview.append(_short_time(first, zone, now))
    if many > 1:
        preview.append(" → " + _short_time(last, zone, first))  # its date only when new
    preview.append(tags)
    return preview


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
        Binding(
            "ctrl+t",
            "log_lines",
            "Log per line",
            id="quick.lines",
            tooltip="Pasted log lines: one entry per line at its own timestamp, which leaves "
            "the text (lines without one stay with the entry above)",
        ),
    ]

    @dataclass
    class EntrySubmitted(Message):
        """Enter on a line that reads as an entry; the bar is empty again already."""

        entry: QuickEntry
        line: str

    @dataclass
    class LinesSubmitted(Message):
        """ctrl+t on a block of timestamped lines; the bar is empty again already."""

        lines: QuickLines
        text: str

    @dataclass
    class PasteRefused(Message):
        """A paste larger than an entry holds: not put in the bar (keep it elsewhere)."""

        text: str
        why: str

    @dataclass
    class Typed(Message):
        """The line changed (keep it as a draft); ``line`` has its line breaks."""

        line: str

    class TimelineWanted(Message):
        """↑: the user wants to act on the entries above."""

    def __init__(self, *, preview: StatusLine, badge: StatusLine, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.preview = preview
        self.badge = badge
        self.zone = ZoneInfo("UTC")
        self.reader: Reader | None = None
        self.lines_reader: LinesReader | None = None
        self.clock: Callable[[], datetime] | None = None
        # A line handed over by Enter and not yet kept by the screen (a draft still holds it).
        self.in_flight: str | None = None
        self._block = False
        self._keep_message_for: str | None = None

    def read_as(
        self,
        reader: Reader,
        zone: ZoneInfo,
        lines_reader: LinesReader | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """How lines are read from now on (the incident's zone, clock and reference)."""
        first = self.reader is None
        self.reader, self.zone = reader, zone
        self.lines_reader, self.clock = lines_reader, clock
        if first and self.value:  # typed before the incident was read
            self.show_preview()

    @property
    def text(self) -> str:
        """What the bar holds, line breaks and control characters as they were pasted."""
        return from_bar(self.value)

    def set_text(self, text: str, *, keep_message: bool = False) -> None:
        """Put ``text`` (line breaks and all) in the bar, the cursor at its end.

        ``keep_message``: what the line under the bar says next (a refusal) stays, rather
        than the preview of the text put back.
        """
        self.value = to_bar(text)
        self.cursor_position = len(self.value)
        self.call_after_refresh(self._show_cursor)
        self._keep_message_for = self.value if keep_message else None

    def _on_paste(self, event: events.Paste) -> None:
        # Instead of Input's own, which keeps only the first line of a paste.
        event.prevent_default()
        event.stop()
        pasted = normalize_newlines(event.text)
        if not pasted:
            return
        if "\n" in pasted:
            pasted = trim_block(pasted) if not self.value else pasted.rstrip("\n")
        start, end = sorted(self.selection)
        whole = from_bar(self.value[:start]) + pasted + from_bar(self.value[end:])
        problem = size_problem(trim_block(whole))
        if problem is not None:
            self.say(Text(f"✗ paste not taken: {problem}; kept as a draft"), "error")
            self.app.bell()
            self.post_message(self.PasteRefused(pasted, problem))
            return
        if start == end:
            self.insert_text_at_cursor(to_bar(pasted))
        else:
            self.replace(to_bar(pasted), start, end)
        self.call_after_refresh(self._show_cursor)

    def _show_cursor(self) -> None:
        """Scroll the cursor into view: Input does not when the first change to its value
        is a long one (a paste into an empty bar), nor when the badge narrows it."""
        offset = cell_len(self.value[: self.cursor_position])
        self.scroll_to_region(Region(offset, 0, 1, 1), force=True, animate=False)

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

    def read_lines(self, text: str) -> QuickLines | str | None:
        """The block read line by line, what is wrong with that, or None when no line has
        a timestamp of its own (then there is nothing to offer)."""
        if self.lines_reader is None or not is_block(text) or not has_stamped_line(text):
            return None
        try:
            return self.lines_reader(text)
        except QuickEntryError as exc:
            return str(exc)

    def _show_block(self, text: str) -> None:
        """The badge beside the bar, and ctrl+t in the footer, while it holds a block."""
        block = is_block(text)
        if block:
            self.badge.show(Text(f" {trim_block(text).count(chr(10)) + 1} lines ", end=""))
        if block != self._block:
            self._block = block
            self.badge.display = block
            self.refresh_bindings()
            self.call_after_refresh(self._show_cursor)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "log_lines":
            return self._block
        return super().check_action(action, parameters)

    def show_preview(self) -> None:
        """Say how the line in the bar will be logged (the hint when it is empty)."""
        text = self.text
        self._show_block(text)
        if not text.strip():
            self.say(Text(QUICK_ENTRY_HINT))
            return
        if self.reader is None:
            return
        read = self.read(text)
        if isinstance(read, str):
            self.say(problem_text(read), "error")
        elif is_block(text):
            now = self.clock() if self.clock is not None else read.at
            self.say(block_preview(read, self.read_lines(text), self.zone, now), "ok")
        else:
            self.say(preview_text(read, self.zone), "ok")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        text = from_bar(event.value)
        self.post_message(self.Typed(text))
        if self._keep_message_for is not None and event.value == self._keep_message_for:
            self._keep_message_for = None
            self._show_block(text)
            return
        self._keep_message_for = None
        self.show_preview()

    async def action_submit(self) -> None:
        """Enter: read the line and hand it over, clearing the bar in the same step.

        Done here rather than on the Submitted message: keys typed right after Enter are
        already queued behind it, and a bar cleared later would swallow them.
        """
        line = self.text
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

    async def action_log_lines(self) -> None:
        """ctrl+t: a block of log lines as one entry per timestamped line, at its time."""
        text = self.text
        if self.reader is None:
            self.say(Text("⧗ still reading the incident: press ctrl+t again in a moment"), "error")
            return
        read = self.read_lines(text)
        if not isinstance(read, QuickLines):
            why = read or "no line has a timestamp of its own: Enter logs the text as one entry"
            self.say(problem_text("ctrl+t: " + why), "error")
            self.app.bell()
            return
        self.in_flight = text
        self.value = ""
        self.post_message(self.LinesSubmitted(read, text))
