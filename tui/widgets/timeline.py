"""The timeline: one row per entry, updated in place so a long incident stays fast."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message

from models.tables import TimelineEntry
from tui.text import literal, tag_badges
from tui.widgets.table import WorkbookTable


def _row_state(entry: TimelineEntry) -> tuple[Any, ...]:
    return (entry.at, entry.text, tuple(entry.tags), entry.author)


class Timeline(WorkbookTable):
    """Entries in time order; keys act on the highlighted one."""

    HELP_GROUP: ClassVar[str] = "Timeline (the highlighted entry)"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "command('edit')",
            "Edit",
            id="entry.edit",
            tooltip="Edit time, text and tags; earlier versions are kept and shown",
        ),
        Binding(
            "f",
            "command('false-lead')",
            "False lead",
            id="entry.false-lead",
            tooltip="Toggle the false-lead tag",
        ),
        Binding(
            "x",
            "command('escalation')",
            "Escalation",
            id="entry.escalation",
            tooltip="Toggle the escalation tag",
        ),
        Binding(
            "t", "command('tags')", "Tags", id="entry.tags", tooltip="Pick any tags for the entry"
        ),
        Binding(
            "d",
            "command('delete')",
            "Delete",
            id="entry.delete",
            tooltip="Delete the entry (u brings it back)",
        ),
        Binding(
            "u",
            "command('undo')",
            "Undo delete",
            id="entry.undo",
            tooltip="Bring back the entry deleted last",
        ),
        Binding(
            "a",
            "command('action')",
            "Action item",
            id="entry.action",
            tooltip="Create an action item from the entry",
        ),
        Binding(
            "i,escape",
            "command('type')",
            "Type",
            id="entry.type",
            tooltip="Back to the quick-entry bar",
        ),
    ]

    @dataclass
    class CommandChosen(Message):
        """A key was pressed on an entry (entry_id is None for an empty timeline)."""

        command: str
        entry_id: int | None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", **kwargs)
        self._states: dict[int, tuple[Any, ...]] = {}
        self._order: list[int] = []
        self.zone = ZoneInfo("UTC")
        self.show_seconds = False
        self._with_date = False

    def on_mount(self) -> None:
        self.add_column("Time", key="time")
        self.add_column("Tags", key="tags")
        self.add_column("By", key="author")
        self.add_column("What happened", key="text")

    # -- showing -------------------------------------------------------------------------

    def _time_text(self, at: datetime) -> Text:
        local = at.astimezone(self.zone)
        pattern = "%H:%M:%S" if self.show_seconds else "%H:%M"
        if self._with_date:
            pattern = "%m-%d " + pattern
        return Text(local.strftime(pattern))

    def _cells(self, entry: TimelineEntry) -> list[Text]:
        return [
            self._time_text(entry.at),
            tag_badges(entry.tags),
            literal(entry.author, style="dim"),
            literal(entry.text),
        ]

    def following(self) -> bool:
        """The view is at the end, so new entries should stay in sight."""
        return self.row_count == 0 or (
            self.cursor_row >= self.row_count - 1 and self.scroll_y >= self.max_scroll_y - 1
        )

    def show_entries(
        self, entries: Sequence[TimelineEntry], *, zone: ZoneInfo, show_seconds: bool
    ) -> None:
        """Show these entries, touching only rows that changed."""
        days = {e.at.astimezone(zone).date() for e in entries}
        with_date = len(days) > 1
        layout_changed = (
            zone != self.zone or show_seconds != self.show_seconds or with_date != self._with_date
        )
        self.zone, self.show_seconds, self._with_date = zone, show_seconds, with_date
        order = [e.id for e in entries if e.id is not None]
        follow = self.following()
        if layout_changed or order[: len(self._order)] != self._order:
            self._rebuild(entries)
        else:
            for entry in entries[: len(self._order)]:
                assert entry.id is not None
                state = _row_state(entry)
                if self._states.get(entry.id) != state:
                    self._states[entry.id] = state
                    key = str(entry.id)
                    for column, cell in zip(
                        ("time", "tags", "author", "text"), self._cells(entry), strict=True
                    ):
                        self.update_cell(key, column, cell)
            for entry in entries[len(self._order) :]:
                assert entry.id is not None
                self._states[entry.id] = _row_state(entry)
                self._order.append(entry.id)
                self.add_row(*self._cells(entry), key=str(entry.id))
        if follow and self.row_count:
            self.move_cursor(row=self.row_count - 1, animate=False, scroll=True)

    def _rebuild(self, entries: Sequence[TimelineEntry]) -> None:
        selected = self.selected_entry_id()
        self.clear()
        self._states = {}
        self._order = []
        for entry in entries:
            assert entry.id is not None
            self._states[entry.id] = _row_state(entry)
            self._order.append(entry.id)
            self.add_row(*self._cells(entry), key=str(entry.id))
        if selected is not None:
            self.select_entry(selected)

    def select_entry(self, entry_id: int) -> bool:
        key = str(entry_id)
        if key not in self.rows:
            return False
        self.move_cursor(row=self.get_row_index(key), animate=False, scroll=True)
        return True

    def selected_entry_id(self) -> int | None:
        if self.row_count == 0:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return int(key.value) if key.value is not None else None

    # -- actions -------------------------------------------------------------------------

    def action_command(self, command: str) -> None:
        self.post_message(self.CommandChosen(command, self.selected_entry_id()))
