"""Plain terminal text, everything the CLI prints for a person: ``show``, the incident
list, an entry's history and the settings. User text goes through :func:`visible`.

Light to import (the tables are only named in annotations): ``workbook config`` prints
from here without loading SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from exporters.render.terminal_safe import visible
from models.timeparse import format_duration, format_local, resolve_zone

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path
    from zoneinfo import ZoneInfo

    from models.metrics import IncidentMetrics, Milestone
    from models.tables import ActionItem, EntryRevision, Incident, TimelineEntry


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


def render_list(rows: Sequence[Mapping[str, Any]]) -> str:
    """``workbook list``: one line per row of :func:`json_view.list_row`, as given."""
    if not rows:
        return 'No incidents yet. Start one with: workbook new "Short title"\n'
    lines = []
    for row in rows:
        started = (row["started_at"] or "—")[:16].replace("T", " ")
        lines.append(
            f"{row['id']:>4}  {started:<16}  {row['severity']}  {row['status']:<13}  "
            f"{format_duration(row['duration_minutes']):>9}  {visible(row['slug'])}"
        )
    return "\n".join(lines) + "\n"


def _tags(tags: Sequence[str]) -> str:
    return " ".join("#" + t for t in tags)


def render_history(
    current: TimelineEntry, revisions: Sequence[EntryRevision], *, timezone: str
) -> str:
    """``workbook history``: every earlier version (v1 first), then the entry as it is now."""
    zone = resolve_zone(timezone)
    lines = [
        f"v{number}  {format_local(rev.at, zone)}  {visible(rev.text)}  {_tags(rev.tags)}"
        f"  (replaced {format_local(rev.replaced_at, zone)} by {visible(rev.replaced_by)})"
        for number, rev in enumerate(revisions, start=1)
    ]
    state = " (deleted)" if current.deleted_at else ""
    lines.append(
        f"now {format_local(current.at, zone)}  {visible(current.text)}"
        f"  {_tags(current.tags)}{state}"
    )
    return "\n".join(lines) + "\n"


def render_config(
    values: Mapping[str, Any],
    sources: Mapping[str, str],
    *,
    config_file: Path | None,
    present: bool,
) -> str:
    """``workbook config``: the config file, then each setting with where it came from."""
    lines = [f"config file: {config_file}" + ("" if present else " (not present)")]
    for key, value in values.items():
        shown = "true" if value is True else "false" if value is False else value
        lines.append(f"{key:<13} = {shown}    ({sources.get(key, 'default')})")
    return "\n".join(lines) + "\n"
