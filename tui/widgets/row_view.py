"""Rows under a fixed header, drawn line by line: a long list costs what fits on screen.

Only visible lines are rendered (Textual's Line API), each cached until its row, the width
or the styles change. Subclasses say how a row is keyed and drawn; this holds the cursor,
the scrolling and the cache that the timeline and the incident list share.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from rich.style import Style
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

RowT = TypeVar("RowT")

_CACHE_LIMIT = 512


class RowView(ScrollView, Generic[RowT], can_focus=True):
    """A header line, then one line per row; the cursor row is highlighted."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"rows--header", "rows--cursor"}
    DEFAULT_CSS = """
    RowView {
        background: $surface;
        overflow-x: hidden;
    }
    RowView > .rows--header {
        text-style: bold;
        background: $panel;
        color: $text;
    }
    RowView > .rows--cursor {
        background: $block-cursor-blurred-background;
    }
    RowView:focus > .rows--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    """
    # Movement keys carry no description: help and the palette list the workbook's own keys.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", show=False),
        Binding("down", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "cursor_to(0)", show=False),
        Binding("end", "cursor_to(-1)", show=False),
    ]

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another row (None: nothing is shown)."""

        row_id: int | None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rows: list[RowT] = []
        self._index: dict[int, int] = {}
        self._cursor = 0
        self._cache: dict[Hashable, Strip] = {}

    # -- what subclasses say -------------------------------------------------------------

    def row_id(self, row: RowT) -> int | None:
        raise NotImplementedError

    def row_key(self, row: RowT) -> Hashable:
        """Changes whenever the row would be drawn differently."""
        raise NotImplementedError

    def render_row(self, row: RowT, width: int, base: Style) -> Strip:
        raise NotImplementedError

    def render_header(self, width: int, style: Style) -> Strip:
        raise NotImplementedError

    # -- rows ----------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def row_width(self) -> int:
        """Cells a row may use: the width less a vertical scrollbar, when one shows."""
        return self.scrollable_content_region.width

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def rows(self) -> Sequence[RowT]:
        return self._rows

    def at_end(self) -> bool:
        """The cursor is on the last row and the view shows it."""
        return not self._rows or (
            self._cursor >= len(self._rows) - 1 and self.scroll_y >= self.max_scroll_y - 1
        )

    def set_rows(
        self, rows: list[RowT], *, selected: int | None, to_end: bool, keep_view: bool = False
    ) -> None:
        """Show ``rows``; the cursor stays on ``selected`` if it is still there.

        ``keep_view``: the reader is looking at something, so the view stays where it is
        (after the mouse wheel the cursor may be off screen; do not jump back to it).
        """
        self._rows = rows
        self._index = {}
        for number, row in enumerate(rows):
            key = self.row_id(row)
            if key is not None:
                self._index[key] = number
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        if to_end:
            target = len(rows) - 1
        elif selected is not None and selected in self._index:
            target = self._index[selected]
        else:  # the selected row went away (deleted, filtered out): stay near it
            target = min(self._cursor, len(rows) - 1)
        self._move(max(0, target), force=True, scroll=not keep_view)
        if keep_view and self.scroll_y > self.max_scroll_y:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        self.refresh()

    def swap_rows(self, rows: list[RowT]) -> None:
        """The same rows, as other objects that draw the same: nothing is redrawn."""
        assert len(rows) == len(self._rows)
        self._rows = rows

    def append_row(self, row: RowT, *, to_end: bool) -> None:
        """One more row at the end; ``to_end`` moves the cursor (and the view) to it."""
        self._rows.append(row)
        key = self.row_id(row)
        if key is not None:
            self._index[key] = len(self._rows) - 1
        self.virtual_size = Size(self.size.width, len(self._rows) + 1)
        if to_end:
            self._move(len(self._rows) - 1)
        self.refresh()

    def replace_row(self, row_id: int, row: RowT) -> bool:
        """Put ``row`` where the row ``row_id`` is (a new copy, maybe with a new id): that
        one line is drawn again. False when that row is not shown."""
        number = self._index.pop(row_id, None)
        if number is None:
            return False
        self._rows[number] = row
        key = self.row_id(row)
        if key is not None:
            self._index[key] = number
        self.refresh_line(number + 1)  # virtual lines: the header is line 0
        return True

    def forget_drawings(self) -> None:
        """Draw every row again (the way rows are drawn changed)."""
        self._cache.clear()
        self.refresh()

    def refresh_row(self, row_id: int) -> None:
        number = self._index.get(row_id)
        if number is not None:
            self.refresh_line(number + 1)  # virtual lines: the header is line 0

    # -- the cursor ----------------------------------------------------------------------

    def selected_id(self) -> int | None:
        if not self._rows:
            return None
        return self.row_id(self._rows[min(self._cursor, len(self._rows) - 1)])

    def select(self, row_id: int) -> bool:
        number = self._index.get(row_id)
        if number is None:
            return False
        self._move(number)
        return True

    def _move(self, row: int, *, force: bool = False, scroll: bool = True) -> None:
        row = max(0, min(row, len(self._rows) - 1)) if self._rows else 0
        before = self.selected_id()
        if row != self._cursor:
            self.refresh_line(self._cursor + 1)  # virtual lines: the header is line 0
            self._cursor = row
            self.refresh_line(row + 1)
        if scroll:
            self._scroll_to_cursor()
        after = self.selected_id()
        if force or after != before:
            self.post_message(self.Highlighted(after))

    def _visible_rows(self) -> int:
        """Rows that fit under the header (a horizontal scrollbar would take one)."""
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        visible_rows = self._visible_rows()
        top = int(self.scroll_y)
        if self._cursor < top:
            top = self._cursor
        elif self._cursor > top + visible_rows - 1:
            top = self._cursor - visible_rows + 1
        if top != int(self.scroll_y):
            self.scroll_to(y=top, animate=False, immediate=True)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._rows) + 1)
        self._scroll_to_cursor()

    def action_cursor(self, step: int) -> None:
        self._move(self._cursor + step)

    def action_page(self, direction: int) -> None:
        page = max(1, self._visible_rows() - 1)
        self.scroll_to(y=self.scroll_y + direction * page, animate=False, immediate=True)
        self._move(self._cursor + direction * page)

    def action_cursor_to(self, row: int) -> None:
        self._move(row if row >= 0 else len(self._rows) - 1)

    def on_click(self, event: Click) -> None:
        if event.y >= 1:
            self._move(int(self.scroll_y) + event.y - 1)

    # -- drawing -------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        width = self.row_width
        base = self.rich_style
        if y == 0:
            header = base + self.get_component_rich_style("rows--header")
            return self.render_header(width, header).crop_extend(0, width, header)
        number = int(self.scroll_y) + y - 1
        if number >= len(self._rows):
            return Strip.blank(width, base)
        row = self._rows[number]
        key = (self.row_key(row), width)
        strip = self._cache.get(key)
        if strip is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            strip = self._cache[key] = self.render_row(row, width, base).crop_extend(0, width, base)
        if number == self._cursor:
            strip = strip.apply_style(base + self.get_component_rich_style("rows--cursor"))
        return strip
