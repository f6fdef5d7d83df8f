"""Figures across incidents: the pure computation, its text, and ``workbook stats``."""

from __future__ import annotations

import json
from collections.abc import Sequence
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
    render_text,
)
from models.store import IncidentSnapshot, Store
from models.tables import ActionItem, Incident, TimelineEntry
from tests.cli.helpers import failed_with, succeeded, workbook
from tests.conftest import FIXED_NOW

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
_ids = iter(range(1, 1_000_000))


def snap(
    number: int,
    *,
    start: datetime,
    steps: Sequence[tuple[float, str]] = (),
    end: float | None = None,
    severity: str = "SEV-3",
    zone: str = "UTC",
    actions: Sequence[tuple[str | None, str, int]] = (),
) -> IncidentSnapshot:
    """An incident that starts at ``start``; ``steps`` are (minutes after start, tag) and
    ``end`` the minute it is resolved (None: still going). ``actions`` are (owner, status,
    age in days)."""
    incident = Incident(
        id=number,
        slug=f"i{number}",
        title=f"Incident {number}",
        severity=severity,
        timezone=zone,
        created_at=start,  # logged live: the row is as old as the incident
    )
    moments = [(0.0, "impact-start"), *steps]
    if end is not None:
        moments.append((end, "resolved"))
    entries = [
        TimelineEntry(
            id=next(_ids),
            incident_id=number,
            at=start + timedelta(minutes=minutes),
            text=tag,
            tags=[tag] if tag else [],
        )
        for minutes, tag in moments
    ]
    items = [
        ActionItem(
            id=next(_ids),
            incident_id=number,
            number=n,
            title=f"do {n}",
            owner=owner,
            status=status,
            created_at=NOW - timedelta(days=age),
        )
        for n, (owner, status, age) in enumerate(actions, start=1)
    ]
    return IncidentSnapshot(incident, entries, items)


JAN = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
FEB = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)


def world() -> list[IncidentSnapshot]:
    return [
        # 60 minutes; detected at 5, false lead 10→30 (20 min), mitigated at 40.
        snap(
            1,
            start=JAN,
            steps=[(5, "detected"), (10, "false-lead"), (30, ""), (40, "mitigated")],
            end=60,
            severity="SEV-2",
            actions=[("alice", "open", 10), (None, "in-progress", 3), ("bob", "done", 30)],
        ),
        # 120 minutes; detected at 15, two escalations, mitigated at 100.
        snap(
            2,
            start=JAN + timedelta(days=3),
            steps=[(15, "detected"), (20, "escalation"), (25, "escalation"), (100, "mitigated")],
            end=120,
            severity="SEV-2",
            actions=[("alice", "open", 2), ("alice", "wont-do", 50)],
        ),
        # 30 minutes, nothing else tagged.
        snap(3, start=FEB, end=30, severity="SEV-1", actions=[("", "open", 1)]),
        # Still going: counted, but none of its times.
        snap(4, start=FEB + timedelta(days=1), steps=[(1, "detected"), (2, "escalation")]),
    ]


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
    assert render_text(stats) == "No incidents yet.\n"
    assert render_text(compute_stats([], now=NOW, severity="SEV-1")).startswith("No incidents")


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


# -- text ------------------------------------------------------------------------------------


def test_text_fits_80_columns_and_shows_the_figures() -> None:
    owners = [("a-very-long-owner-name-that-will-not-fit-the-column", "open", 400)]
    many = [*world(), snap(5, start=JAN, end=3 * 1440 + 61, severity="SEV-5", actions=owners)]
    text = render_text(compute_stats(many, now=NOW), escape=lambda s: s.upper())
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0] == "5 incidents (4 resolved, 1 ongoing) · all severities · all time"
    assert any(line.startswith("Duration") and "1h" in line for line in lines)
    assert any(line.startswith("SEV-5") for line in lines)
    assert any(line.startswith("2026-01 ") for line in lines)
    assert any(line.startswith("A-VERY-LONG-OWNER") and "400d" in line for line in lines)
    assert "resolved incidents only" in text.replace("\n", " ")


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


# -- the command -----------------------------------------------------------------------------


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
