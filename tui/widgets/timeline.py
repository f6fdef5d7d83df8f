"""The timeline: entries drawn line by line, so a 10,000-entry incident costs what fits on screen.

Only the visible lines are ever rendered (Textual's Line API), each cached until its entry,
the width or the time format changes. A filter narrows the rows without touching the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from exporters.plain_text import visible
from models.tables import TimelineEntry
from models.timeline import EntryFilter
from tui.text import literal, tag_badges

_CACHE_LIMIT = 512
_HEADER = ("Time", "Tags", "By", "What happened")


def _badges_width(tags: tuple[str, ...]) -> int:
    return sum(len(visible(tag)) + 2 for tag in tags) + max(0, len(tags) - 1)


def _entry_key(entry: TimelineEntry) -> tuple[Any, ...]:
    return (entry.id, entry.at, entry.text, tuple(entry.tags), entry.author)


class Timeline(ScrollView, can_focus=True):
    """Entries in time order under a fixed header; keys act on the highlighted one."""

    HELP_GROUP: ClassVar[str] = "Timeline (the highlighted entry)"
    COMPONENT_CLASSES: ClassVar[set[str]] = {"timeline--header", "timeline--cursor"}
    DEFAULT_CSS = """
    Timeline {
        background: $surface;
        overflow-x: hidden;
    }
    Timeline > .timeline--header {
        text-style: bold;
        background: $panel;
        color: $text;
    }
    Timeline > .timeline--cursor {
        background: $block-cursor-blurred-background;
    }
    Timeline:focus > .timeline--cursor {
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
            "slash",
            "command('filter')",
            "Filter",
            id="entry.filter",
            tooltip="Show only entries matching words or #tags (ctrl+f anywhere)",
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

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another entry (None: nothing is shown)."""

        entry_id: int | None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.zone = ZoneInfo("UTC")
        self.show_seconds = False
        self._with_date = False
        self._all: list[TimelineEntry] = []
        self._rows: list[TimelineEntry] = []
        self._index: dict[int, int] = {}
        self._filter = EntryFilter("")
        self._widths = (5, 4, 2)
        self._cursor = 0
        self._cache: dict[tuple[Any, ...], Strip] = {}

    # -- what is shown -----------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def total_count(self) -> int:
        return len(self._all)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def filter_query(self) -> str:
        return self._filter.query

    def following(self) -> bool:
        """The view is at the end, so new entries should stay in sight."""
        return not self._rows or (
            self._cursor >= len(self._rows) - 1 and self.scroll_y >= self.max_scroll_y - 1
        )

    def show_entries(
        self, entries: Sequence[TimelineEntry], *, zone: ZoneInfo, show_seconds: bool
    ) -> None:
        """Show these entries (in time order), keeping the selection and the filter."""
        follow = self.following()
        selected = self.selected_entry_id()
        if zone != self.zone or show_seconds != self.show_seconds:
            self._cache.clear()
        self.zone, self.show_seconds = zone, show_seconds
        self._all = list(entries)
        self._with_date = (
            bool(self._all)
            and self._all[0].at.astimezone(zone).date() != self._all[-1].at.astimezone(zone).date()
        )
        self._measure()
        # Not following: the reader is looking at something, so the view stays where it is
        # (the cursor may be off screen after the mouse wheel; do not jump back to it).
        self._narrow(selected, follow=follow, keep_view=not follow)

    def set_filter(self, query: str) -> int:
        """Show only the entries the query matches; returns how many that is."""
        selected = self.selected_entry_id()
        self._filter = EntryFilter(query)
        self._narrow(selected, follow=False)
        return len(self._rows)

    def matches(self, entry: TimelineEntry) -> bool:
        return self._filter.matches(entry)

    def _measure(self) -> None:
        time_width = (8 if self.show_seconds else 5) + (6 if self._with_date else 0)
        tag_sets = {tuple(e.tags) for e in self._all}
        tags = max([4, *(_badges_width(t) for t in tag_sets)])
        authors = max([2, *(len(visible(a)) for a in {e.author for e in self._all})])
        widths = (time_width, min(tags, 30), min(authors, 12))
        if widths != self._widths:
            self._widths = widths
            self._cache.clear()

    def _narrow(self, selected: int | None, *, follow: bool, keep_view: bool = False) -> None:
        keep = self._filter
        rows = [e for e in self._all if keep.matches(e)] if keep else self._all
        self._rows = rows
        self._index = {e.id: n for n, e in enumerate(rows) if e.id is not None}
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        if follow or selected is None:
            target = len(rows) - 1
        elif selected in self._index:
            target = self._index[selected]
        else:  # the selected entry went away (deleted, filtered out): stay near it
            target = min(self._cursor, len(rows) - 1)
        self._move(max(0, target), force=True, scroll=not keep_view)
        if keep_view and self.scroll_y > self.max_scroll_y:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        self.refresh()

    # -- the cursor ----------------------------------------------------------------------

    def selected_entry_id(self) -> int | None:
        if not self._rows:
            return None
        return self._rows[min(self._cursor, len(self._rows) - 1)].id

    def select_entry(self, entry_id: int) -> bool:
        row = self._index.get(entry_id)
        if row is None:
            return False
        self._move(row)
        return True

    def _move(self, row: int, *, force: bool = False, scroll: bool = True) -> None:
        row = max(0, min(row, len(self._rows) - 1)) if self._rows else 0
        before = self.selected_entry_id()
        if row != self._cursor:
            self.refresh_line(self._cursor - int(self.scroll_y) + 1)
            self._cursor = row
            self.refresh_line(row - int(self.scroll_y) + 1)
        if scroll:
            self._scroll_to_cursor()
        after = self.selected_entry_id()
        if force or after != before:
            self.post_message(self.Highlighted(after))

    def _visible_rows(self) -> int:
        """Entry rows that fit under the header (a horizontal scrollbar would take one)."""
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

    def action_command(self, command: str) -> None:
        self.post_message(self.CommandChosen(command, self.selected_entry_id()))

    def on_click(self, event: Click) -> None:
        if event.y >= 1:
            self._move(int(self.scroll_y) + event.y - 1)

    # -- drawing -------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y == 0:
            header = base + self.get_component_rich_style("timeline--header")
            return self._header_strip(header).crop_extend(0, width, header)
        row = int(self.scroll_y) + y - 1
        if row >= len(self._rows):
            return Strip.blank(width, base)
        entry = self._rows[row]
        key = (*_entry_key(entry), width)
        strip = self._cache.get(key)
        if strip is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            strip = self._cache[key] = self._entry_strip(entry, width, base)
        if row == self._cursor:
            strip = strip.apply_style(base + self.get_component_rich_style("timeline--cursor"))
        return strip

    def _header_strip(self, style: Style) -> Strip:
        time_w, tags_w, author_w = self._widths
        cells = [_HEADER[0].ljust(time_w), _HEADER[1].ljust(tags_w), _HEADER[2].ljust(author_w)]
        line = " " + "  ".join(cells) + "  " + _HEADER[3]
        return Strip([Segment(line, style)])

    def _entry_strip(self, entry: TimelineEntry, width: int, base: Style) -> Strip:
        time_w, tags_w, author_w = self._widths
        local = entry.at.astimezone(self.zone)
        pattern = "%H:%M:%S" if self.show_seconds else "%H:%M"
        if self._with_date:
            pattern = "%m-%d " + pattern
        line = Text(" " + local.strftime(pattern).ljust(time_w) + "  ", end="", no_wrap=True)
        badges = tag_badges(entry.tags)
        badges.truncate(tags_w, pad=True)
        line.append_text(badges)
        line.append("  ")
        author = literal(entry.author, style="dim")
        author.truncate(author_w, pad=True)
        line.append_text(author)
        line.append("  ")
        line.append_text(literal(entry.text))
        segments = list(line.render(self.app.console))
        return Strip(segments).crop_extend(0, width, base)
