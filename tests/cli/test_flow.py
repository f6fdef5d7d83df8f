"""One incident from the first page to the postmortem, every family of commands in turn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import show_json, succeeded, workbook


@pytest.fixture
def db(backend: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return backend


def test_full_incident_flow(db: Path, slug: str) -> None:
    first = succeeded(
        workbook(
            db, "log", slug, "Error rate up", "--at", "2026-03-02 21:00", "--tag", "impact-start"
        )
    ).strip()
    assert first.isdigit()
    succeeded(workbook(db, "log", slug, "Paged", "--at", "2026-03-02 21:10", "--tag", "det"))
    lead = succeeded(workbook(db, "log", slug, "Suspected DNS", "--at", "2026-03-02 21:20")).strip()
    succeeded(workbook(db, "tag", slug, lead, "fl", "esc"))
    succeeded(workbook(db, "tag", slug, lead, "esc", "--remove"))
    succeeded(workbook(db, "log", slug, "Rolled back", "--at", "2026-03-02 21:40", "--tag", "mit"))
    succeeded(workbook(db, "log", slug, "All clear", "--at", "2026-03-02 22:00", "--tag", "res"))
    succeeded(
        workbook(
            db,
            "set",
            slug,
            "users_affected_pct=40",
            "slo_target_pct=99.9",
            "root_cause=A bad *deploy*.",
            "status=resolved",
        )
    )
    ref = succeeded(
        workbook(
            db,
            "action",
            slug,
            "Alert on 5xx",
            "--owner",
            "ana",
            "--priority",
            "high",
            "--type",
            "detect",
            "--due",
            "2026-04-01",
        )
    ).strip()
    assert ref == "AI-1"
    succeeded(workbook(db, "action-update", slug, "AI-1", "status=in-progress"))

    data = show_json(db, slug)
    assert data["metrics"]["duration_minutes"] == 60
    assert data["metrics"]["time_to_detect_minutes"] == 10
    assert data["metrics"]["false_leads"] == 1
    assert data["metrics"]["time_on_false_leads_minutes"] == 20
    assert data["started_at"] == "2026-03-02T21:00:00Z"
    assert data["impact"]["users_affected_pct"] == 40
    assert data["impact"]["error_budget_consumed_pct"] == pytest.approx(
        60 * 0.4 / (30 * 1440 * 0.001) * 100
    )
    assert data["root_cause"] == "A bad *deploy*."
    assert data["action_items"][0]["status"] == "in-progress"
    assert [e["tags"] for e in data["timeline"]][2] == ["false-lead"]
    for key in (
        "id",
        "slug",
        "title",
        "severity",
        "status",
        "timezone",
        "services",
        "commander",
        "summary",
        "detected_at",
        "responded_at",
        "mitigated_at",
        "resolved_at",
        "warnings",
    ):
        assert key in data

    rows = json.loads(succeeded(workbook(db, "list", "--json")))
    assert rows == [
        {
            "id": 1,
            "slug": slug,
            "title": "Checkout down",
            "severity": "SEV-2",
            "status": "resolved",
            "started_at": "2026-03-02T21:00:00Z",
            "resolved_at": "2026-03-02T22:00:00Z",
            "duration_minutes": 60.0,
            "open_action_items": 1,
        }
    ]
    text = succeeded(workbook(db, "show", slug))
    assert "Checkout down" in text and "Rolled back" in text and "AI-1" in text
    assert slug in succeeded(workbook(db, "list"))
