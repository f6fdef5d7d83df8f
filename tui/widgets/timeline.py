"""The timeline: entries drawn line by line, so a 10,000-entry incident costs what fits on screen.

Drawing, scrolling and the cursor come from :class:`RowView`; this adds the columns, the
keys that act on an entry and a filter that narrows the rows without touching the data.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from exporters.render.terminal_safe import visible
from models.tables import TimelineEntry
from models.timeline import EntryFilter
from tui.text import literal, tag_badges
from tui.widgets.row_view import RowView

_HEADER = ("Time", "Tags", "By", "What happened")


def _badges_width(tags: tuple[str, ...]) -> int:
    return sum(len(visible(tag)) + 2 for tag in tags) + max(0, len(tags) - 1)


class Timeline(RowView[TimelineEntry]):
    """Entries in time order under a fixed header; keys act on the highlighted one."""

    HELP_GROUP: ClassVar[str] = "Timeline (the highlighted entry)"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "edit",
            "Edit",
            id="entry.edit",
            tooltip="Edit time, text and tags; earlier versions are kept and shown",
        ),
        Binding(
            "f",
            "toggle_tag('false-lead')",
            "False lead",
            id="entry.false-lead",
            tooltip="Toggle the false-lead tag",
        ),
        Binding(
            "x",
            "toggle_tag('escalation')",
            "Escalation",
            id="entry.escalation",
            tooltip="Toggle the escalation tag",
        ),
        Binding("t", "pick_tags", "Tags", id="entry.tags", tooltip="Pick any tags for the entry"),
        Binding(
            "d",
            "delete",
            "Delete",
            id="entry.delete",
            tooltip="Delete the entry (u brings it back)",
        ),
        Binding(
            "u",
            "undo",
            "Undo delete",
            id="entry.undo",
            tooltip="Bring back the entry deleted last",
        ),
        Binding(
            "a",
            "action_item",
            "Action item",
            id="entry.action",
            tooltip="Create an action item from the entry",
        ),
        Binding(
            "slash",
            "filter",
            "Filter",
            id="entry.filter",
            tooltip="Show only entries matching words or #tags (ctrl+f anywhere)",
        ),
        Binding(
            "i,escape",
            "type",
            "Type",
            id="entry.type",
            tooltip="Back to the quick-entry bar",
        ),
    ]

    # What the keys ask for. ``entry_id`` is the highlighted entry (None: the timeline is
    # empty); the screen decides what to do, since it holds the record and the dialogs.

    @dataclass
    class EditRequested(Message):
        entry_id: int | None

    @dataclass
    class TagToggled(Message):
        entry_id: int | None
        tag: str

    @dataclass
    class TagPickerRequested(Message):
        entry_id: int | None

    @dataclass
    class DeleteRequested(Message):
        entry_id: int | None

    class UndoRequested(Message):
        """Bring back the entry deleted last."""

    @dataclass
    class ActionItemRequested(Message):
        entry_id: int | None

    class FilterRequested(Message):
        """Open the filter bar."""

    class TypingRequested(Message):
        """Back to the quick-entry bar."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.zone = ZoneInfo("UTC")
        self.show_seconds = False
        self._with_date = False
        self._all: list[TimelineEntry] = []
        self._filter = EntryFilter("")
        # Lower-cased text per entry object, for the filter (kept while the object is shown).
        self._haystacks: dict[int, tuple[TimelineEntry, str]] = {}
        self._widths = (5, 4, 2)

    # -- what is shown -----------------------------------------------------------------

    @property
    def total_count(self) -> int:
        return len(self._all)

    @property
    def filter_query(self) -> str:
        return self._filter.query

    def following(self) -> bool:
        """The view is at the end, so new entries should stay in sight."""
        return self.at_end()

    def show_entries(
        self, entries: Sequence[TimelineEntry], *, zone: ZoneInfo, show_seconds: bool
    ) -> None:
        """Show these entries (in time order), keeping the selection and the filter."""
        follow = self.following()
        if zone == self.zone and show_seconds == self.show_seconds:
            if self._appended(entries):
                self._append(entries[-1], follow=follow)
                return
            if self._unchanged(entries):
                # A reload after our own write reads back what is shown: draw nothing (a
                # redraw of every visible line would be a few kilobytes over SSH).
                self._all = list(entries)
                self._haystacks.clear()
                fresh = {e.id: e for e in self._all}  # hold the new copies, not the old ones
                self.swap_rows([fresh.get(e.id, e) for e in self.rows])
                return
        selected = self.selected_entry_id()
        if zone != self.zone or show_seconds != self.show_seconds:
            self.forget_drawings()
        self.zone, self.show_seconds = zone, show_seconds
        self._all = list(entries)
        self._haystacks.clear()
        self._with_date = (
            bool(self._all)
            and self._all[0].at.astimezone(zone).date() != self._all[-1].at.astimezone(zone).date()
        )
        self._measure()
        self._narrow(selected, follow=follow, keep_view=not follow)

    def _appended(self, entries: Sequence[TimelineEntry]) -> bool:
        """These are the entries shown plus one more at the end (what logging does)."""
        shown = self._all
        if len(entries) != len(shown) + 1 or not shown:
            return False
        last = entries[-1]
        if last.at.astimezone(self.zone).date() != shown[-1].at.astimezone(self.zone).date():
            return False  # the date column may have to appear: measure everything
        return all(a is b for a, b in zip(entries, shown, strict=False))

    def _unchanged(self, entries: Sequence[TimelineEntry]) -> bool:
        shown = self._all
        if len(entries) != len(shown):
            return False
        key = self.row_key
        return all(a is b or key(a) == key(b) for a, b in zip(entries, shown, strict=True))

    def _append(self, entry: TimelineEntry, *, follow: bool) -> None:
        """One new entry at the end: no pass over the other 10,000."""
        self._all.append(entry)
        time_w, tags_w, author_w = self._widths
        widths = (
            time_w,
            max(tags_w, min(_badges_width(tuple(entry.tags)), 30)),
            max(author_w, min(len(visible(entry.author)), 12)),
        )
        if widths != self._widths:
            self._widths = widths
            self.forget_drawings()
        if self._filter.matches(entry):
            self.append_row(entry, to_end=follow)

    def replace_entry(self, entry_id: int, entry: TimelineEntry) -> bool:
        """Swap an entry for a copy that sits and draws in the same columns (a pending row
        for its written copy: same time, tags and author), redrawing that line alone.
        False when it is not that simple: then show the entries again."""
        for number in range(len(self._all) - 1, -1, -1):  # pending rows are near the end
            if self._all[number].id == entry_id:
                break
        else:
            return False
        old = self._all[number]
        if (old.at, old.tags, old.author, old.text) != (
            entry.at,
            entry.tags,
            entry.author,
            entry.text,
        ):
            return False
        self._all[number] = entry
        self._haystacks.pop(id(old), None)
        if self.replace_row(entry_id, entry):
            return True
        return not self._filter.matches(entry)  # hidden by the filter, as its pending copy was

    def set_filter(self, query: str) -> int:
        """Show only the entries the query matches; returns how many that is."""
        selected = self.selected_entry_id()
        earlier, self._filter = self._filter, EntryFilter(query)
        # Typing on only narrows: look among the rows shown, not all 10,000.
        among = self._rows if earlier and self._filter.narrows(earlier) else self._all
        self._narrow(selected, follow=False, among=among)
        return len(self._rows)

    def prepare_filter(self) -> None:
        """Lower-case every entry's text now (the bar just opened), not on the first key."""
        for entry in self._all:
            self._haystack(entry)

    def _haystack(self, entry: TimelineEntry) -> str:
        kept = self._haystacks.get(id(entry))
        if kept is None or kept[0] is not entry:  # an id can be reused by a new object
            kept = self._haystacks[id(entry)] = (entry, EntryFilter.haystack(entry))
        return kept[1]

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
            self.forget_drawings()

    def _narrow(
        self,
        selected: int | None,
        *,
        follow: bool,
        keep_view: bool = False,
        among: Sequence[TimelineEntry] | None = None,
    ) -> None:
        keep = self._filter
        if keep:
            hay = self._haystack
            rows = [e for e in (self._all if among is None else among) if keep.matches(e, hay(e))]
        else:
            rows = list(self._all)
        to_end = follow or selected is None
        self.set_rows(rows, selected=selected, to_end=to_end, keep_view=keep_view and not to_end)

    def selected_entry_id(self) -> int | None:
        return self.selected_id()

    def select_entry(self, entry_id: int) -> bool:
        return self.select(entry_id)

    def action_edit(self) -> None:
        self.post_message(self.EditRequested(self.selected_entry_id()))

    def action_toggle_tag(self, tag: str) -> None:
        self.post_message(self.TagToggled(self.selected_entry_id(), tag))

    def action_pick_tags(self) -> None:
        self.post_message(self.TagPickerRequested(self.selected_entry_id()))

    def action_delete(self) -> None:
        self.post_message(self.DeleteRequested(self.selected_entry_id()))

    def action_undo(self) -> None:
        self.post_message(self.UndoRequested())

    def action_action_item(self) -> None:
        self.post_message(self.ActionItemRequested(self.selected_entry_id()))

    def action_filter(self) -> None:
        self.post_message(self.FilterRequested())

    def action_type(self) -> None:
        self.post_message(self.TypingRequested())

    # -- drawing -------------------------------------------------------------------------

    def row_id(self, row: TimelineEntry) -> int | None:
        return row.id

    def row_key(self, row: TimelineEntry) -> Hashable:
        return (row.id, row.at, row.text, tuple(row.tags), row.author)

    def render_header(self, width: int, style: Style) -> Strip:
        time_w, tags_w, author_w = self._widths
        cells = [_HEADER[0].ljust(time_w), _HEADER[1].ljust(tags_w), _HEADER[2].ljust(author_w)]
        line = " " + "  ".join(cells) + "  " + _HEADER[3]
        return Strip([Segment(line, style)])

    def render_row(self, row: TimelineEntry, width: int, base: Style) -> Strip:
        entry = row
        time_w, tags_w, author_w = self._widths
        local = entry.at.astimezone(self.zone)
        pattern = "%H:%M:%S" if self.show_seconds else "%H:%M"
        if self._with_date:
            pattern = "%m-%d " + pattern
        pending = entry.id is not None and entry.id < 0  # shown before its write landed
        line = Text(
            ("…" if pending else " ") + local.strftime(pattern).ljust(time_w) + "  ",
            end="",
            no_wrap=True,
            style="dim italic" if pending else "",
        )
        badges = tag_badges(entry.tags)
        badges.truncate(tags_w, pad=True)
        line.append_text(badges)
        line.append("  ")
        author = literal(entry.author, style="dim")
        author.truncate(author_w, pad=True)
        line.append_text(author)
        line.append("  ")
        text = literal(entry.text)
        text.truncate(max(1, width - line.cell_len), overflow="ellipsis")
        line.append_text(text)
        return Strip(list(line.render(self.app.console)))
