"""The figures of an incident, each pointing at the entry it came from, and its impact."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from models.import_evidence import ImportedFigure, shown_marks
from models.metrics import IncidentMetrics, Milestone
from tui.messages import MilestoneChosen
from tui.text import literal

if TYPE_CHECKING:
    from models.tables import Incident

LABEL_WIDTH = 15
# How an imported figure's mark looks: the less sure the reading, the louder.
CONFIDENCE_STYLES = {"guessed": "bold yellow", "derived": "yellow", "stated": "dim"}
QUOTE_WIDTH = 40
CORRECT_HINT = "Imported: check before publishing. F4 Details corrects start and end."


def imported_mark(figure: ImportedFigure) -> Text:
    """The line under an imported figure: how sure the reading was, and the line it read."""
    text = Text("  imported, ", style="dim", end="")
    text.append(figure.confidence, style=CONFIDENCE_STYLES.get(figure.confidence, "bold yellow"))
    if figure.line is not None:
        text.append(f": line {figure.line}", style="dim")
        quote = literal(" ".join(figure.text.split()))
        quote.truncate(QUOTE_WIDTH, overflow="ellipsis")
        if quote.plain:
            text.append(" “", style="dim").append_text(quote).append("”", style="dim")
    return text


def _minutes(value: float | None) -> str:
    from models.timeparse import format_duration

    return "—" if value is None else format_duration(value)


def _count(value: float) -> str:
    """A figure with thousands separators, and decimals only when it has some."""
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0")


def _money(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def impact_values(incident: Incident) -> list[tuple[str, Text]]:
    """(label, value) for each impact figure the incident states; unknown ones are left out."""
    values: list[tuple[str, Text]] = []
    users: list[str] = []
    if incident.users_affected_pct is not None:
        users.append(f"{_count(incident.users_affected_pct)}%")
    if incident.users_affected is not None:
        users.append(f"{_count(incident.users_affected)} users")
    if users:  # as the postmortem says it: the share first, the count beside it
        values.append(("Users affected", Text(" (".join(users) + ")" * (len(users) - 1))))
    if incident.transactions_lost is not None:
        values.append(("Transactions", Text(f"{_count(incident.transactions_lost)} lost")))
    if incident.revenue_lost is not None:
        money = Text(_money(incident.revenue_lost))
        if incident.currency:
            money.append(" ").append_text(literal(incident.currency))
        values.append(("Revenue", money.append(" lost")))
    return values


def metrics_lines(
    metrics: IncidentMetrics,
    *,
    zone: ZoneInfo,
    seconds: bool = False,
    incident: Incident | None = None,
    imported: Mapping[str, ImportedFigure] | None = None,
) -> list[tuple[Text, int | None]]:
    """(line, entry id to jump to) for each figure, in reading order; with the incident,
    the impact it states too; with what an import read (``imported``), a mark under each
    figure still as the importer read it."""
    marks = shown_marks(imported, metrics) if imported else {}

    def when(milestone: Milestone) -> str:
        if milestone.at is None:
            return ""
        pattern = "%H:%M:%S" if seconds else "%H:%M"
        where = " (set)" if milestone.source == "explicit" else ""
        return f"  at {milestone.at.astimezone(zone).strftime(pattern)}{where}"

    def line(label: str, value: str | Text, extra: str = "", style: str = "") -> Text:
        text = Text(f"{label:<{LABEL_WIDTH}}", style="bold", end="")
        if isinstance(value, Text):
            text.append_text(value)
        else:
            text.append(value, style=style)
        text.append(extra, style="dim")
        return text

    duration = metrics.duration_minutes
    if duration is not None and not seconds:
        duration = float(int(duration))
    lines: list[tuple[Text, int | None]] = [
        (
            line("Duration", _minutes(duration), "  ongoing" if metrics.ongoing else ""),
            None,
        ),
    ]
    if any(mark.needs_check for mark in marks.values()):
        # First, so it is seen on a short terminal too.
        lines.insert(0, (Text("⚑ ", style="bold yellow", end="") + Text(CORRECT_HINT), None))
    if "duration" in marks:
        lines.append((imported_mark(marks["duration"]), None))
    lines.append(
        (line("Impact start", when(metrics.started).strip() or "—"), metrics.started.entry_id)
    )
    if "start" in marks:
        lines.append((imported_mark(marks["start"]), metrics.started.entry_id))
    for label, milestone, minutes in (
        ("Detect", metrics.detected, metrics.time_to_detect_minutes),
        ("Respond", metrics.responded, metrics.time_to_respond_minutes),
        ("Escalate", metrics.escalated, metrics.time_to_escalate_minutes),
        ("Cause found", metrics.cause_identified, metrics.time_to_cause_minutes),
        ("Mitigate", metrics.mitigated, metrics.time_to_mitigate_minutes),
        ("Resolve", metrics.resolved, metrics.time_to_resolve_minutes),
    ):
        value = _minutes(minutes) if minutes is not None or milestone.at is None else ""
        lines.append((line(label, value, when(milestone)), milestone.entry_id))
        if milestone is metrics.resolved and "end" in marks:
            lines.append((imported_mark(marks["end"]), milestone.entry_id))
    first_false_lead = metrics.false_lead_entry_ids[0] if metrics.false_lead_entry_ids else None
    lines.append(
        (
            line(
                "False leads",
                str(metrics.false_leads),
                f"  {_minutes(metrics.time_on_false_leads_minutes)} lost"
                if metrics.false_leads
                else "",
            ),
            first_false_lead,
        )
    )
    first_escalation = metrics.escalation_entry_ids[0] if metrics.escalation_entry_ids else None
    lines.append((line("Escalations", str(metrics.escalations)), first_escalation))
    if incident is not None:
        lines.extend((line(label, value), None) for label, value in impact_values(incident))
    if metrics.user_minutes is not None:
        lines.append((line("User-minutes", f"{metrics.user_minutes:,.0f}"), None))
    if metrics.error_budget_consumed_pct is not None:
        lines.append(
            (line("Error budget", f"{metrics.error_budget_consumed_pct:.1f}% consumed"), None)
        )
    for warning in metrics.warnings:
        lines.append((Text("⚠ ", style="bold yellow", end="") + literal(warning), None))
    return lines


class MetricsPanel(OptionList):
    """Enter on a figure jumps to the timeline entry behind it."""

    HELP_GROUP: ClassVar[str] = "Metrics"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._shown: list[str] = []
        self._targets: dict[str, int] = {}

    def show_metrics(
        self,
        metrics: IncidentMetrics,
        *,
        zone: ZoneInfo,
        now: datetime,
        seconds: bool,
        incident: Incident | None = None,
        imported: Mapping[str, ImportedFigure] | None = None,
    ) -> None:
        lines = metrics_lines(
            metrics, zone=zone, seconds=seconds, incident=incident, imported=imported
        )
        plain = [f"{text.plain}|{target}" for text, target in lines]
        if plain == self._shown:
            return  # nothing to redraw
        self._shown = plain
        highlighted = self.highlighted
        self._targets = {}
        options = []
        for number, (text, target) in enumerate(lines):
            option_id = f"figure-{number}"
            if target is not None:
                self._targets[option_id] = target
                text.append("  ↵", style="dim")
            options.append(Option(text, id=option_id))
        self.clear_options()
        self.add_options(options)
        if highlighted is not None and highlighted < len(options):
            self.highlighted = highlighted

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        target = self._targets.get(event.option.id or "")
        if target is not None:
            self.post_message(MilestoneChosen(target))
