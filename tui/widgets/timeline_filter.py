"""The bar above the timeline that narrows it to entries matching words or #tags."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static


class FilterInput(Input):
    HELP_GROUP: ClassVar[str] = "Timeline filter"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "close",
            "Clear filter",
            id="filter.clear",
            tooltip="Clear the filter and show every entry again",
        ),
        Binding(
            "enter,down",
            "to_timeline",
            "To entries",
            id="filter.entries",
            tooltip="Move to the matching entries (the filter stays)",
        ),
    ]

    def action_close(self) -> None:
        self.post_message(TimelineFilter.Closed())

    def action_to_timeline(self) -> None:
        self.post_message(TimelineFilter.Leave())


class TimelineFilter(Horizontal):
    """Hidden until asked for; says how many entries match."""

    DEFAULT_CSS = """
    TimelineFilter {
        display: none;
        height: 1;
    }
    TimelineFilter.-open {
        display: block;
    }
    TimelineFilter > FilterInput {
        width: 1fr;
    }
    TimelineFilter > Static {
        width: 22;  /* "none of 10,000 match" and padding: a count never moves the bar */
        padding: 0 1;
        text-align: right;
        color: $text-muted;
    }
    """

    @dataclass
    class Changed(Message):
        query: str

    class Closed(Message):
        """Escape: clear the filter and hide the bar."""

    class Leave(Message):
        """Enter or ↓: go to the matching entries, keeping the filter."""

    def compose(self) -> ComposeResult:
        yield FilterInput(
            placeholder="filter: words or #tags (#fl, #esc…), Esc clears",
            compact=True,
            select_on_focus=False,
            id="timeline-filter",
        )
        yield Static("", id="timeline-filter-count")

    @property
    def input(self) -> FilterInput:
        return self.query_one(FilterInput)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def open(self) -> None:
        self.add_class("-open")
        self.input.focus()

    def close(self) -> None:
        self.remove_class("-open")
        self.input.value = ""

    def show_count(self, shown: int, total: int) -> None:
        if not self.input.value.strip():
            text = f"{total:,} entries"
        elif shown == 0:
            text = f"none of {total:,} match"
        else:
            text = f"{shown:,} of {total:,}"
        # Fixed width, so no layout pass per key (a long log is filtered as you type).
        self.query_one("#timeline-filter-count", Static).update(text, layout=False)

    @on(Input.Changed, "#timeline-filter")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(event.value))
