"""Figures across incidents, with bar charts of incidents and median duration per month."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.reactive import var
from textual.widgets import Footer, Static

from exporters.render.stats_text import (
    TABLE_LEGEND,
    group_table_lines,
    incidents_phrase,
    owner_lines,
    summary_lines,
)
from models.stats import GroupStats, Stats, compute_stats, month_series
from models.store import Store
from models.timeparse import format_duration
from models.vocabulary import SEVERITIES
from tui.charts import month_chart
from tui.errors import workbook
from tui.screens.base import LiveScreen
from tui.text import one_line

# The severity filter steps through these; None shows every severity.
_SEVERITY_CYCLE: tuple[str | None, ...] = (None, *SEVERITIES)
# Columns taken by the body's padding and scroll bar, and between the two charts.
_CHROME = 3
_CHART_GAP = 3
MAX_CHART_MONTHS = 60
STATS_GROUP = "stats"


def chart_months(width: int) -> int:
    """How many months each of the two side-by-side charts can draw at ``width``."""
    return max(6, min(MAX_CHART_MONTHS, (width - _CHROME - _CHART_GAP) // 2))


def _count(group: GroupStats) -> float:
    return float(group.incidents)


def _median_duration(group: GroupStats) -> float | None:
    return group.duration.median


class StatsScreen(LiveScreen[None]):
    """Trends across every incident in the database: ``workbook stats`` on one screen."""

    @dataclass
    class FiguresComputed(Message, bubble=False):
        """The figures were worked out afresh, for the severity they name."""

        stats: Stats

    HELP_GROUP: ClassVar[str] = "Stats"
    CSS_PATH = "stats.tcss"
    AUTO_FOCUS = "#stats-body"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "back", "Incidents", id="stats.back", tooltip="Back to the incident list"
        ),
        Binding(
            "v",
            "next_severity",
            "Severity",
            id="stats.severity",
            tooltip="Show one severity at a time (SEV-1 … SEV-5), then all again",
        ),
    ]

    WORKER_FAILURES: ClassVar[dict[str, str]] = {
        STATS_GROUP: "cannot work out the figures: {why}; check the database file and try again",
    }

    # The one severity shown, or None for all of them.
    severity: var[str | None] = var[str | None](None, init=False)

    def __init__(self) -> None:
        super().__init__()
        self.stats: Stats | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Incident Workbook · stats"), classes="title-bar", id="stats-title")
        with VerticalScroll(id="stats-body"):
            yield Static(id="stats-summary")
            with Horizontal(id="stats-charts"):
                yield Static(id="chart-incidents", classes="chart")
                yield Static(id="chart-duration", classes="chart")
            yield Static(id="stats-by-severity", classes="stats-table")
            yield Static(id="stats-by-month", classes="stats-table")
            yield Static(id="stats-legend", classes="stats-table")
            yield Static(id="stats-owners", classes="stats-table")
        yield Static("Working out the figures…", classes="hint", id="stats-status")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    # -- loading -------------------------------------------------------------------------

    def load(self) -> None:
        app = workbook(self)
        self._compute(app.store, app.now(), self.severity)

    @work(thread=True, exclusive=True, group=STATS_GROUP, exit_on_error=False)
    def _compute(self, store: Store, now: datetime, severity: str | None) -> None:
        stats = compute_stats(store.all_snapshots(), now=now, severity=severity)
        self.hand_over(self.FiguresComputed(stats))

    @on(FiguresComputed)
    def _figures_computed(self, event: FiguresComputed) -> None:
        if event.stats.severity != self.severity:
            return  # worked out for a severity no longer asked for
        self.stats = event.stats
        self.show(event.stats)

    def worker_failed(self, group: str, message: str) -> None:
        self.query_one("#stats-status", Static).update(
            Text("Could not read the incidents; the figures may be out of date.")
        )
        super().worker_failed(group, message)

    def on_resize(self, event: events.Resize) -> None:
        if self.stats is not None:
            self.show(self.stats)  # the charts draw as many months as fit

    # -- showing -------------------------------------------------------------------------

    def show(self, stats: Stats) -> None:
        def update(selector: str, lines: Sequence[str] | Text) -> None:
            content = lines if isinstance(lines, Text) else Text("\n".join(lines), end="")
            self.query_one(selector, Static).update(content)

        empty = stats.overall.incidents == 0
        update("#stats-summary", summary_lines(stats))
        series = month_series(stats, chart_months(self.size.width), from_first=True)
        months = [month for month, _ in series]
        update(
            "#chart-incidents",
            month_chart(
                "Incidents per month",
                months,
                [_count(g) if g else None for _, g in series],
                lambda v: f"{v:.0f}",
            ),
        )
        update(
            "#chart-duration",
            month_chart(
                "Median duration",
                months,
                [_median_duration(g) if g else None for _, g in series],
                format_duration,
            ),
        )
        update(
            "#stats-by-severity", [] if empty else group_table_lines("Severity", stats.by_severity)
        )
        update("#stats-by-month", [] if empty else group_table_lines("Month", stats.by_month))
        update("#stats-legend", [] if empty else [*TABLE_LEGEND, stats.note])
        update("#stats-owners", owner_lines(stats, escape=one_line))
        scope = stats.severity or "all severities"
        if empty:
            status = f"No incidents ({scope}). v shows another severity; Esc goes back."
        else:
            count = incidents_phrase(stats.overall.incidents)
            status = f"{count} · {scope} · v: severity · Esc: back"
        self.query_one("#stats-status", Static).update(Text(status))

    # -- actions -------------------------------------------------------------------------

    def action_next_severity(self) -> None:
        step = _SEVERITY_CYCLE.index(self.severity) + 1
        self.severity = _SEVERITY_CYCLE[step % len(_SEVERITY_CYCLE)]

    def watch_severity(self) -> None:
        self.query_one("#stats-status", Static).update(Text("Working out the figures…"))
        self.reload()

    def action_back(self) -> None:
        self.dismiss()
