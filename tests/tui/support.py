"""Shared pieces of the TUI tests: a world with fixed data and clock, and screen text."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.app import App

from models.config import Settings
from models.db import open_database
from models.store import Store
from models.tables import Incident
from tui.app import WorkbookApp, make_app

FIXED = datetime(2026, 3, 2, 23, 55, tzinfo=UTC)
_TEXT = re.compile(r'<text class="[^"]*-r\d+"[^>]* x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>')


def screen_text(app: App[object]) -> str:
    """What the terminal shows, as plain lines (read back from Textual's own screenshot)."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for x, y, text in _TEXT.findall(app.export_screenshot()):
        rows.setdefault(float(y), []).append((float(x), html.unescape(text)))
    lines = []
    for y in sorted(rows):
        line = ""
        for x, text in sorted(rows[y]):
            column = round(x / 12.2) - 1
            line = line.ljust(column) + text
        lines.append(line.replace("\xa0", " ").rstrip())
    return "\n".join(lines)


def make_store(path: Path, *, author: str = "tester") -> Store:
    return Store(open_database(path), author=author, clock=lambda: FIXED)


def settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "timezone": "UTC",
        "author": "tester",
        "cursor_blink": False,
        "show_seconds": False,
        "theme": "textual-dark",
    }
    values.update(overrides)
    return Settings.defaults(**values)


def sample_incident(store: Store) -> Incident:
    """A database outage in Berlin time, half-way through."""
    incident = store.create_incident(
        "Checkout database failover",
        timezone="Europe/Berlin",
        severity="SEV-2",
        services=["checkout", "db"],
    )
    assert incident.id is not None
    log = [
        (55, "Error rate on checkout climbs above 5%", ["impact-start"]),
        (50, "Pager fires for checkout 5xx", ["detected"]),
        (45, "alice acknowledges the page", ["responded"]),
        (35, "Suspected the CDN; purged caches, no change", ["false-lead"]),
        (25, "Paged the database on-call", ["escalation"]),
        (15, "Primary DB disk full; failover started", ["cause-identified"]),
    ]
    for minutes, text, tags in log:
        store.log_entry(incident.id, text, at=FIXED - timedelta(minutes=minutes), tags=tags)
    store.add_action(incident.id, "Alert on DB disk usage at 80%", owner="alice", type="detect")
    return incident


def build_app(
    store: Store, tmp_path: Path, *, incident_id: int | None = None, **overrides: object
) -> WorkbookApp:
    return make_app(
        store=store,
        settings=settings(**overrides),
        clock=lambda: FIXED,
        incident_id=incident_id,
        drafts_dir=tmp_path / "drafts",
    )
