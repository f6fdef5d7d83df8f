"""Search every incident: type, and the best matches follow; Enter opens one at the match."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from exporters.render.terminal_safe import visible
from models.search import SearchHit, search
from models.search_query import Query, QueryError, parse_query
from tui.errors import workbook
from tui.screens.base import WorkbookScreen
from tui.text import one_line

if TYPE_CHECKING:
    from models.store import Store

SEARCH_GROUP = "search"
MATCH_STYLE = "bold reverse"
HINT = 'words (word starts), "a phrase", -word, tag:false-lead, service:checkout'


def hit_text(hit: SearchHit, width: int) -> Text:
    """Two lines for one hit: the incident and where in it, then the snippet, matches marked.

    Every piece of user text is escaped on its own, so a match is marked around exactly
    the characters that matched and nothing typed is read as markup or sent raw. Each line
    is cut to the width with an ellipsis; the slug, last, is what gives way first.
    """
    when = hit.at.strftime("%Y-%m-%d %H:%M UTC") if hit.at is not None else ""
    head = Text(end="")
    head.append(one_line(hit.incident_title), style="bold")
    head.append(f"  {visible(hit.where)}", style="italic")
    head.append(f"  {when}  {visible(hit.slug)}", style="dim")
    body = Text("  ", end="")
    last = 0
    for start, end in hit.spans:
        body.append(visible(hit.snippet[last:start]))
        body.append(visible(hit.snippet[start:end]), style=MATCH_STYLE)
        last = end
    body.append(visible(hit.snippet[last:]))
    for line in (head, body):
        line.truncate(max(width, 10), overflow="ellipsis")
    return Text("\n", end="").join([head, body])


class SearchScreen(WorkbookScreen[None]):
    """``workbook search`` on one screen, searching as you type."""

    @dataclass
    class HitsFound(Message, bubble=False):
        """The search for ``typed`` came back with these hits."""

        typed: str
        hits: list[SearchHit]

    HELP_GROUP: ClassVar[str] = "Search"
    CSS_PATH = "search.tcss"
    AUTO_FOCUS = "#search-query"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "back", "Incidents", id="search.back", tooltip="Back to the incident list"
        ),
        Binding(
            "down",
            "to_hits",
            "Hits",
            id="search.hits",
            tooltip="Move from the query to the hits",
            show=False,
        ),
        Binding(
            "ctrl+f",
            "to_query",
            "Query",
            id="search.query",
            tooltip="Back to the query to change it",
        ),
    ]
    WORKER_FAILURES: ClassVar[dict[str, str]] = {
        SEARCH_GROUP: "cannot search: {why}; check the database file and try again",
    }

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[SearchHit] = []
        self.summary = Text()

    def compose(self) -> ComposeResult:
        yield Static(Text("Incident Workbook · search"), classes="title-bar", id="search-title")
        yield Input(placeholder=HINT, id="search-query")
        yield OptionList(id="search-hits")
        yield Static(Text(f"Type to search: {HINT}"), classes="hint", id="search-status")
        yield Footer()

    def on_mount(self) -> None:
        workbook(self).quiet_cursors(self)

    @property
    def status(self) -> Static:
        return self.query_one("#search-status", Static)

    # -- searching -----------------------------------------------------------------------

    @on(Input.Changed, "#search-query")
    def _query_changed(self, event: Input.Changed) -> None:
        typed = event.value
        if not typed.strip():
            self._show([], Text(f"Type to search: {HINT}"))
            return
        try:
            query = parse_query(typed)  # pure and quick: a typo is said at once
        except QueryError as exc:
            self.status.update(Text(str(exc)))
            self.status.add_class("-error")
            return
        self.status.remove_class("-error")
        self.status.update(Text("Searching…"))
        self._search(workbook(self).store, typed, query)

    @work(thread=True, exclusive=True, group=SEARCH_GROUP, exit_on_error=False)
    def _search(self, store: Store, typed: str, query: Query) -> None:
        self.hand_over(self.HitsFound(typed, search(store.engine, query)))

    @on(HitsFound)
    def _hits_found(self, event: HitsFound) -> None:
        if event.typed != self.query_one("#search-query", Input).value:
            return  # an older search that finished late
        count = len(event.hits)
        if count == 0:
            summary = "No matches."
        else:
            summary = f"{count} best {'match' if count == 1 else 'matches'} · ↓ then Enter opens"
        self._show(event.hits, Text(summary))

    def _show(self, hits: list[SearchHit], summary: Text) -> None:
        self.hits, self.summary = hits, summary
        listing = self.query_one("#search-hits", OptionList)
        listing.clear_options()
        width = listing.scrollable_content_region.width - 1
        listing.add_options(Option(hit_text(hit, width)) for hit in hits)
        self.status.remove_class("-error")
        self.status.update(summary)

    def on_resize(self) -> None:
        if self.hits:  # the lines are cut to the width: cut them again
            listing = self.query_one("#search-hits", OptionList)
            highlighted = listing.highlighted
            self._show(self.hits, self.summary)
            listing.highlighted = highlighted

    # -- going places --------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#search-hits")
    def _hit_chosen(self, event: OptionList.OptionSelected) -> None:
        hit = self.hits[event.option_index]
        if hit.kind == "entry":
            workbook(self).open_incident(hit.incident_id, entry_id=hit.entry_id)
        elif hit.kind == "action":
            workbook(self).open_incident(hit.incident_id, tab="tab-actions")
        elif hit.section not in (None, "title"):
            workbook(self).open_incident(hit.incident_id, tab="tab-writeup")
        else:
            workbook(self).open_incident(hit.incident_id)

    @on(Input.Submitted, "#search-query")
    def _query_submitted(self) -> None:
        self.action_to_hits()

    def action_to_hits(self) -> None:
        listing = self.query_one("#search-hits", OptionList)
        if listing.option_count:
            listing.focus()
            if listing.highlighted is None:
                listing.highlighted = 0

    def action_to_query(self) -> None:
        self.query_one("#search-query", Input).focus()

    def action_back(self) -> None:
        self.dismiss()
