"""The incident list's table: one line per incident, the title taking the room that is left.

Column widths come from the text shown (cheap: a few strings per incident), so a thousand
incidents are laid out in milliseconds and only the lines on screen are drawn.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from models.listing import IncidentRow
from models.timeparse import format_duration, format_local, zone_or_utc
from models.vocabulary import SEVERITIES
from tui.text import literal
from tui.widgets.row_view import RowView

_GAP = "  "  # after the date, which is all digits
_NARROW_GAP = " "  # between the other columns: at 80 columns the title needs the room
_GAPS = len(_GAP) + 5 * len(_NARROW_GAP) + 1  # and a margin on the left
_MIN_TITLE = 24  # the year stays only while every title, or this much of one, fits


def _dated(started: str) -> bool:
    """A start shown as ``YYYY-MM-DD …`` (not ``—``)."""
    return len(started) > 5 and started[4] == "-"


@dataclass(frozen=True)
class ListLine:
    """One incident as the list shows it: every cell already text."""

    row: IncidentRow
    started: str
    duration: str

    @property
    def id(self) -> int:
        return self.row.id


class IncidentTable(RowView[ListLine]):
    """Started, title, severity, status, duration, open action items, false leads."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="list.open", tooltip="Open the incident"),
    ]

    @dataclass
    class Chosen(Message):
        """Enter was pressed on an incident."""

        incident_id: int

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.show_seconds = False
        self._zones: dict[str, ZoneInfo] = {}
        self._short_dates = False
        self._widths: tuple[int, ...] = ()
        self._here: dict[int, int] = {}  # incident id -> sessions that have it open

    # -- what is shown -----------------------------------------------------------------

    def show(self, rows: list[IncidentRow], *, now: datetime) -> None:
        """Show these incidents in this order, keeping the selection."""
        selected = self.selected_id()
        lines = [ListLine(row, self._started(row), self.duration_text(row, now)) for row in rows]
        self.set_rows(lines, selected=selected, to_end=False)
        self._measure()

    def tick(self, now: datetime) -> None:
        """Redraw only the durations whose text changed: an idle list sends no bytes."""
        changed = False
        for number, line in enumerate(self.rows):
            if not line.row.ongoing:
                continue
            text = self.duration_text(line.row, now)
            if text != line.duration:
                self._rows[number] = ListLine(line.row, line.started, text)
                self.refresh_row(line.id)
                changed = True
        if changed:
            self._measure()

    def show_presence(self, counts: dict[int, int]) -> None:
        """How many people have each incident open; redraws only the rows that changed."""
        before, self._here = self._here, dict(counts)
        for incident_id in set(before) | set(counts):
            if before.get(incident_id) != counts.get(incident_id):
                self.refresh_row(incident_id)

    def here(self, incident_id: int) -> int:
        return self._here.get(incident_id, 0)

    def duration_text(self, row: IncidentRow, now: datetime) -> str:
        minutes = row.duration_minutes(now)
        if minutes is None:
            return "—"
        if not self.show_seconds:
            minutes = float(int(minutes))
        return format_duration(minutes) + (" …" if row.ongoing else "")

    def _started(self, row: IncidentRow) -> str:
        if row.started_at is None:
            return "—"
        zone = self._zones.get(row.zone)
        if zone is None:
            zone = self._zones[row.zone] = zone_or_utc(row.zone)
        return format_local(row.started_at, zone, seconds=False)

    def _measure(self) -> None:
        lines = self.rows
        widths = (
            max([7, *(len(line.started) for line in lines)]),
            max([3, *(len(line.row.severity) for line in lines)]),
            max([6, *(len(line.row.status) for line in lines)]),
            max([8, *(len(line.duration) for line in lines)]),
            max([2, *(len(str(line.row.open_actions)) for line in lines)]),
            max([2, *(len(str(line.row.false_leads)) for line in lines)]),
        )
        # Dates lose their year only when every row listed is in one year (so the year
        # tells no two rows apart) and a title would otherwise be cut. Across years it
        # stays, even at the title's expense: "02-12" above "08-15" reads as unsorted.
        longest = max([_MIN_TITLE, *(cell_len(line.row.title) for line in lines)])
        room = self.row_width
        one_year = len({line.started[:4] for line in lines if _dated(line.started)}) <= 1
        short = room and one_year and sum(widths) + _GAPS + longest > room
        if widths != self._widths or short != self._short_dates:
            self._widths, self._short_dates = widths, bool(short)
            self.forget_drawings()

    def on_resize(self) -> None:
        super().on_resize()
        self._measure()

    # -- keys ----------------------------------------------------------------------------

    def action_open(self) -> None:
        incident_id = self.selected_id()
        if incident_id is not None:
            self.post_message(self.Chosen(incident_id))

    # -- drawing -------------------------------------------------------------------------

    def row_id(self, row: ListLine) -> int | None:
        return row.id

    def row_key(self, row: ListLine) -> Hashable:
        return (row, self._widths, self._short_dates, self._here.get(row.id, 0))

    def _started_width(self) -> int:
        return max(7, self._widths[0] - 5) if self._short_dates else self._widths[0]

    def _started_cell(self, started: str) -> str:
        if self._short_dates and _dated(started):
            return started[5:]  # 2026-03-02 23:50 CET → 03-02 23:50 CET
        return started

    def _title_width(self, width: int) -> int:
        rest = sum(self._widths[1:]) + self._started_width() + _GAPS
        return max(8, width - rest)  # the figures at the right edge are never cut off

    def _line(self, cells: list[Text]) -> Text:
        started, title, severity, status, *figures = cells
        line = Text(" ", end="", no_wrap=True)
        line.append_text(started)
        line.append(_GAP)
        line.append_text(title)
        for cell in (severity, status, *figures):
            line.append(_NARROW_GAP)
            line.append_text(cell)
        return line

    def render_header(self, width: int, style: Style) -> Strip:
        if not self._widths:
            return Strip([Segment(" Started", style)])
        sev, status, duration, actions, leads = self._widths[1:]
        cells = [
            Text("Started".ljust(self._started_width())),
            Text("Title".ljust(self._title_width(width))),
            Text("Sev".ljust(sev)),
            Text("Status".ljust(status)),
            Text("Duration".rjust(duration)),
            Text("AI".rjust(actions)),
            Text("FL".rjust(leads)),
        ]
        line = self._line(cells)
        line.style = style
        return Strip(list(line.render(self.app.console)))

    def render_row(self, row: ListLine, width: int, base: Style) -> Strip:
        sev, status, duration, actions, leads = self._widths[1:]
        incident = row.row
        title = literal(incident.title)
        here = self._here.get(incident.id, 0)
        if here:  # before the title, which gives way at the end
            title = Text.assemble((f"{here} here", "bold"), " · ", title, end="")
        title.truncate(self._title_width(width), overflow="ellipsis", pad=True)
        severe = incident.severity in SEVERITIES[:2]
        cells = [
            Text(self._started_cell(row.started).ljust(self._started_width())),
            title,
            Text(incident.severity.ljust(sev), style="bold" if severe else ""),
            Text(incident.status.ljust(status)),
            Text(row.duration.rjust(duration)),
            Text((str(incident.open_actions) if incident.open_actions else "·").rjust(actions)),
            Text((str(incident.false_leads) if incident.false_leads else "·").rjust(leads)),
        ]
        return Strip(list(self._line(cells).render(self.app.console)))
