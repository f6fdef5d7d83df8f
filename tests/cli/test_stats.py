"""``workbook stats``, called the way users and scripts call it."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from models.store import Store
from tests.cli.helpers import failed_with, succeeded, workbook
from tests.conftest import FIXED_NOW


@pytest.fixture
def db(backend: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return backend


def _filled(store: Store) -> None:
    """Two resolved incidents and one ongoing one, logged the way a responder would."""
    start = FIXED_NOW - timedelta(days=40)
    for title, severity, minutes in (("DB down", "SEV-1", 90), ("Slow search", "SEV-3", 30)):
        incident = store.create_incident(title, timezone="UTC", severity=severity)
        assert incident.id is not None
        store.log_entry(incident.id, "errors", at=start, tags=["impact-start"])
        store.log_entry(incident.id, "paged", at=start + timedelta(minutes=10), tags=["detected"])
        store.log_entry(
            incident.id, "fixed", at=start + timedelta(minutes=minutes), tags=["resolved"]
        )
        store.add_action(incident.id, "Add an alert", owner="alice")
        start += timedelta(days=20)
    ongoing = store.create_incident("Queue stuck", timezone="UTC")
    assert ongoing.id is not None
    store.log_entry(ongoing.id, "stuck", at=FIXED_NOW - timedelta(minutes=5), tags=["start"])


def test_stats_command_json(store: Store, db_path: Path) -> None:
    _filled(store)
    data = json.loads(succeeded(workbook(db_path, "stats", "--json")))
    assert data["overall"]["incidents"] == 3
    assert data["overall"]["ongoing"] == 1
    assert data["overall"]["duration_minutes"] == {"median": 60.0, "p90": 84.0, "count": 2}
    assert data["overall"]["time_to_detect_minutes"]["median"] == 10.0
    assert [g["severity"] for g in data["by_severity"]] == ["SEV-1", "SEV-3"]
    assert data["open_action_items"]["by_owner"][0]["owner"] == "alice"
    assert data["generated_at"] == "2026-03-02T23:55:00Z"

    sev1 = json.loads(succeeded(workbook(db_path, "stats", "--json", "--severity", "1")))
    assert sev1["filters"]["severity"] == "SEV-1"
    assert sev1["overall"]["incidents"] == 1
    recent = json.loads(succeeded(workbook(db_path, "stats", "--json", "--since", "2026-02-01")))
    assert recent["overall"]["incidents"] == 2
    assert recent["filters"]["since"] == "2026-02-01"


def test_stats_command_text(store: Store, db_path: Path) -> None:
    _filled(store)
    out = succeeded(workbook(db_path, "stats"))
    assert out.startswith("3 incidents (2 resolved, 1 ongoing) · all severities · all time\n")
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "Open action items: 2" in out
    assert succeeded(workbook(db_path, "stats", "--severity", "SEV-5")) == (
        "No incidents match these filters.\n"
    )


def test_stats_on_an_empty_database(db_path: Path) -> None:
    assert succeeded(workbook(db_path, "stats")) == "No incidents yet.\n"
    assert json.loads(succeeded(workbook(db_path, "stats", "--json")))["overall"]["incidents"] == 0


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--since", "last week"), "YYYY-MM-DD"),
        (("--since", "2026-02-30"), "not a calendar date"),
        (("--severity", "SEV-9"), "SEV-1"),
        (("--severity", "high", "--json"), "is not one of"),
    ],
)
def test_bad_filters_are_one_line_errors(
    db_path: Path, args: tuple[str, ...], fragment: str
) -> None:
    result = workbook(db_path, "stats", *args)
    failed_with(result, fragment)
    assert result.out == ""
