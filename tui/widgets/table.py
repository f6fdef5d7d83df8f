"""A DataTable that redraws its rows when a column widens after rows were added."""

from __future__ import annotations

from typing import Any

from textual.coordinate import Coordinate
from textual.widgets import DataTable


class WorkbookTable(DataTable[Any]):
    """Rows drawn before the table measured new, wider cells are drawn again.

    DataTable measures column widths when idle; a row rendered in between is cached at the
    old width and would stay cut off. Touching one cell invalidates that cache.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._known_widths: tuple[int, ...] = ()

    def on_idle(self) -> None:
        widths = tuple(column.get_render_width(self) for column in self.columns.values())
        if widths == self._known_widths:
            return
        self._known_widths = widths
        if self.row_count and self.columns:
            corner = Coordinate(0, 0)
            self.update_cell_at(corner, self.get_cell_at(corner))
