"""Timeline entries: ``log``, ``edit``, ``history``, ``tag``, ``delete``, ``restore``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import show_json, succeeded, workbook


@pytest.fixture
def db(backend: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return backend


def test_edit_history_delete_restore(db: Path, slug: str) -> None:
    entry = succeeded(workbook(db, "log", slug, "first words", "--at", "21:05")).strip()
    succeeded(workbook(db, "edit", slug, entry, "--text", "better words"))
    succeeded(workbook(db, "edit", slug, entry, "--at", "21:06"))
    history = json.loads(succeeded(workbook(db, "history", slug, entry, "--json")))
    assert [r["text"] for r in history["revisions"]] == ["first words", "better words"]
    assert history["entry"]["at"] == "2026-03-02T21:06:00Z"
    assert "better words" in succeeded(workbook(db, "history", slug, entry))
    succeeded(workbook(db, "delete", slug, entry))
    assert show_json(db, slug)["timeline"] == []
    succeeded(workbook(db, "restore", slug, entry))
    assert [e["text"] for e in show_json(db, slug)["timeline"]] == ["better words"]


def test_a_bare_time_on_a_resolved_incident_is_read_near_its_last_entry(db: Path) -> None:
    """Backfilling days later: 23:50 means the evening of the incident, not of today."""
    slug = succeeded(workbook(db, "new", "Old outage", "--tz", "UTC", "--started", "-3d")).strip()
    succeeded(
        workbook(db, "log", slug, "Start", "--at", "2026-02-27 23:40", "--tag", "impact-start")
    )
    succeeded(workbook(db, "log", slug, "Over", "--at", "2026-02-28 00:20", "--tag", "resolved"))
    succeeded(workbook(db, "log", slug, "Forgot this one", "--at", "23:50"))
    succeeded(workbook(db, "log", slug, "And this", "--at", "00:05"))
    times = {e["text"]: e["at"] for e in show_json(db, slug)["timeline"]}
    assert times["Forgot this one"] == "2026-02-27T23:50:00Z"
    assert times["And this"] == "2026-02-28T00:05:00Z"
    # While an incident is ongoing, a bare time is read near now (23:55 on 2 March).
    live = succeeded(workbook(db, "new", "Live one", "--tz", "UTC")).strip()
    succeeded(workbook(db, "log", live, "Just now", "--at", "23:50"))
    succeeded(workbook(db, "log", live, "After midnight, almost", "--at", "00:05"))
    times = {e["text"]: e["at"] for e in show_json(db, live)["timeline"]}
    assert times["Just now"] == "2026-03-02T23:50:00Z"
    assert times["After midnight, almost"] == "2026-03-03T00:05:00Z"
