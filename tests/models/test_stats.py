"""Figures across incidents: the pure computation and the filters as typed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.stats import (
    NOTE,
    StatsError,
    compute_stats,
    month_series,
    parse_severity,
    parse_since,
    percentile,
)
from models.store import IncidentSnapshot, Store
from models.tables import Incident
from tests.conftest import FIXED_NOW
from tests.models.stats_world import JAN, NOW, snap, world

# -- percentiles -----------------------------------------------------------------------------


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([1.0, 3.0], 0.5) == 2.0
    assert percentile([30.0, 60.0, 120.0], 0.5) == 60.0
    assert percentile([30.0, 60.0, 120.0], 0.9) == pytest.approx(108.0)
    assert percentile(range(1, 11), 0.9) == pytest.approx(9.1)


@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=40))
def test_percentiles_stay_between_the_extremes_and_in_order(values: list[float]) -> None:
    median, p90 = percentile(values, 0.5), percentile(values, 0.9)
    assert median is not None and p90 is not None
    assert min(values) <= median <= p90 <= max(values)


# -- figures ---------------------------------------------------------------------------------


def test_overall_figures_count_ongoing_incidents_but_time_only_resolved_ones() -> None:
    stats = compute_stats(world(), now=NOW)
    overall = stats.overall
    assert (overall.incidents, overall.resolved, overall.ongoing) == (4, 3, 1)
    assert overall.duration.median == 60.0
    assert overall.duration.p90 == pytest.approx(108.0)
    assert overall.duration.count == 3
    assert (overall.time_to_detect.median, overall.time_to_detect.count) == (10.0, 2)
    assert (overall.time_to_mitigate.median, overall.time_to_mitigate.count) == (70.0, 2)
    # 20 minutes of false leads in 210 resolved minutes.
    assert overall.false_lead_minutes == 20.0
    assert overall.false_lead_share == pytest.approx(20 / 210)
    # Three escalations over four incidents, the ongoing one included.
    assert (overall.escalations, overall.escalations_per_incident) == (3, 0.75)
    assert stats.note == NOTE and "resolved incidents only" in NOTE


def test_groups_by_severity_and_by_month_in_a_fixed_order() -> None:
    snapshots = world()
    stats = compute_stats(list(reversed(snapshots)), now=NOW)
    assert [k for k, _ in stats.by_severity] == ["SEV-1", "SEV-2", "SEV-3"]
    assert [k for k, _ in stats.by_month] == ["2026-01", "2026-02"]
    sev2 = dict(stats.by_severity)["SEV-2"]
    assert (sev2.incidents, sev2.duration.median, sev2.escalations_per_incident) == (2, 90.0, 1.0)
    feb = dict(stats.by_month)["2026-02"]
    assert (feb.incidents, feb.resolved, feb.ongoing, feb.duration.median) == (2, 1, 1, 30.0)
    assert compute_stats(snapshots, now=NOW).as_dict() == stats.as_dict()


def test_the_month_is_that_of_the_impact_start_in_the_incidents_own_zone() -> None:
    late = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 February in Berlin
    stats = compute_stats(
        [
            snap(1, start=late, end=10, zone="Europe/Berlin"),
            snap(2, start=late, end=10, zone="UTC"),
            snap(3, start=late, end=10, zone="America/New_York"),
        ],
        now=NOW,
    )
    assert [(k, g.incidents) for k, g in stats.by_month] == [("2026-01", 2), ("2026-02", 1)]


def test_an_incident_without_any_start_is_counted_under_no_month() -> None:
    empty = IncidentSnapshot(Incident(id=9, slug="x", title="x", timezone="UTC"), [], [])
    stats = compute_stats([empty, *world()], now=NOW)
    assert stats.overall.incidents == 5
    assert stats.by_month[-1][0] is None
    assert stats.as_dict()["by_month"][-1]["month"] is None
    # With --since nothing says when it happened, so it is left out.
    assert compute_stats([empty], now=NOW, since=date(2000, 1, 1)).overall.incidents == 0


def test_filters_by_local_start_date_and_by_severity() -> None:
    stats = compute_stats(world(), now=NOW, since=date(2026, 2, 1))
    assert stats.overall.incidents == 2
    assert [k for k, _ in stats.by_month] == ["2026-02"]
    stats = compute_stats(world(), now=NOW, severity="sev2")
    assert stats.severity == "SEV-2"
    assert stats.overall.incidents == 2
    assert [k for k, _ in stats.by_severity] == ["SEV-2"]
    # Action items follow their incidents through the filters.
    assert {o.owner for o in stats.open_actions} == {"alice", "unassigned"}
    with pytest.raises(StatsError, match="SEV-1"):
        compute_stats(world(), now=NOW, severity="SEV-9")


def test_negative_times_are_left_out_rather_than_averaged() -> None:
    stats = compute_stats(
        [snap(1, start=JAN, steps=[(-5, "detected")], end=30), snap(2, start=JAN, end=60)],
        now=NOW,
    )
    assert stats.overall.time_to_detect.count == 0
    assert stats.overall.duration.median == 45.0


def test_open_action_items_by_owner_with_their_age() -> None:
    stats = compute_stats(world(), now=NOW)
    assert [o.as_dict() for o in stats.open_actions] == [
        {"owner": "alice", "count": 2, "oldest_days": 10.0, "median_age_days": 6.0},
        {"owner": "unassigned", "count": 2, "oldest_days": 3.0, "median_age_days": 2.0},
    ]
    assert stats.open_action_count == 4


def test_owners_differing_only_in_case_or_spacing_are_one() -> None:
    stats = compute_stats(
        [
            snap(
                1,
                start=JAN,
                end=10,
                actions=[("SRE", "open", 1), ("sre", "open", 2), (" SRE ", "open", 3)],
            )
        ],
        now=NOW,
    )
    assert [(o.owner, o.count) for o in stats.open_actions] == [("SRE", 3)]


def test_items_of_an_imported_incident_date_from_the_incident(store: Store, db_path: Path) -> None:
    """An old postmortem imported today: its open items have waited since the incident,
    not since the import; an item added by hand later counts from when it was added."""
    from exporters.ingest.foreign.reader import read_foreign_markdown
    from models.db import open_database

    record = read_foreign_markdown(
        "# Disk full\n\n## Timeline\n\n- 2025-12-01 10:00 UTC errors\n"
        "- 2025-12-01 11:00 UTC fully restored\n\n"
        "## Action items\n\n- Add an alert (owner: kim)\n",
        strict=True,
    ).record
    incident = store.import_record(record)  # at FIXED_NOW, the store's clock
    assert incident.id is not None
    later = FIXED_NOW + timedelta(days=2)
    Store(open_database(db_path), author="tester", clock=lambda: later).add_action(
        incident.id, "Write a runbook", owner="lee"
    )
    stats = compute_stats(store.all_snapshots(), now=later)
    ages = {o.owner: o.oldest_days for o in stats.open_actions}
    ended = datetime(2025, 12, 1, 11, 0, tzinfo=UTC)
    assert ages["kim"] == pytest.approx((later - ended) / timedelta(days=1))
    assert ages["lee"] == 0.0


def test_json_keys_are_stable() -> None:
    data = compute_stats(world(), now=NOW, since=date(2026, 1, 1)).as_dict()
    assert list(data) == [
        "generated_at",
        "filters",
        "note",
        "overall",
        "by_severity",
        "by_month",
        "open_action_items",
    ]
    assert data["generated_at"] == "2026-03-02T12:00:00Z"
    assert data["filters"] == {"since": "2026-01-01", "severity": None}
    group_keys = [
        "incidents",
        "resolved",
        "ongoing",
        "duration_minutes",
        "time_to_detect_minutes",
        "time_to_mitigate_minutes",
        "false_lead_minutes",
        "false_lead_share",
        "escalations",
        "escalations_per_incident",
    ]
    assert list(data["overall"]) == group_keys
    assert list(data["by_severity"][0]) == ["severity", *group_keys]
    assert list(data["by_month"][0]) == ["month", *group_keys]
    assert data["overall"]["duration_minutes"] == {"median": 60.0, "p90": 108.0, "count": 3}
    assert list(data["open_action_items"]) == ["count", "by_owner"]
    json.dumps(data)


def test_nothing_to_count_gives_empty_figures() -> None:
    stats = compute_stats([], now=NOW)
    assert stats.overall.incidents == 0
    assert stats.overall.duration.median is None
    assert stats.overall.escalations_per_incident is None
    assert stats.overall.false_lead_share is None
    assert month_series(stats) == []


def test_month_series_fills_the_gaps_up_to_the_latest_month() -> None:
    stats = compute_stats(
        [snap(1, start=datetime(2025, 11, 5, tzinfo=UTC), end=10), *world()], now=NOW
    )
    series = month_series(stats, 4)
    assert [m for m, _ in series] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert [g.incidents if g else 0 for _, g in series] == [1, 0, 2, 2]
    across_new_year = month_series(stats, 14)
    assert across_new_year[0][0] == "2025-01"
    assert across_new_year[-1][0] == "2026-02"


# -- filters as typed ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2026-01-15", date(2026, 1, 15)),
        (" 2026-1-5 ", date(2026, 1, 5)),
        ("2025-11", date(2025, 11, 1)),
    ],
)
def test_since_forms(typed: str, day: date) -> None:
    assert parse_since(typed) == day


@pytest.mark.parametrize("typed", ["", "yesterday", "2026-13", "2026-02-30", "15/01/2026"])
def test_bad_since_is_refused_with_the_forms_to_use(typed: str) -> None:
    with pytest.raises(StatsError, match="YYYY-MM-DD"):
        parse_since(typed)


def test_severity_forms() -> None:
    assert parse_severity("2") == parse_severity("sev 2") == parse_severity("SEV-2") == "SEV-2"
    with pytest.raises(StatsError, match="SEV-1, SEV-2"):
        parse_severity("critical")
