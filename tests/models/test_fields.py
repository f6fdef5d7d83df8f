"""FIELD=VALUE validation for `workbook set` and `action-update`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from models.fields import (
    FieldError,
    parse_action_assignments,
    parse_incident_assignments,
    validate_incident_fields,
)

NOW = datetime(2026, 3, 2, 23, 55, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")


def parse(*items: str) -> dict[str, object]:
    return parse_incident_assignments(items, zone=UTC_ZONE, now=NOW)


def test_every_kind_of_field_is_parsed() -> None:
    changes = parse(
        "severity=sev2",
        "status=Monitoring",
        "services=api, db ,api",
        "users_affected_pct=12.5%",
        "users_affected=1,200",
        "revenue_lost=50000",
        "currency=usd",
        "data_loss=no",
        "slo_target_pct=99.9",
        "slo_window_days=28",
        "started_at=2026-03-02 21:00",
        "commander=",
        "summary=Line one\nline two",
    )
    assert changes == {
        "severity": "SEV-2",
        "status": "monitoring",
        "services": ["api", "db"],
        "users_affected_pct": 12.5,
        "users_affected": 1200,
        "revenue_lost": 50000.0,
        "currency": "USD",
        "data_loss": False,
        "slo_target_pct": 99.9,
        "slo_window_days": 28,
        "started_at": datetime(2026, 3, 2, 21, 0, tzinfo=UTC),
        "commander": None,
        "summary": "Line one\nline two",
    }


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("users_affected_pct=150", "percentage"),
        ("users_affected_pct=-1", "negative"),
        ("slo_target_pct=100", "percentage"),
        ("users_affected=1.5", "whole number"),
        ("transactions_lost=lots", "whole number"),
        ("revenue_lost=nan", "finite"),
        ("currency=dollars", "three-letter"),
        ("timezone=Mars/Base", "unknown time zone"),
        ("title=", "empty"),
        ("severity=SEV-0", "severity"),
        ("status=done", "status"),
        ("colour=blue", "unknown field"),
        ("justtext", "FIELD=VALUE"),
        ("resolved_at=yesterday-ish", "resolved_at"),
        ("data_loss=maybe", "yes or no"),
        ("slo_window_days=0", "1 to 366"),
    ],
)
def test_bad_values_are_refused_with_a_reason(item: str, message: str) -> None:
    with pytest.raises(FieldError, match=message):
        parse(item)


def test_value_from_file(tmp_path: Path) -> None:
    note = tmp_path / "rc.md"
    note.write_text("The disk filled.\n")
    assert parse(f"root_cause=@{note}") == {"root_cause": "The disk filled.\n"}
    assert parse("commander=@@oncall") == {"commander": "@oncall"}
    with pytest.raises(FieldError, match="cannot read"):
        parse(f"root_cause=@{tmp_path / 'missing.md'}")


def test_action_assignments() -> None:
    assert parse_action_assignments(["status=DONE", "due=2026-04-01", "owner=bob"]) == {
        "status": "done",
        "due": date(2026, 4, 1),
        "owner": "bob",
    }
    with pytest.raises(FieldError, match="unknown field"):
        parse_action_assignments(["colour=red"])
    with pytest.raises(FieldError, match="priority"):
        parse_action_assignments(["priority=urgent"])


def test_reader_values_use_the_same_rules() -> None:
    assert validate_incident_fields({"users_affected_pct": 25, "services": None}) == {
        "users_affected_pct": 25.0
    }
    with pytest.raises(FieldError, match="timezone-aware"):
        validate_incident_fields({"started_at": datetime(2026, 1, 1)})
