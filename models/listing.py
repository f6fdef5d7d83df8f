"""The incident list's rows, read in three SQL queries with the standard library's sqlite3.

A database of 1,000 incidents and 100,000 entries gives its list in about a tenth of a
second, without loading an entry as an object. The figures follow the same rules as
:func:`models.metrics.compute_metrics` (a test holds them together):

* start: the earliest entry tagged ``impact-start``, else the incident's recorded start,
  else its earliest entry;
* end: the latest entry tagged ``resolved``, else the recorded resolution; none: ongoing;
* false leads: how many live entries carry the tag.

Tags are stored as JSON arrays of tag words (``["false-lead", "note"]``), and tag words
are plain lowercase words joined by hyphens, so a quoted tag in the array text finds it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from models.location import SCHEMA_REVISION
from models.vocabulary import OPEN_ACTION_STATUSES

if TYPE_CHECKING:
    from models.store import IncidentSnapshot


@dataclass(frozen=True)
class IncidentRow:
    """What one line of the incident list shows."""

    id: int
    slug: str
    title: str
    severity: str
    status: str
    zone: str
    started_at: datetime | None
    ended_at: datetime | None
    ongoing: bool
    open_actions: int
    false_leads: int
    search_text: str

    def duration_minutes(self, now: datetime) -> float | None:
        if self.started_at is None:
            return None
        end = now if self.ongoing or self.ended_at is None else self.ended_at
        return max(0.0, (end - self.started_at).total_seconds() / 60)


_INCIDENTS = """
SELECT id, slug, title, severity, status, timezone, services, started_at, resolved_at
FROM incident ORDER BY id
"""

_ENTRY_FIGURES = """
SELECT incident_id,
       min(CASE WHEN tags LIKE '%"impact-start"%' THEN at END),
       max(CASE WHEN tags LIKE '%"resolved"%' THEN at END),
       sum(tags LIKE '%"false-lead"%'),
       min(at)
FROM timeline_entry
WHERE deleted_at IS NULL
GROUP BY incident_id
"""

_OPEN_ACTIONS = f"""
SELECT incident_id, count(*) FROM action_item
WHERE status IN ({", ".join("?" * len(OPEN_ACTION_STATUSES))})
GROUP BY incident_id
"""


def _when(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def _services(value: object) -> list[str]:
    try:
        loaded = json.loads(str(value)) if value is not None else []
    except ValueError:
        return []
    return [str(s) for s in loaded] if isinstance(loaded, list) else []


def _search_text(title: str, slug: str, severity: str, status: str, services: list[str]) -> str:
    """What the list's filter looks in."""
    return " ".join([title, slug, severity, status, *services]).lower()


def list_rows(conn: sqlite3.Connection) -> list[IncidentRow]:
    """Every incident's list row, by id, from an open connection to a workbook database."""
    figures = {row[0]: row[1:] for row in conn.execute(_ENTRY_FIGURES)}
    actions = dict(conn.execute(_OPEN_ACTIONS, OPEN_ACTION_STATUSES).fetchall())
    rows = []
    for number, slug, title, severity, status, zone, services, started, resolved in conn.execute(
        _INCIDENTS
    ):
        tagged_start, tagged_end, false_leads, earliest = figures.get(number, (None,) * 4)
        start = _when(tagged_start) or _when(started) or _when(earliest)
        end = _when(tagged_end) or _when(resolved)
        rows.append(
            IncidentRow(
                id=number,
                slug=slug,
                title=title,
                severity=severity,
                status=status,
                zone=zone,
                started_at=start,
                ended_at=end,
                ongoing=end is None,
                open_actions=actions.get(number, 0),
                false_leads=int(false_leads or 0),
                search_text=_search_text(title, slug, severity, status, _services(services)),
            )
        )
    return rows


def rows_from_snapshots(snapshots: list[IncidentSnapshot], *, now: datetime) -> list[IncidentRow]:
    """The same rows worked out by the metrics themselves (for databases other than SQLite)."""
    from models.metrics import compute_metrics

    rows = []
    for snap in snapshots:
        incident = snap.incident
        assert incident.id is not None
        metrics = compute_metrics(incident, snap.entries, now=now)
        end = None if metrics.ongoing else metrics.resolved.at
        rows.append(
            IncidentRow(
                id=incident.id,
                slug=incident.slug,
                title=incident.title,
                severity=incident.severity,
                status=incident.status,
                zone=incident.timezone,
                started_at=metrics.started.at,
                ended_at=end,
                ongoing=metrics.ongoing,
                open_actions=sum(1 for a in snap.action_items if a.status in OPEN_ACTION_STATUSES),
                false_leads=metrics.false_leads,
                search_text=_search_text(
                    incident.title,
                    incident.slug,
                    incident.severity,
                    incident.status,
                    incident.services,
                ),
            )
        )
    return rows


def read_list_rows(path: Path) -> list[IncidentRow] | None:
    """The list straight from a database file, or None when it must be opened properly.

    None means: the file is missing, unreadable, not a workbook database or at another
    schema revision (the caller then opens it through :mod:`models.db`, which creates,
    migrates or explains). Opened read-only, so this never writes or creates anything.
    """
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        conn.execute("BEGIN")  # one snapshot for all three queries
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if version != (SCHEMA_REVISION,):
            return None
        return list_rows(conn)
    except (sqlite3.Error, ValueError):
        return None
    finally:
        conn.close()
