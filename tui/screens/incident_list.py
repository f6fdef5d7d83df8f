"""The list of incidents: filter as you type, sort, create, open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import var
from textual.widgets import Footer, Input, Static

from models.listing import IncidentRow
from models.vocabulary import SEVERITIES, STATUSES
from tui.errors import workbook
from tui.messages import DatabaseReachability, PresenceChanged
from tui.screens.base import LiveScreen
from tui.widgets.incident_table import IncidentTable
from tui.writer import Write

if TYPE_CHECKING:
    from models.store import Store


# Sort name -> how the count line says it; ``s`` steps through them in this order.
SORTS: dict[str, str] = {
    "started": "newest first",
    "severity": "severity",
    "status": "status",
    "title": "title",
}
LIST_GROUP = "incident-list"
PRESENCE_SECONDS = 10  # how often the counts of who is in each incident are read again


def _sort_key(name: str) -> Any:
    far_past = datetime.min.replace(tzinfo=ZoneInfo("UTC"))
    if name == "severity":
        return lambda r: (SEVERITIES.index(r.severity) if r.severity in SEVERITIES else 9, -r.id)
    if name == "status":
        return lambda r: (STATUSES.index(r.status) if r.status in STATUSES else 99, -r.id)
    if name == "title":
        return lambda r: (r.title.lower(), -r.id)
    return lambda r: (r.started_at or far_past, r.id)


class IncidentListScreen(LiveScreen[None]):
    """Every incident in the database, newest first."""

    @dataclass
    class RowsLoaded(Message, bubble=False):
        """The incidents were read from the database."""

        rows: list[IncidentRow]

    @dataclass
    class PresenceCounted(Message, bubble=False):
        """How many sessions have each incident open (``number``: which read)."""

        counts: dict[int, int]
        number: int

    HELP_GROUP: ClassVar[str] = "Incident list"
    AUTO_FOCUS = "#incident-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_incident", "New", id="list.new", tooltip="Start a new incident"),
        Binding(
            "slash", "filter", "Filter", id="list.filter", tooltip="Filter the list as you type"
        ),
        Binding("s", "sort", "Sort", id="list.sort", tooltip="Sort by another column"),
        Binding(
            "S",
            "stats",
            "Stats",
            id="list.stats",
            tooltip="Figures and trends across every incident",
        ),
        Binding(
            "ctrl+f",
            "search",
            "Search",
            id="list.search",
            tooltip="Find words across every incident",
            # Also from the filter field, where ctrl+f would otherwise delete a word.
            priority=True,
            # The footer is full at 80 columns; F1 and the palette list it.
            show=False,
        ),
        Binding(
            "escape",
            "clear_filter",
            "Clear filter",
            id="list.clear-filter",
            tooltip="Show every incident again",
            show=False,
        ),
    ]

    WORKER_FAILURES: ClassVar[dict[str, str]] = {
        LIST_GROUP: "cannot read the incidents: {why}; check the database file and try again",
    }

    sort_by: var[str] = var("started", init=False)

    def __init__(self) -> None:
        super().__init__()
        self.all_rows: list[IncidentRow] = []
        self._loaded = False
        self._presence_asked = 0
        self._presence_shown = 0

    @property
    def store(self) -> Store:
        return workbook(self).store

    def now(self) -> datetime:
        return workbook(self).now()

    def compose(self) -> ComposeResult:
        yield Static(Text("Incident Workbook · incidents"), classes="title-bar", id="list-title")
        yield Input(placeholder="filter: title, service, severity, status", id="incident-filter")
        yield IncidentTable(id="incident-table")
        yield Static("Loading incidents…", classes="hint", id="incident-count")
        yield Footer()

    @property
    def table(self) -> IncidentTable:
        return self.query_one(IncidentTable)

    def on_mount(self) -> None:
        self.table.show_seconds = bool(workbook(self).settings.show_seconds)
        workbook(self).quiet_cursors(self)
        rows = workbook(self).take_first_rows()
        if rows is None:
            self.load()
        else:  # read before the store was open; the store's reload follows when it is
            self._show_rows(rows)
        seconds = bool(workbook(self).settings.show_seconds)
        self.set_interval(1 if seconds else 60, self._tick_durations, name="duration-tick")
        self.set_interval(PRESENCE_SECONDS, self.load_presence, name="presence-refresh")

    # -- loading -------------------------------------------------------------------------

    def load(self) -> None:
        if not workbook(self).store_is_open:
            return  # still opening (its reload follows) or failed (already explained)
        self._load_rows(self.store)
        self.load_presence()

    @on(PresenceChanged)
    def load_presence(self) -> None:
        if workbook(self).store_is_open:
            self._presence_asked += 1
            self._count_presence(self.store, self._presence_asked)

    # Not exclusive (see the incident screen's presence read): late answers are dropped.
    @work(thread=True, group="presence-count", exit_on_error=False)
    def _count_presence(self, store: Store, number: int) -> None:
        from models.presence import PresenceBook

        self.hand_over(self.PresenceCounted(PresenceBook(store.engine).counts(), number))

    @on(PresenceCounted)
    def _presence_counted(self, event: PresenceCounted) -> None:
        if event.number < self._presence_shown:
            return
        self._presence_shown = event.number
        self.table.show_presence(event.counts)

    @on(DatabaseReachability)
    def _reachability(self) -> None:
        self.refresh_table()

    @work(thread=True, exclusive=True, group=LIST_GROUP, exit_on_error=False)
    def _load_rows(self, store: Store) -> None:
        self.hand_over(self.RowsLoaded(store.list_rows()))

    @on(RowsLoaded)
    def _rows_loaded(self, event: RowsLoaded) -> None:
        self._show_rows(event.rows)

    def _show_rows(self, rows: list[IncidentRow]) -> None:
        if rows != self.all_rows or not self._loaded:
            self.all_rows = rows
            self._loaded = True
            self.refresh_table()

    def worker_failed(self, group: str, message: str) -> None:
        self.query_one("#incident-count", Static).update(
            Text("Could not read the incidents; the list may be out of date.")
        )
        super().worker_failed(group, message)

    # -- showing -------------------------------------------------------------------------

    def visible_rows(self) -> list[IncidentRow]:
        needle = self.query_one("#incident-filter", Input).value.strip().lower()
        rows = [r for r in self.all_rows if all(w in r.search_text for w in needle.split())]
        name = self.sort_by
        return sorted(rows, key=_sort_key(name), reverse=name == "started")

    def refresh_table(self) -> None:
        table = self.table
        table.show(self.visible_rows(), now=self.now())
        shown, total = table.row_count, len(self.all_rows)
        sort = SORTS[self.sort_by]
        if total == 0:
            summary = "No incidents yet: press n to start one."
        elif shown == total:
            summary = f"{total} incidents · sorted by {sort} · Enter opens"
        else:
            summary = f"{shown} of {total} incidents match · sorted by {sort}"
        if not workbook(self).database_reachable:
            summary = "⚠ database unreachable: showing what was read last · " + summary
        self.query_one("#incident-count", Static).update(Text(summary))

    def _tick_durations(self) -> None:
        self.table.tick(self.now())

    # -- events and actions --------------------------------------------------------------

    @on(IncidentTable.Chosen)
    def _open_selected(self, event: IncidentTable.Chosen) -> None:
        workbook(self).open_incident(event.incident_id)

    @on(Input.Changed, "#incident-filter")
    def _filter_changed(self) -> None:
        self.refresh_table()

    @on(Input.Submitted, "#incident-filter")
    def _filter_done(self) -> None:
        self.table.focus()

    def action_filter(self) -> None:
        field = self.query_one("#incident-filter", Input)
        field.add_class("-shown")
        field.focus()

    def action_clear_filter(self) -> None:
        field = self.query_one("#incident-filter", Input)
        field.value = ""
        field.remove_class("-shown")
        self.table.focus()

    def action_sort(self) -> None:
        names = list(SORTS)
        self.sort_by = names[(names.index(self.sort_by) + 1) % len(names)]
        self.notify(f"sorted by {SORTS[self.sort_by]}", timeout=2)

    def watch_sort_by(self) -> None:
        self.refresh_table()

    def action_stats(self) -> None:
        from tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen())

    def action_search(self) -> None:
        from tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen())

    def action_new_incident(self) -> None:
        from tui.screens.new_incident import NewIncidentScreen

        zone = str(workbook(self).settings.timezone or "UTC")
        form = NewIncidentScreen(default_zone=zone, drafts=workbook(self).drafts)
        self.app.push_screen(form, self._create_incident)

    def _create_incident(self, values: dict[str, Any] | None) -> None:
        if not values:
            return

        def create(store: Store) -> int:
            incident = store.create_incident(
                values["title"],
                timezone=values["timezone"],
                severity=values["severity"],
                services=values["services"],
            )
            assert incident.id is not None
            return incident.id

        def created(incident_id: int) -> None:
            if self.is_attached:
                self.load()
                workbook(self).open_incident(incident_id)

        def refused(why: str) -> None:
            self.notify(f"the incident was not created: {why}", severity="error", timeout=10)

        workbook(self).writer.submit(Write(create, created, refused))
