"""The incident metrics, worked out from plain test doubles: no database anywhere."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.metrics import (
    EntryLike,
    IncidentMetrics,
    Milestone,
    compute_metrics,
)
from models.store import Store
from models.tables import Incident, TimelineEntry
from models.vocabulary import MILESTONE_TAGS

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 2, 23, 55, tzinfo=UTC)
NOT_RESOLVED = "Not resolved yet: tag the entry that ends the impact #resolved."


@dataclass
class FakeIncident:
    started_at: datetime | None = None
    resolved_at: datetime | None = None
    users_affected_pct: float | None = None
    users_affected: int | None = None
    slo_target_pct: float | None = None
    slo_window_days: int | None = 30


@dataclass
class FakeEntry:
    id: int | None
    at: datetime
    tags: list[str] = field(default_factory=list)
    deleted_at: datetime | None = None


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def entry(entry_id: int | None, minutes: float, *tags: str) -> FakeEntry:
    return FakeEntry(entry_id, at(minutes), list(tags))


def compute(
    entries: Sequence[EntryLike], *, now: datetime = NOW, **incident: Any
) -> IncidentMetrics:
    return compute_metrics(FakeIncident(**incident), entries, now=now)


def textbook() -> list[FakeEntry]:
    """A complete timeline, every milestone tagged once, in time order."""
    return [
        entry(1, 0, "impact-start"),
        entry(2, 5, "detected"),
        entry(3, 12, "responded"),
        entry(4, 20, "escalation"),
        entry(5, 25, "false-lead"),
        entry(6, 40, "note"),
        entry(7, 50, "cause-identified"),
        entry(8, 70, "mitigated", "comms"),
        entry(9, 90, "resolved"),
    ]


def warning_with(result: IncidentMetrics, fragment: str) -> list[str]:
    return [w for w in result.warnings if fragment in w]


# --- the milestones and the times between them -------------------------------------------


def test_a_complete_timeline() -> None:
    m = compute(textbook())
    assert m.started == Milestone(at(0), 1, "entry")
    assert m.detected == Milestone(at(5), 2, "entry")
    assert m.responded == Milestone(at(12), 3, "entry")
    assert m.escalated == Milestone(at(20), 4, "entry")
    assert m.cause_identified == Milestone(at(50), 7, "entry")
    assert m.mitigated == Milestone(at(70), 8, "entry")
    assert m.resolved == Milestone(at(90), 9, "entry")
    assert m.ongoing is False
    assert m.duration_minutes == 90.0
    assert m.time_to_detect_minutes == 5.0
    assert m.time_to_respond_minutes == 12.0
    assert m.time_to_escalate_minutes == 20.0
    assert m.time_to_mitigate_minutes == 70.0
    assert m.time_to_resolve_minutes == 90.0
    assert m.false_leads == 1
    assert m.false_lead_entry_ids == (5,)
    assert m.time_on_false_leads_minutes == 15.0
    assert m.escalations == 1
    assert m.escalation_entry_ids == (4,)
    assert m.error_budget_consumed_pct is None
    assert m.user_minutes is None
    assert m.warnings == ()


def test_time_to_cause_runs_from_the_impact_start_and_stays_out_of_the_json() -> None:
    assert compute(textbook()).time_to_cause_minutes == 50.0
    # From the incident's start time when no entry is tagged #impact-start.
    without_start = [e for e in textbook() if "impact-start" not in e.tags]
    assert compute(without_start, started_at=at(-10)).time_to_cause_minutes == 60.0
    # Across the autumn change in Berlin: real elapsed minutes, not wall-clock ones.
    start = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)  # CEST, before the clocks go back
    cause = datetime(2026, 10, 25, 2, 10, fold=1, tzinfo=BERLIN)  # CET, 40 minutes later
    crossing = [
        FakeEntry(1, start, ["impact-start"]),
        FakeEntry(2, cause, ["cause-identified"]),
    ]
    assert compute(crossing).time_to_cause_minutes == 40.0
    unknown = [e for e in textbook() if "cause-identified" not in e.tags]
    assert compute(unknown).time_to_cause_minutes is None
    assert "time_to_cause_minutes" not in compute(textbook()).metrics_dict()


def test_metrics_dict_has_exactly_the_json_keys() -> None:
    assert compute(textbook()).metrics_dict() == {
        "duration_minutes": 90.0,
        "ongoing": False,
        "time_to_detect_minutes": 5.0,
        "time_to_respond_minutes": 12.0,
        "time_to_escalate_minutes": 20.0,
        "time_to_mitigate_minutes": 70.0,
        "time_to_resolve_minutes": 90.0,
        "false_leads": 1,
        "escalations": 1,
        "time_on_false_leads_minutes": 15.0,
    }


def test_milestone_times_by_json_name() -> None:
    assert compute(textbook()).milestone_times() == {
        "started_at": at(0),
        "detected_at": at(5),
        "responded_at": at(12),
        "escalated_at": at(20),
        "cause_identified_at": at(50),
        "mitigated_at": at(70),
        "resolved_at": at(90),
    }


def test_minutes_are_exact_fractions() -> None:
    m = compute(
        [entry(1, 0, "impact-start"), entry(2, 1.5, "detected"), entry(3, 2.25, "resolved")]
    )
    assert m.time_to_detect_minutes == 1.5
    assert m.duration_minutes == 2.25
    seconds = compute(
        [
            FakeEntry(1, T0, ["impact-start"]),
            FakeEntry(2, T0 + timedelta(seconds=7), ["resolved"]),
        ]
    )
    assert seconds.duration_minutes == 7 / 60


def test_metrics_are_frozen() -> None:
    m = compute(textbook())
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.duration_minutes = 1.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.started.at = None  # type: ignore[misc]


def test_earliest_entry_with_a_tag_wins() -> None:
    m = compute(
        [
            entry(1, 0, "impact-start"),
            entry(2, 10, "detected", "escalation"),
            entry(3, 3, "detected"),
            entry(4, 30, "escalation"),
            entry(5, 40, "mitigated"),
            entry(6, 35, "mitigated"),
            entry(7, 50, "resolved"),
        ]
    )
    assert m.detected.entry_id == 3
    assert m.escalated.entry_id == 2
    assert m.time_to_escalate_minutes == 10.0
    assert m.mitigated.entry_id == 6
    assert m.escalations == 2
    assert m.escalation_entry_ids == (2, 4)


def test_a_tag_written_twice_on_one_entry_counts_once() -> None:
    m = compute(
        [
            entry(1, 0, "impact-start", "impact-start"),
            entry(2, 5, "false-lead", "escalation", "false-lead", "escalation"),
            entry(3, 10, "resolved"),
        ]
    )
    assert (m.false_leads, m.escalations) == (1, 1)
    assert m.time_on_false_leads_minutes == 5.0
    assert not warning_with(m, "entries are tagged #impact-start")


def test_missing_milestones_are_unknown() -> None:
    m = compute([entry(1, 0, "impact-start"), entry(2, 30, "resolved")])
    for milestone in (m.detected, m.responded, m.escalated, m.cause_identified, m.mitigated):
        assert milestone == Milestone(None, None, "none")
    assert m.time_to_detect_minutes is None
    assert m.time_to_respond_minutes is None
    assert m.time_to_escalate_minutes is None
    assert m.time_to_mitigate_minutes is None
    assert m.time_to_resolve_minutes == 30.0
    assert m.false_leads == 0
    assert m.escalations == 0
    assert m.time_on_false_leads_minutes == 0.0


# --- real elapsed time --------------------------------------------------------------------


def test_spring_forward_counts_real_minutes() -> None:
    # 01:30 CET to 03:30 CEST on 2026-03-29 is one hour of real time, not two.
    start = datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN)
    detected = datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN)
    end = datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)
    m = compute(
        [
            FakeEntry(1, start, ["impact-start"]),
            FakeEntry(2, detected, ["detected"]),
            FakeEntry(3, end, ["resolved"]),
        ],
        now=end + timedelta(hours=1),
    )
    assert m.duration_minutes == 60.0
    assert m.time_to_detect_minutes == 30.0
    assert m.time_to_resolve_minutes == 60.0


def test_fall_back_orders_by_the_real_instant() -> None:
    # On 2026-10-25 Berlin goes through 02:00–03:00 twice: 02:50 (CEST, fold=0) comes
    # before 02:10 (CET, fold=1), although the clock reads later.
    first_pass = datetime(2026, 10, 25, 2, 50, tzinfo=BERLIN)
    second_pass = datetime(2026, 10, 25, 2, 10, fold=1, tzinfo=BERLIN)
    m = compute(
        [
            FakeEntry(2, second_pass, ["resolved"]),
            FakeEntry(1, first_pass, ["impact-start", "false-lead"]),
        ],
        now=second_pass + timedelta(hours=2),
    )
    assert m.started.entry_id == 1
    assert m.resolved.entry_id == 2
    assert m.duration_minutes == 20.0
    assert m.time_on_false_leads_minutes == 20.0
    assert not warning_with(m, "before")


def test_fall_back_full_hour() -> None:
    early = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)
    late = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN)
    m = compute(
        [FakeEntry(1, early, ["impact-start"]), FakeEntry(2, late, ["resolved"])],
        now=late,
    )
    assert m.duration_minutes == 60.0


def test_entries_in_different_zones() -> None:
    m = compute(
        [
            FakeEntry(1, datetime(2026, 3, 2, 5, 0, tzinfo=NEW_YORK), ["impact-start"]),
            FakeEntry(2, datetime(2026, 3, 2, 11, 20, tzinfo=BERLIN), ["detected"]),
            FakeEntry(3, datetime(2026, 3, 2, 15, 45, tzinfo=timezone(timedelta(hours=5))), []),
            FakeEntry(4, datetime(2026, 3, 2, 11, 0, tzinfo=UTC), ["resolved"]),
        ]
    )
    assert m.duration_minutes == 60.0
    assert m.time_to_detect_minutes == 20.0


def test_crossing_midnight() -> None:
    start = datetime(2026, 3, 1, 23, 30, tzinfo=BERLIN)
    end = datetime(2026, 3, 2, 0, 45, tzinfo=BERLIN)
    m = compute([FakeEntry(1, start, ["impact-start"]), FakeEntry(2, end, ["resolved"])])
    assert m.duration_minutes == 75.0


def test_entries_logged_out_of_order() -> None:
    in_order = textbook()
    logged = [in_order[i] for i in (8, 0, 4, 2, 7, 1, 6, 3, 5)]
    assert compute(logged) == compute(in_order)


# --- start and end ------------------------------------------------------------------------


def test_explicit_started_at_when_no_entry_is_tagged() -> None:
    m = compute([entry(1, 10, "detected"), entry(2, 60, "resolved")], started_at=at(-5))
    assert m.started == Milestone(at(-5), None, "explicit")
    assert m.duration_minutes == 65.0
    assert m.time_to_detect_minutes == 15.0
    assert not warning_with(m, "#impact-start")


def test_earliest_entry_when_nothing_says_when_it_started() -> None:
    m = compute([entry(2, 10, "detected"), entry(1, 4, "note"), entry(3, 60, "resolved")])
    assert m.started == Milestone(at(4), 1, "earliest-entry")
    assert m.duration_minutes == 56.0
    assert warning_with(m, "No entry is tagged #impact-start") == [
        "No entry is tagged #impact-start, so the impact is taken to start at the earliest "
        "entry (2026-03-02 10:04 UTC): tag the entry where the impact began #impact-start."
    ]


def test_no_start_at_all() -> None:
    m = compute([])
    assert m.started == Milestone(None)
    assert m.resolved == Milestone(None)
    assert m.ongoing is True
    assert m.duration_minutes is None
    assert m.time_to_resolve_minutes is None
    assert m.user_minutes is None
    assert m.error_budget_consumed_pct is None
    assert m.warnings == (
        "No start time: add a timeline entry where the impact began and tag it #impact-start.",
        "No entry is tagged #detected, so time to detect is unknown: tag the entry where "
        "someone first noticed the problem #detected.",
        NOT_RESOLVED,
    )


def test_explicit_times_without_entries() -> None:
    m = compute([], started_at=at(0), resolved_at=at(45))
    assert m.started.source == "explicit"
    assert m.resolved == Milestone(at(45), None, "explicit")
    assert m.ongoing is False
    assert m.duration_minutes == 45.0
    assert m.time_to_resolve_minutes == 45.0


def test_explicit_resolved_at_when_no_entry_is_tagged() -> None:
    m = compute([entry(1, 0, "impact-start"), entry(2, 20, "mitigated")], resolved_at=at(50))
    assert m.resolved == Milestone(at(50), None, "explicit")
    assert m.ongoing is False
    assert m.duration_minutes == 50.0
    assert NOT_RESOLVED not in m.warnings


def test_latest_resolved_entry_wins_after_a_reopen() -> None:
    m = compute(
        [
            entry(1, 0, "impact-start"),
            entry(2, 20, "mitigated"),
            entry(3, 30, "resolved"),
            entry(4, 45, "note"),  # it came back
            entry(5, 50, "mitigated"),
            entry(6, 75, "resolved"),
        ]
    )
    assert m.resolved == Milestone(at(75), 6, "entry")
    assert m.mitigated.entry_id == 2
    assert m.duration_minutes == 75.0
    assert m.time_to_resolve_minutes == 75.0


def test_several_impact_starts_use_the_earliest() -> None:
    m = compute(
        [
            entry(1, 10, "impact-start"),
            entry(2, 0, "impact-start"),
            entry(3, 5, "impact-start", "detected"),
            entry(4, 30, "resolved"),
        ]
    )
    assert m.started == Milestone(at(0), 2, "entry")
    assert m.duration_minutes == 30.0
    assert warning_with(m, "#impact-start") == [
        "3 entries are tagged #impact-start; the earliest (2026-03-02 10:00 UTC) is used: "
        "remove the tag from the others."
    ]


def test_tagged_entries_win_over_explicit_times() -> None:
    m = compute(
        [entry(1, 0, "impact-start"), entry(2, 5, "detected"), entry(3, 40, "resolved")],
        started_at=at(-10),
        resolved_at=at(60),
    )
    assert m.started == Milestone(at(0), 1, "entry")
    assert m.resolved == Milestone(at(40), 3, "entry")
    assert m.duration_minutes == 40.0
    assert m.warnings == (
        "The incident's start time (2026-03-02 09:50 UTC) disagrees with the entry tagged "
        "#impact-start (2026-03-02 10:00 UTC); the entry wins: correct the start time or "
        "move the tag.",
        "The incident's resolution time (2026-03-02 11:00 UTC) disagrees with the latest "
        "entry tagged #resolved (2026-03-02 10:40 UTC); the entry wins: correct the "
        "resolution time or move the tag.",
    )


def test_explicit_times_that_agree_are_not_a_problem() -> None:
    # The same instants written in another zone.
    m = compute(
        [entry(1, 0, "impact-start"), entry(2, 5, "detected"), entry(3, 40, "resolved")],
        started_at=at(0).astimezone(BERLIN),
        resolved_at=at(40).astimezone(NEW_YORK),
    )
    assert m.warnings == ()


# --- ongoing incidents --------------------------------------------------------------------


def test_ongoing_incident_runs_to_now() -> None:
    now = at(100)
    m = compute(
        [
            entry(1, 0, "impact-start"),
            entry(2, 10, "detected"),
            entry(3, 30, "false-lead"),
            entry(4, 40, "mitigated"),
            entry(5, 70, "false-lead"),
        ],
        now=now,
        users_affected=10,
    )
    assert m.ongoing is True
    assert m.resolved == Milestone(None)
    assert m.duration_minutes == 100.0
    assert m.time_to_resolve_minutes is None
    assert m.time_to_mitigate_minutes == 40.0
    # 30→40, then the last false lead runs to now: 70→100.
    assert m.time_on_false_leads_minutes == 40.0
    assert m.user_minutes == 1000.0
    assert m.warnings == (NOT_RESOLVED,)


def test_an_ongoing_incident_keeps_growing() -> None:
    entries = [entry(1, 0, "impact-start"), entry(2, 1, "detected")]
    assert compute(entries, now=at(10)).duration_minutes == 10.0
    assert compute(entries, now=at(25)).duration_minutes == 25.0


# --- false leads --------------------------------------------------------------------------


def test_false_lead_runs_to_the_next_entry_of_any_kind() -> None:
    m = compute(
        [
            entry(1, 0, "impact-start"),
            entry(2, 10, "false-lead"),
            entry(3, 14, "comms"),
            entry(4, 20, "false-lead"),
            entry(5, 21, "false-lead"),
            entry(6, 30, "resolved"),
        ]
    )
    assert m.false_leads == 3
    assert m.false_lead_entry_ids == (2, 4, 5)
    assert m.time_on_false_leads_minutes == 4 + 1 + 9


def test_last_false_lead_runs_to_the_resolution() -> None:
    m = compute(
        [entry(1, 0, "impact-start"), entry(2, 10, "false-lead")],
        resolved_at=at(35),
    )
    assert m.time_on_false_leads_minutes == 25.0


def test_a_false_lead_after_the_resolution_adds_nothing() -> None:
    m = compute(
        [entry(1, 0, "impact-start"), entry(2, 50, "false-lead")],
        resolved_at=at(35),
    )
    assert m.false_leads == 1
    assert m.time_on_false_leads_minutes == 0.0


def test_false_leads_at_the_same_instant_follow_id_order() -> None:
    m = compute(
        [
            entry(1, 0, "impact-start"),
            entry(7, 10, "note"),
            entry(3, 10, "false-lead"),
            entry(None, 10, "false-lead"),
            entry(9, 25, "resolved"),
        ]
    )
    # (10, 3) → (10, 7) is zero; the entry without an id comes last at 10 and runs to 25.
    assert m.time_on_false_leads_minutes == 15.0
    assert m.false_leads == 2
    assert m.false_lead_entry_ids == (3,)


def test_entries_without_an_id_come_last_at_their_instant() -> None:
    m = compute(
        [
            entry(None, 0, "impact-start"),
            entry(5, 0, "impact-start"),
            entry(6, 20, "resolved"),
        ]
    )
    assert m.started == Milestone(at(0), 5, "entry")


# --- deleted entries ----------------------------------------------------------------------


def test_deleted_entries_are_ignored() -> None:
    deleted = [
        entry(10, -30, "impact-start"),
        entry(11, 1, "detected"),
        entry(12, 26, "false-lead"),
        entry(13, 200, "resolved"),
        entry(14, 21, "escalation"),
    ]
    for gone in deleted:
        gone.deleted_at = NOW
    assert compute([*textbook(), *deleted]) == compute(textbook())


def test_entries_need_no_deleted_at_attribute() -> None:
    entries = [
        SimpleNamespace(id=1, at=at(0), tags=["impact-start"]),
        SimpleNamespace(id=2, at=at(3), tags=("detected",)),
        SimpleNamespace(id=3, at=at(9), tags=["resolved"]),
    ]
    m = compute_metrics(FakeIncident(), entries, now=NOW)
    assert m.duration_minutes == 9.0
    assert m.time_to_detect_minutes == 3.0


def test_works_with_the_table_objects() -> None:
    incident = Incident(
        slug="db-outage",
        title="Database outage",
        timezone="Europe/Berlin",
        users_affected_pct=50.0,
        users_affected=200,
        slo_target_pct=99.0,
        slo_window_days=28,
    )
    entries = [
        TimelineEntry(id=1, incident_id=1, at=at(0), tags=["impact-start"]),
        TimelineEntry(id=2, incident_id=1, at=at(6), tags=["detected"]),
        TimelineEntry(id=3, incident_id=1, at=at(-20), tags=["impact-start"], deleted_at=NOW),
        TimelineEntry(id=4, incident_id=1, at=at(48), tags=["resolved"]),
    ]
    m = compute_metrics(incident, entries, now=NOW)
    assert m.started.entry_id == 1
    assert m.duration_minutes == 48.0
    assert m.user_minutes == 200 * 48.0
    assert m.error_budget_consumed_pct == pytest.approx(48 * 0.5 / (28 * 1440 * 0.01) * 100)
    assert m.warnings == ()


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        compute([FakeEntry(1, datetime(2026, 3, 2, 10, 0), ["impact-start"])])
    with pytest.raises(ValueError, match="no time zone"):
        compute([], started_at=datetime(2026, 3, 2, 10, 0))
    with pytest.raises(ValueError, match="no time zone"):
        compute([], now=datetime(2026, 3, 2, 10, 0))


# --- impact -------------------------------------------------------------------------------


def resolved_after(minutes: float) -> list[FakeEntry]:
    return [
        entry(1, 0, "impact-start"),
        entry(2, 1, "detected"),
        entry(3, minutes, "resolved"),
    ]


def test_error_budget_arithmetic() -> None:
    m = compute(resolved_after(120), users_affected_pct=25, slo_target_pct=99.9)
    assert m.error_budget_consumed_pct == pytest.approx(120 * 0.25 / (30 * 1440 * 0.001) * 100)
    assert m.error_budget_consumed_pct == pytest.approx(69.4444444)
    assert m.warnings == ()


def test_error_budget_counts_everyone_when_the_share_is_unknown() -> None:
    m = compute(resolved_after(120), slo_target_pct=99.9, slo_window_days=7)
    assert m.error_budget_consumed_pct == pytest.approx(120 / (7 * 1440 * 0.001) * 100)


def test_error_budget_of_an_ongoing_incident_grows_with_now() -> None:
    entries = [entry(1, 0, "impact-start"), entry(2, 1, "detected")]
    m = compute(entries, now=at(432), slo_target_pct=99.0)
    # 432 minutes is exactly the 1% budget of a 30-day window.
    assert m.error_budget_consumed_pct == pytest.approx(100.0)


def test_no_error_budget_without_a_target() -> None:
    assert compute(resolved_after(120), users_affected_pct=25).error_budget_consumed_pct is None


def test_a_zero_target_is_allowed() -> None:
    m = compute(resolved_after(1440), slo_target_pct=0, slo_window_days=1)
    assert m.error_budget_consumed_pct == pytest.approx(100.0)
    assert m.warnings == ()


def test_user_minutes() -> None:
    assert compute(resolved_after(120), users_affected=1500).user_minutes == 180_000.0
    assert compute(resolved_after(120)).user_minutes is None
    assert compute([], users_affected=1500).user_minutes is None


@pytest.mark.parametrize("pct", [-1.0, 100.5, 250.0])
def test_impact_percentage_outside_the_range(pct: float) -> None:
    m = compute(resolved_after(60), users_affected_pct=pct, slo_target_pct=99.9)
    assert m.error_budget_consumed_pct is None
    assert m.warnings == (
        f"Users affected is {pct:g}%, outside 0–100%: correct the percentage of users affected.",
    )


@pytest.mark.parametrize("pct", [0.0, 100.0])
def test_impact_percentage_at_the_edges(pct: float) -> None:
    m = compute(resolved_after(60), users_affected_pct=pct, slo_target_pct=99.9)
    assert m.error_budget_consumed_pct is not None
    assert m.warnings == ()


@pytest.mark.parametrize("target", [100.0, 101.0, -0.5])
def test_slo_target_outside_the_range(target: float) -> None:
    m = compute(resolved_after(60), slo_target_pct=target)
    assert m.error_budget_consumed_pct is None
    assert m.warnings == (
        f"The SLO target is {target:g}%, outside 0–100% (100% leaves no error budget): "
        "set a target like 99.9.",
    )


def test_slo_window_must_be_positive() -> None:
    m = compute(resolved_after(60), slo_target_pct=99.9, slo_window_days=0)
    assert m.error_budget_consumed_pct is None
    assert m.warnings == (
        "The SLO window is 0 days: set it to a positive number of days (30 is common).",
    )


# --- warnings -----------------------------------------------------------------------------


def test_no_detected_entry() -> None:
    m = compute([entry(1, 0, "impact-start"), entry(2, 30, "resolved")])
    assert m.warnings == (
        "No entry is tagged #detected, so time to detect is unknown: tag the entry where "
        "someone first noticed the problem #detected.",
    )


def test_detected_and_mitigated_before_the_start() -> None:
    m = compute(
        [
            entry(1, 10, "impact-start"),
            entry(2, 5, "detected"),
            entry(3, 8, "mitigated"),
            entry(4, 30, "resolved"),
        ]
    )
    assert m.time_to_detect_minutes == -5.0
    assert m.time_to_mitigate_minutes == -2.0
    assert m.warnings == (
        "Detected (2026-03-02 10:05 UTC) before the impact started (2026-03-02 10:10 UTC, "
        "the #impact-start entry): check the time of the #detected entry and of the start.",
        "Mitigated (2026-03-02 10:08 UTC) before the impact started (2026-03-02 10:10 UTC, "
        "the #impact-start entry): check the time of the #mitigated entry and of the start.",
    )


def test_resolved_before_mitigated() -> None:
    m = compute(
        [
            entry(1, 0, "impact-start"),
            entry(2, 5, "detected"),
            entry(3, 20, "resolved"),
            entry(4, 30, "mitigated"),
        ]
    )
    assert m.warnings == (
        "Resolved (2026-03-02 10:20 UTC, the latest #resolved entry) before it was mitigated "
        "(2026-03-02 10:30 UTC): check both times.",
    )


def test_resolved_before_the_start() -> None:
    m = compute(
        [entry(1, 0, "impact-start"), entry(2, 5, "detected")],
        resolved_at=at(-30),
    )
    assert m.duration_minutes == -30.0
    assert m.warnings == (
        "Resolved (2026-03-02 09:30 UTC, the incident's resolution time) before the impact "
        "started (2026-03-02 10:00 UTC, the #impact-start entry): check both times.",
    )


def test_warnings_show_times_in_the_incidents_zone() -> None:
    incident = SimpleNamespace(**dataclasses.asdict(FakeIncident()), timezone="Europe/Berlin")
    m = compute_metrics(incident, [entry(1, 0, "note"), entry(2, 5, "detected")], now=NOW)
    assert warning_with(m, "earliest entry (2026-03-02 11:00 CET)")
    summer = SimpleNamespace(**dataclasses.asdict(FakeIncident()), timezone="Europe/Berlin")
    late = FakeEntry(1, datetime(2026, 7, 1, 8, 0, tzinfo=UTC), ["detected"])
    assert warning_with(compute_metrics(summer, [late], now=NOW), "(2026-07-01 10:00 CEST)")


def test_an_unknown_zone_falls_back_to_utc() -> None:
    incident = SimpleNamespace(**dataclasses.asdict(FakeIncident()), timezone="Mars/Olympus")
    m = compute_metrics(incident, [entry(1, 0, "note"), entry(2, 5, "detected")], now=NOW)
    assert warning_with(m, "earliest entry (2026-03-02 10:00 UTC)")


def test_seconds_are_shown_when_they_matter() -> None:
    m = compute(
        [FakeEntry(1, T0 + timedelta(seconds=30), ["impact-start"]), entry(2, 5, "detected")],
        started_at=T0,
        resolved_at=at(10),
    )
    assert warning_with(m, "(2026-03-02 10:00 UTC) disagrees")
    assert warning_with(m, "#impact-start (2026-03-02 10:00:30 UTC)")


def test_every_warning_in_a_fixed_order() -> None:
    entries = [
        entry(1, 10, "impact-start"),
        entry(2, 20, "impact-start"),
        entry(3, 5, "mitigated"),
    ]
    m = compute(
        entries,
        started_at=at(0),
        users_affected_pct=150,
        slo_target_pct=100,
        slo_window_days=-1,
    )
    expected = [
        "2 entries are tagged #impact-start",
        "The incident's start time",
        "No entry is tagged #detected",
        NOT_RESOLVED,
        "Mitigated (",
        "Users affected is 150%",
        "The SLO target is 100%",
        "The SLO window is -1 days",
    ]
    assert len(m.warnings) == len(expected)
    for warning, start in zip(m.warnings, expected, strict=True):
        assert warning.startswith(start), warning
    shuffled = entries[::-1]
    assert (
        compute(
            shuffled,
            started_at=at(0),
            users_affected_pct=150,
            slo_target_pct=100,
            slo_window_days=-1,
        ).warnings
        == m.warnings
    )


def test_every_warning_says_what_to_do() -> None:
    cases = [
        compute([]),
        compute([entry(1, 0, "note")]),
        compute(
            [
                entry(1, 10, "impact-start"),
                entry(2, 12, "impact-start"),
                entry(3, 5, "detected", "mitigated"),
                entry(4, 0, "resolved"),
            ],
            started_at=at(1),
            resolved_at=at(2),
            users_affected_pct=-3,
            slo_target_pct=120,
            slo_window_days=0,
        ),
    ]
    warnings = {w for m in cases for w in m.warnings}
    assert len(warnings) >= 11
    for warning in warnings:
        assert warning.endswith("."), warning
        assert ":" in warning, warning


# --- properties ---------------------------------------------------------------------------

ZONES = [UTC, BERLIN, NEW_YORK, ZoneInfo("Australia/Lord_Howe"), timezone(timedelta(hours=-3))]
# Around daylight-saving changes in Europe, the US and Lord Howe (a half-hour shift).
BASES = [
    datetime(2026, 3, 28, 22, 0, tzinfo=UTC),
    datetime(2026, 10, 24, 23, 0, tzinfo=UTC),
    datetime(2026, 3, 8, 5, 0, tzinfo=UTC),
    datetime(2026, 4, 4, 14, 0, tzinfo=UTC),
]
TAG_CHOICES = [*MILESTONE_TAGS, "note", "comms"]


@st.composite
def timelines(draw: st.DrawFn) -> tuple[FakeIncident, list[FakeEntry], datetime]:
    base = draw(st.sampled_from(BASES))
    seconds = st.integers(min_value=0, max_value=6 * 3600)
    raw = draw(
        st.lists(
            st.tuples(
                seconds,
                st.sampled_from(ZONES),
                st.lists(st.sampled_from(TAG_CHOICES), max_size=3, unique=True),
                st.booleans(),
            ),
            max_size=25,
        )
    )
    ids = draw(st.permutations(range(1, len(raw) + 1)))
    entries = [
        FakeEntry(
            entry_id,
            (base + timedelta(seconds=offset)).astimezone(zone),
            tags,
            deleted_at=base if deleted else None,
        )
        for entry_id, (offset, zone, tags, deleted) in zip(ids, raw, strict=True)
    ]
    moment = st.builds(
        lambda offset, zone: (base + timedelta(seconds=offset)).astimezone(zone),
        seconds,
        st.sampled_from(ZONES),
    )
    incident = FakeIncident(
        started_at=draw(st.none() | moment),
        resolved_at=draw(st.none() | moment),
        users_affected_pct=draw(st.none() | st.floats(min_value=0, max_value=100)),
        users_affected=draw(st.none() | st.integers(min_value=0, max_value=10**6)),
        slo_target_pct=draw(st.none() | st.floats(min_value=0, max_value=99.999)),
        slo_window_days=draw(st.integers(min_value=1, max_value=90)),
    )
    now = base + timedelta(seconds=draw(st.integers(min_value=6 * 3600, max_value=9 * 3600)))
    return incident, entries, now


def minutes_between(start: datetime, end: datetime) -> float:
    return (end.astimezone(UTC) - start.astimezone(UTC)) / timedelta(minutes=1)


@settings(max_examples=200)
@given(timelines(), st.randoms(use_true_random=False))
def test_shuffling_the_entries_changes_nothing(
    timeline: tuple[FakeIncident, list[FakeEntry], datetime], rng: random.Random
) -> None:
    incident, entries, now = timeline
    shuffled = list(entries)
    rng.shuffle(shuffled)
    assert compute_metrics(incident, shuffled, now=now) == compute_metrics(
        incident, entries, now=now
    )


@settings(max_examples=200)
@given(timelines())
def test_durations_are_utc_differences(
    timeline: tuple[FakeIncident, list[FakeEntry], datetime],
) -> None:
    incident, entries, now = timeline
    m = compute_metrics(incident, entries, now=now)
    live = [e for e in entries if e.deleted_at is None]
    if m.started.at is None:
        assert m.duration_minutes is None
        assert not live
        return
    end = m.resolved.at or now
    assert m.duration_minutes == minutes_between(m.started.at, end)
    pairs = [
        (m.detected, m.time_to_detect_minutes),
        (m.responded, m.time_to_respond_minutes),
        (m.escalated, m.time_to_escalate_minutes),
        (m.mitigated, m.time_to_mitigate_minutes),
        (m.resolved, m.time_to_resolve_minutes),
    ]
    for milestone, minutes in pairs:
        if milestone.at is None:
            assert minutes is None
        else:
            assert minutes == minutes_between(m.started.at, milestone.at)
    if incident.users_affected is not None:
        assert m.user_minutes == incident.users_affected * minutes_between(m.started.at, end)


@settings(max_examples=200)
@given(timelines())
def test_milestones_match_a_plain_reading_of_the_timeline(
    timeline: tuple[FakeIncident, list[FakeEntry], datetime],
) -> None:
    incident, entries, now = timeline
    m = compute_metrics(incident, entries, now=now)
    ordered = sorted(
        (e for e in entries if e.deleted_at is None),
        key=lambda e: (e.at.astimezone(UTC), e.id),
    )

    def first(tag: str) -> FakeEntry | None:
        return next((e for e in ordered if tag in e.tags), None)

    for milestone, tag in [
        (m.detected, "detected"),
        (m.responded, "responded"),
        (m.escalated, "escalation"),
        (m.cause_identified, "cause-identified"),
        (m.mitigated, "mitigated"),
    ]:
        found = first(tag)
        assert milestone.entry_id == (found.id if found else None)
        assert milestone.source == ("entry" if found else "none")
    tagged_start = first("impact-start")
    if tagged_start:
        assert m.started.entry_id == tagged_start.id
    elif incident.started_at is not None:
        assert m.started == Milestone(incident.started_at, None, "explicit")
    elif ordered:
        assert m.started == Milestone(ordered[0].at, ordered[0].id, "earliest-entry")
    resolutions = [e for e in ordered if "resolved" in e.tags]
    if resolutions:
        assert m.resolved.entry_id == resolutions[-1].id
    elif incident.resolved_at is not None:
        assert m.resolved == Milestone(incident.resolved_at, None, "explicit")
    assert m.ongoing == (not resolutions and incident.resolved_at is None)
    assert m.ongoing == (NOT_RESOLVED in m.warnings)
    assert m.false_leads == sum("false-lead" in e.tags for e in ordered)
    assert m.escalations == sum("escalation" in e.tags for e in ordered)
    assert m.false_lead_entry_ids == tuple(e.id for e in ordered if "false-lead" in e.tags)


@settings(max_examples=200)
@given(timelines())
def test_false_lead_time_fits_between_the_first_false_lead_and_the_end(
    timeline: tuple[FakeIncident, list[FakeEntry], datetime],
) -> None:
    incident, entries, now = timeline
    m = compute_metrics(incident, entries, now=now)
    live = [e for e in entries if e.deleted_at is None]
    leads = [e.at for e in live if "false-lead" in e.tags]
    assert m.time_on_false_leads_minutes >= 0
    if not leads:
        assert m.time_on_false_leads_minutes == 0
        return
    end = max([m.resolved.at or now, *(e.at for e in live)], key=lambda t: t.astimezone(UTC))
    span = minutes_between(min(leads, key=lambda t: t.astimezone(UTC)), end)
    assert m.time_on_false_leads_minutes <= span + 1e-9


@settings(max_examples=100)
@given(timelines())
def test_deleted_entries_never_count(
    timeline: tuple[FakeIncident, list[FakeEntry], datetime],
) -> None:
    incident, entries, now = timeline
    live = [e for e in entries if e.deleted_at is None]
    assert compute_metrics(incident, entries, now=now) == compute_metrics(incident, live, now=now)


# --- the same figures from a stored incident, on each backend ------------------------------


@pytest.fixture
def db_path(backend: str) -> str:
    """The stored-incident test below runs on SQLite and on PostgreSQL."""
    return backend


def test_a_stored_incident_gives_the_same_figures_on_each_backend(store: Store) -> None:
    # Across Berlin's spring-forward night, with seconds: what the database hands back must
    # be the same instants, in UTC, in the same order.
    start = datetime(2026, 3, 29, 0, 30, 15, tzinfo=UTC)
    incident = store.create_incident("Stored", timezone="Europe/Berlin", started_at=start)
    assert incident.id is not None
    store.update_incident(incident.id, {"users_affected_pct": 12.5, "slo_target_pct": 99.9})
    written = [
        store.log_entry(incident.id, f"step {e.id}", at=start + (e.at - T0), tags=e.tags)
        for e in textbook()
    ]
    snapshot = store.snapshot(incident.id)
    assert [(e.id, e.at, e.tags) for e in snapshot.entries] == [
        (e.id, e.at, e.tags) for e in written
    ]
    stored = compute_metrics(snapshot.incident, snapshot.entries, now=NOW)
    expected = compute_metrics(
        FakeIncident(started_at=start, users_affected_pct=12.5, slo_target_pct=99.9),
        [FakeEntry(e.id, e.at, list(e.tags)) for e in written],
        now=NOW,
    )
    assert stored == expected
    assert stored.duration_minutes == 90
