"""The incident's one-line title bar: severity, status, title, duration, zone, who else is here."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from models.metrics import IncidentMetrics
from models.tables import Incident
from models.timeparse import format_duration
from tui.text import literal


def header_text(
    incident: Incident,
    metrics: IncidentMetrics,
    *,
    width: int,
    seconds: bool,
    others: tuple[str, int] = ("", 0),
) -> Text:
    """The bar's line for ``width`` cells: the title gives way (ending in …), the figures never.

    ``others``: who else has the incident open (``alice, bob (2)``) and how many sessions
    that is. Named where the title still fits beside them, counted (``3 also here``) where
    it would not: at 80 columns the title is what tells incidents apart.
    """
    minutes = metrics.duration_minutes
    if minutes is not None and not seconds:
        minutes = float(int(minutes))
    duration = format_duration(minutes) if minutes is not None else "—"
    if metrics.ongoing:
        duration += " ongoing"
    head = Text(end="")
    head.append(f"{incident.severity} ", style="bold")
    head.append(f"{incident.status} · ")
    tail = Text(f" · {duration} · {incident.timezone}", style="dim", end="")
    names, count = others
    if count:
        here = literal(f"also here: {names}")
        room = width - head.cell_len - tail.cell_len - here.cell_len - 3
        if room < min(cell_len(incident.title), 24):
            here = Text(f"{count} also here", end="")
        here.stylize("bold")
        here.truncate(max(16, width // 3), overflow="ellipsis")
        tail.append(" · ", style="dim")
        tail.append_text(here)
    title = literal(incident.title)
    room = width - head.cell_len - tail.cell_len
    if title.cell_len > room:
        title.truncate(max(room, 1), overflow="ellipsis")
    line = Text(end="", no_wrap=True, overflow="ellipsis")
    line.append_text(head)
    line.append_text(title)
    line.append_text(tail)
    return line


class IncidentHeader(Widget):
    """Redraws only when what it says changes (a minute's tick, an edit, a resize)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._shown: tuple[Incident, IncidentMetrics, bool] | None = None
        self._plain = ""
        self._others: tuple[str, int] = ("", 0)

    def show(self, incident: Incident, metrics: IncidentMetrics, *, seconds: bool) -> None:
        self._shown = (incident, metrics, seconds)
        self._redraw_if_changed()

    def show_others(self, names: str, count: int) -> None:
        """Who else has the incident open, and in how many sessions (0: nobody)."""
        self._others = (names, count)
        self._redraw_if_changed()

    def _redraw_if_changed(self) -> None:
        if self._shown is None:
            return
        incident, metrics, seconds = self._shown
        line = header_text(incident, metrics, width=10_000, seconds=seconds, others=self._others)
        if line.plain != self._plain:
            self._plain = line.plain
            self.refresh()

    def render(self) -> Text:
        if self._shown is None:
            return Text("")
        incident, metrics, seconds = self._shown
        width = self.content_size.width
        return header_text(incident, metrics, width=width, seconds=seconds, others=self._others)
