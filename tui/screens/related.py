"""Related incidents: earlier ones that share this incident's services, tags or words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from models.search import RelatedIncident, related_incidents
from tui.errors import workbook
from tui.screens.base import WorkbookModalScreen
from tui.text import one_line

if TYPE_CHECKING:
    from models.store import Store

RELATED_GROUP = "related"


def related_text(item: RelatedIncident, width: int) -> Text:
    """Three lines: the incident, what it shares, its root cause (all user text literal)."""
    when = item.started_at.strftime("%Y-%m-%d") if item.started_at is not None else ""
    head = Text(end="")
    head.append(one_line(item.title), style="bold")
    head.append(f"  {when}  {one_line(item.slug)}", style="dim")
    shared = [f"service {one_line(s)}" for s in item.services]
    shared += [f"tag {one_line(t)}" for t in item.tags]
    if item.words:
        shared.append("words " + ", ".join(one_line(w) for w in item.words))
    shares = Text("  shares: " + " · ".join(shared), style="italic", end="")
    cause = one_line(item.root_cause_line) or "(no root cause written)"
    root = Text(f"  root cause: {cause}", end="")
    for line in (head, shares, root):
        line.truncate(max(width, 10), overflow="ellipsis")
    return Text("\n", end="").join([head, shares, root])


class RelatedScreen(WorkbookModalScreen[int | None]):
    """Earlier incidents like this one; Enter opens one. Dismissed with its id, or None."""

    @dataclass
    class RelatedFound(Message, bubble=False):
        """The earlier incidents like this one were read."""

        items: list[RelatedIncident]

    HELP_GROUP: ClassVar[str] = "Related incidents"
    DEFAULT_CSS = """
    RelatedScreen { align: center middle; }
    RelatedScreen #related-dialog {
        width: 90%; max-width: 110; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    RelatedScreen #related-list { height: auto; max-height: 20; border: none; }
    RelatedScreen #related-status { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="related.close", tooltip="Back to the incident"),
    ]
    WORKER_FAILURES: ClassVar[dict[str, str]] = {
        RELATED_GROUP: "cannot find related incidents: {why}",
    }

    def __init__(self, incident_id: int) -> None:
        super().__init__()
        self.incident_id = incident_id
        self.items: list[RelatedIncident] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="related-dialog"):
            yield Static(Text("Related incidents", style="bold"), id="related-title")
            yield OptionList(id="related-list")
            yield Static(Text("Looking for earlier incidents like this one…"), id="related-status")

    def on_mount(self) -> None:
        self._find(workbook(self).store, self.incident_id)

    @work(thread=True, exclusive=True, group=RELATED_GROUP, exit_on_error=False)
    def _find(self, store: Store, incident_id: int) -> None:
        self.hand_over(self.RelatedFound(related_incidents(store.engine, incident_id)))

    @on(RelatedFound)
    def _found(self, event: RelatedFound) -> None:
        self.items = event.items
        listing = self.query_one("#related-list", OptionList)
        width = listing.scrollable_content_region.width - 1
        listing.add_options(Option(related_text(item, width)) for item in event.items)
        status = self.query_one("#related-status", Static)
        if not event.items:
            listing.display = False
            status.update(Text("No earlier incident shares its services, tags or words. Esc: back"))
        else:
            listing.focus()
            listing.highlighted = 0
            status.update(Text("Enter opens one · Esc: back"))

    @on(OptionList.OptionSelected, "#related-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.items[event.option_index].incident_id)

    def action_close(self) -> None:
        self.dismiss(None)
