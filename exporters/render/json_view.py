"""The incident as a JSON-ready dict: ``workbook show --json`` and ``export --format json``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from models.metrics import IncidentMetrics, compute_metrics
from models.tables import (
    IMPACT_FIELDS,
    NARRATIVE_FIELDS,
    ActionItem,
    EntryRevision,
    Incident,
    TimelineEntry,
)
from models.vocabulary import OPEN_ACTION_STATUSES

if TYPE_CHECKING:
    from models.attachments import AttachmentInfo


def iso_utc(at: datetime | None) -> str | None:
    if at is None:
        return None
    text = at.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def entry_dict(entry: TimelineEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": iso_utc(entry.at),
        "author": entry.author,
        "text": entry.text,
        "tags": list(entry.tags),
    }


def revision_dict(revision: EntryRevision) -> dict[str, Any]:
    return {
        "at": iso_utc(revision.at),
        "author": revision.author,
        "text": revision.text,
        "tags": list(revision.tags),
        "replaced_at": iso_utc(revision.replaced_at),
        "replaced_by": revision.replaced_by,
    }


def action_dict(item: ActionItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "ref": item.ref,
        "title": item.title,
        "owner": item.owner,
        "priority": item.priority,
        "type": item.type,
        "status": item.status,
        "due": item.due.isoformat() if item.due else None,
        "link": item.link,
    }


def incident_dict(
    incident: Incident,
    entries: Sequence[TimelineEntry],
    action_items: Sequence[ActionItem],
    *,
    now: datetime,
    metrics: IncidentMetrics | None = None,
    attachments: Sequence[AttachmentInfo] = (),
) -> dict[str, Any]:
    m = metrics or compute_metrics(incident, entries, now=now)
    times = m.milestone_times()
    impact: dict[str, Any] = {name: getattr(incident, name) for name in IMPACT_FIELDS}
    impact["error_budget_consumed_pct"] = m.error_budget_consumed_pct
    impact["user_minutes"] = m.user_minutes
    return {
        "id": incident.id,
        "slug": incident.slug,
        "title": incident.title,
        "severity": incident.severity,
        "status": incident.status,
        "timezone": incident.timezone,
        "services": list(incident.services),
        "commander": incident.commander,
        **{name: getattr(incident, name) for name in NARRATIVE_FIELDS},
        "started_at": iso_utc(times["started_at"]),
        "detected_at": iso_utc(times["detected_at"]),
        "responded_at": iso_utc(times["responded_at"]),
        "mitigated_at": iso_utc(times["mitigated_at"]),
        "resolved_at": iso_utc(times["resolved_at"]),
        "metrics": m.metrics_dict(),
        "impact": impact,
        "timeline": [entry_dict(e) for e in sorted(entries, key=lambda e: (e.at, e.id or 0))],
        "action_items": [action_dict(a) for a in action_items],
        "warnings": list(m.warnings),
        "attachments": [a.as_json() for a in attachments],
    }


def list_row(
    incident: Incident, metrics: IncidentMetrics, action_items: Sequence[ActionItem]
) -> dict[str, Any]:
    times = metrics.milestone_times()
    return {
        "id": incident.id,
        "slug": incident.slug,
        "title": incident.title,
        "severity": incident.severity,
        "status": incident.status,
        "started_at": iso_utc(times["started_at"]),
        "resolved_at": iso_utc(times["resolved_at"]),
        "duration_minutes": metrics.duration_minutes,
        "open_action_items": sum(a.status in OPEN_ACTION_STATUSES for a in action_items),
    }
