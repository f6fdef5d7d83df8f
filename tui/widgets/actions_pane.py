"""Action items: a table with keys to add, edit and close them.

The title column takes the room the other columns leave; a title that does not fit ends
in an ellipsis (at a word boundary when that keeps most of the room), so a cut title is
never mistaken for a whole one and the table never needs scrolling sideways.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message

from models.tables import ActionItem
from tui.text import literal
from tui.widgets.table import WorkbookTable

STATUS_STYLES = {"open": "bold", "in-progress": "bold cyan", "done": "dim", "wont-do": "dim"}
COLUMNS = ("Ref", "Status", "Priority", "Type", "Owner", "Due", "Title")
MIN_TITLE = 8  # below this the table scrolls sideways rather than show a stub
ELLIPSIS = "…"


def fit_title(title: Text, width: int) -> Text:
    """``title`` if it fits in ``width`` cells, else cut to end in ``…`` within them.

    The cut is made at the last space when that keeps at least two thirds of the room (a
    long unbroken word is cut mid-word instead), keeping the title's style.
    """
    if title.cell_len <= width:
        return title
    room = width - cell_len(ELLIPSIS)
    used = end = 0
    for char in title.plain:
        used += cell_len(char)
        if used > room:
            break
        end += 1
    kept = title.plain[:end]
    space = kept.rfind(" ")
    if space >= 0 and cell_len(kept[:space].rstrip()) * 3 >= room * 2:
        end = len(kept[:space].rstrip())
    cut = title[:end]
    cut.rstrip()
    cut.append(ELLIPSIS)
    return cut


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
        self._items: list[ActionItem] = []
        self._shown: tuple[int | None, list[tuple[Any, ...]]] = (None, [])

    def on_mount(self) -> None:
        for label in COLUMNS:
            self.add_column(label, key=label.lower())

    def on_resize(self) -> None:
        self.show_items(self._items)  # the title's room changed

    def show_items(self, items: Sequence[ActionItem]) -> None:
        self._items = list(items)
        rows = [_row(item) for item in items]
        room = self._title_room(rows)
        state = [
            (i.number, i.title, i.owner, i.priority, i.type, i.status, i.due, i.link) for i in items
        ]
        if (room, state) == self._shown:
            return
        self._shown = (room, state)
        selected = self.selected_number()
        self.clear()
        for item, (*cells, title) in zip(items, rows, strict=True):
            shown = title if room is None else fit_title(title, room)
            self.add_row(*cells, shown, key=str(item.number))
        if selected is not None and str(selected) in self.rows:
            self.move_cursor(row=self.get_row_index(str(selected)), animate=False)

    def _title_room(self, rows: list[list[Text]]) -> int | None:
        """Cells the title column may take; None while the table has no width (hidden)."""
        width = self.scrollable_content_region.width
        if width <= 0:
            return None
        padding = 2 * self.cell_padding
        others = sum(
            max([cell_len(label), *(row[number].cell_len for row in rows)]) + padding
            for number, label in enumerate(COLUMNS[:-1])
        )
        return max(MIN_TITLE, width - others - padding)

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
