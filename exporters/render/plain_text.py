"""Plain terminal text: ``workbook show`` and the printing of user text in the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from exporters.render.terminal_safe import visible
from models.metrics import IncidentMetrics, Milestone
from models.tables import ActionItem, Incident, TimelineEntry
from models.timeparse import format_duration, format_local, resolve_zone


def _when(milestone: Milestone, zone: ZoneInfo) -> str:
    if milestone.at is None:
        return "—"
    where = f" (entry {milestone.entry_id})" if milestone.entry_id is not None else ""
    if milestone.source == "explicit":
        where = " (set on the incident)"
    return format_local(milestone.at, zone) + where


def render_show(
    incident: Incident,
    entries: Sequence[TimelineEntry],
    action_items: Sequence[ActionItem],
    metrics: IncidentMetrics,
    *,
    now: datetime,
) -> str:
    zone = resolve_zone(incident.timezone)
    lines = [
        f"{visible(incident.title)}  [{incident.slug}]",
        f"{incident.severity} · {incident.status} · {incident.timezone}"
        + (f" · services: {visible(', '.join(incident.services))}" if incident.services else "")
        + (f" · commander: {visible(incident.commander)}" if incident.commander else ""),
        "",
        f"Duration:         {format_duration(metrics.duration_minutes)}"
        + ("  (ongoing)" if metrics.ongoing else ""),
        f"Impact started:   {_when(metrics.started, zone)}",
        f"Detected:         {_when(metrics.detected, zone)}"
        f"  → {format_duration(metrics.time_to_detect_minutes)}",
        f"Responded:        {_when(metrics.responded, zone)}"
        f"  → {format_duration(metrics.time_to_respond_minutes)}",
        f"Escalated:        {_when(metrics.escalated, zone)}"
        f"  → {format_duration(metrics.time_to_escalate_minutes)}",
        f"Mitigated:        {_when(metrics.mitigated, zone)}"
        f"  → {format_duration(metrics.time_to_mitigate_minutes)}",
        f"Resolved:         {_when(metrics.resolved, zone)}"
        f"  → {format_duration(metrics.time_to_resolve_minutes)}",
        f"False leads:      {metrics.false_leads}"
        f" ({format_duration(metrics.time_on_false_leads_minutes)} lost)",
        f"Escalations:      {metrics.escalations}",
    ]
    if metrics.error_budget_consumed_pct is not None:
        lines.append(f"Error budget:     {metrics.error_budget_consumed_pct:.1f}% consumed")
    lines += ["", "Timeline:"]
    if not entries:
        lines.append("  (no entries yet: workbook log REF TEXT)")
    for entry in entries:
        tags = " ".join(f"#{t}" for t in entry.tags)
        lines.append(
            f"  {entry.id:>5}  {format_local(entry.at, zone)}  {visible(entry.text)}"
            + (f"  {tags}" if tags else "")
            + (f"  — {visible(entry.author)}" if entry.author else "")
        )
    if action_items:
        lines += ["", "Action items:"]
        for item in action_items:
            extra = ", ".join(
                part
                for part in (
                    item.priority,
                    item.type,
                    item.status,
                    visible(item.owner) if item.owner else "",
                    f"due {item.due.isoformat()}" if item.due else "",
                )
                if part
            )
            lines.append(f"  {item.ref:>6}  {visible(item.title)}  ({extra})")
    if metrics.warnings:
        lines += ["", "Warnings:"]
        lines += [f"  ! {w}" for w in metrics.warnings]
    return "\n".join(lines) + "\n"
