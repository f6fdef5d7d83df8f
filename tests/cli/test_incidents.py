"""``new``, ``set``, ``show`` and ``list``, and the JSON they print for scripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import show_json, succeeded, workbook


@pytest.fixture
def db(backend: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return backend


def test_new_prints_the_slug(slug: str) -> None:
    assert slug == "2026-03-02-checkout-down"


def test_ref_by_id_and_prefix(db: Path, slug: str) -> None:
    assert show_json(db, "1")["slug"] == slug
    assert show_json(db, "2026-03-02-check")["slug"] == slug


def test_user_text_never_reaches_the_terminal_raw(db: Path, slug: str) -> None:
    succeeded(workbook(db, "log", slug, "evil \x1b[31mred\x1b[0m [bold]x[/bold]", "--at", "21:10"))
    text = succeeded(workbook(db, "show", slug))
    assert "\x1b" not in text
    assert "\\e[31mred" in text and "[bold]x[/bold]" in text


SHOW_KEYS = {
    "attachments",
    "id",
    "slug",
    "title",
    "severity",
    "status",
    "timezone",
    "services",
    "commander",
    "summary",
    "impact_narrative",
    "root_cause",
    "trigger",
    "resolution",
    "detection",
    "went_well",
    "went_wrong",
    "got_lucky",
    "supporting_info",
    "started_at",
    "detected_at",
    "responded_at",
    "mitigated_at",
    "resolved_at",
    "metrics",
    "impact",
    "timeline",
    "action_items",
    "warnings",
}


METRICS_KEYS = {
    "duration_minutes",
    "ongoing",
    "time_to_detect_minutes",
    "time_to_respond_minutes",
    "time_to_escalate_minutes",
    "time_to_mitigate_minutes",
    "time_to_resolve_minutes",
    "false_leads",
    "escalations",
    "time_on_false_leads_minutes",
}


IMPACT_KEYS = {
    "users_affected_pct",
    "users_affected",
    "transactions_lost",
    "revenue_lost",
    "currency",
    "data_loss",
    "data_loss_note",
    "slo_target_pct",
    "slo_window_days",
    "error_budget_consumed_pct",
    "user_minutes",
}


def test_show_json_has_exactly_the_keys_of_the_contract(lived_in: Path) -> None:
    succeeded(workbook(lived_in, "log", "1", "Paged", "--at", "21:20", "--tag", "detected"))
    exported = json.loads(succeeded(workbook(lived_in, "export", "1", "--format", "json")))
    assert exported == show_json(lived_in, "1")
    for data in (
        show_json(lived_in, "1"),
        json.loads(succeeded(workbook(lived_in, "export", "1", "--format", "json"))),
    ):
        assert set(data) == SHOW_KEYS
        assert set(data["metrics"]) == METRICS_KEYS
        assert set(data["impact"]) == IMPACT_KEYS
        assert [set(e) for e in data["timeline"]] == [{"id", "at", "author", "text", "tags"}] * 3
        assert [set(a) for a in data["action_items"]] == [
            {"id", "ref", "title", "owner", "priority", "type", "status", "due", "link"}
        ]
        # Sorted by time, the deleted entry left out, times as ISO 8601 UTC.
        assert [e["text"] for e in data["timeline"]] == ["Error rate up", "Untagged words", "Paged"]
        assert [e["at"] for e in data["timeline"]] == [
            "2026-03-02T21:00:00Z",
            "2026-03-02T21:10:00Z",
            "2026-03-02T21:20:00Z",
        ]
        assert data["detected_at"] == "2026-03-02T21:20:00Z"
        # Unknown values are null.
        for key in ("commander", "responded_at", "mitigated_at", "resolved_at"):
            assert data[key] is None, key
        assert data["metrics"]["time_to_mitigate_minutes"] is None
        assert data["metrics"]["ongoing"] is True
        assert data["impact"]["users_affected"] is None
        assert data["impact"]["error_budget_consumed_pct"] is None
        assert data["action_items"][0]["due"] is None
        assert data["action_items"][0]["owner"] is None


def test_list_json_has_exactly_the_keys_of_the_contract(lived_in: Path) -> None:
    rows = json.loads(succeeded(workbook(lived_in, "list", "--json")))
    assert [set(r) for r in rows] == [
        {
            "id",
            "slug",
            "title",
            "severity",
            "status",
            "started_at",
            "resolved_at",
            "duration_minutes",
            "open_action_items",
        }
    ] * 2
    assert [r["slug"] for r in rows] == ["2026-03-02-checkout-slow", "2026-03-02-checkout-down"]
    assert [r["open_action_items"] for r in rows] == [0, 1]
    assert rows[1]["duration_minutes"] == 175  # ongoing: from 21:00 to the frozen 23:55
