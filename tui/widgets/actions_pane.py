"""Action items: a table with keys to add, edit and close them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message

from models.tables import ActionItem
from tui.text import literal
from tui.widgets.table import WorkbookTable

STATUS_STYLES = {"open": "bold", "in-progress": "bold cyan", "done": "dim", "wont-do": "dim"}


def _row(item: ActionItem) -> list[Text]:
    style = STATUS_STYLES.get(item.status, "")
    return [
        Text(item.ref, style=style),
        Text(item.status, style=style),
        Text(item.priority),
        Text(item.type),
        literal(item.owner or "—"),
        Text(item.due.isoformat() if item.due else "—"),
        literal(item.title, style="strike" if item.status == "done" else ""),
    ]


class ActionsTable(WorkbookTable):
    HELP_GROUP: ClassVar[str] = "Action items"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="actions.new", tooltip="Add an action item"),
        Binding("enter", "edit", "Edit", id="actions.edit", tooltip="Change the item"),
        Binding(
            "m",
            "toggle_done",
            "Mark done",
            id="actions.done",
            tooltip="Mark the item done (again: reopen it)",
        ),
    ]

    class NewRequested(Message):
        """Add an action item."""

    @dataclass
    class EditRequested(Message):
        number: int | None  # the highlighted item's AI number (None: the table is empty)

    @dataclass
    class DoneToggled(Message):
        number: int | None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", **kwargs)
        self._shown: list[tuple[Any, ...]] = []

    def on_mount(self) -> None:
        for label in ("Ref", "Status", "Priority", "Type", "Owner", "Due", "Title"):
            self.add_column(label, key=label.lower())

    def show_items(self, items: Sequence[ActionItem]) -> None:
        state = [
            (i.number, i.title, i.owner, i.priority, i.type, i.status, i.due, i.link) for i in items
        ]
        if state == self._shown:
            return
        self._shown = state
        selected = self.selected_number()
        self.clear()
        for item in items:
            self.add_row(*_row(item), key=str(item.number))
        if selected is not None and str(selected) in self.rows:
            self.move_cursor(row=self.get_row_index(str(selected)), animate=False)

    def selected_number(self) -> int | None:
        if self.row_count == 0:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return int(key.value) if key.value is not None else None

    def select_number(self, number: int) -> None:
        if str(number) in self.rows:
            self.move_cursor(row=self.get_row_index(str(number)), animate=False)

    def action_new(self) -> None:
        self.post_message(self.NewRequested())

    def action_edit(self) -> None:
        self.post_message(self.EditRequested(self.selected_number()))

    def action_toggle_done(self) -> None:
        self.post_message(self.DoneToggled(self.selected_number()))
