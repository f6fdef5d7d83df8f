"""Reading postmortems written elsewhere: one small document per format quirk, then the
shared corpus of real postmortems (skipped when the folder is not there)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exporters.ingest.foreign.reader import read_foreign_markdown
from exporters.ingest.foreign.times import find_dates, find_durations, leading_stamp
from exporters.ingest.foreign.zones import find_zone
from models.record import IncidentRecord
from tests.exporters.ingest.helpers import (
    HELD_OUT,
    SHARED,
    TODAY,
    duration,
    read,
    score_manifest,
    tagged,
    texts,
    warned,
)

# --------------------------------------------------------------------------- titles


def test_front_matter_title_wins_and_iso_table_rows_become_entries() -> None:
    result = read(
        """\
        ---
        title: "Payments worker backlog"
        date: 2024-04-02
        ---

        # Incident review

        ## Timeline

        Every time below is UTC.

        | When | What happened |
        | :--- | --- |
        | 2024-04-02 13:55 | Worker release 4.2 goes out |
        | 2024-04-02 14:03 | Queue depth alert fires |
        | 2024-04-02 15:02 | Queue drained, payments fully restored |
        """
    )
    record = result.record
    assert record.fields["title"] == "Payments worker backlog"
    assert record.fields["timezone"] == "UTC"
    assert len(record.entries) == 3
    assert record.entries[0].at == datetime(2024, 4, 2, 13, 55, tzinfo=UTC)
    assert tagged(record, "impact-start") == ["Queue depth alert fires"]
    assert duration(record) == 59


def test_generic_first_heading_gives_way_to_the_real_title() -> None:
    record = read(
        """\
        ## README

        # Search cluster brownout

        Searches slowed to a crawl on 2024-03-05.
        """
    ).record
    assert record.fields["title"] == "Search cluster brownout"


@pytest.mark.parametrize(
    ("first_line", "title"),
    [
        ("**Cache stampede after the Friday deploy**", "Cache stampede after the Friday deploy"),
        ("DNS RESOLVER OUTAGE", "DNS RESOLVER OUTAGE"),
        ("Broken image uploads on the mobile app", "Broken image uploads on the mobile app"),
        ("#0x07 checkout task write-up", "0x07 checkout task write-up"),
    ],
)
def test_title_from_a_bold_caps_or_plain_first_line(first_line: str, title: str) -> None:
    record = read(f"{first_line}\n\nSummary:\nUploads failed for a while.\n").record
    assert record.fields["title"] == title


def test_severity_from_a_field() -> None:
    record = read(
        """\
        # Disk full on the primary

        | Field | Value |
        |---|---|
        | **Severity** | SEV-1 (critical) |
        | **Duration** | 20 minutes |
        """
    ).record
    assert record.fields["severity"] == "SEV-1"


# --------------------------------------------------------------------------- timelines


def test_heading_timeline_with_the_date_only_on_the_first_heading() -> None:
    record = read(
        """\
        # Search brownout

        ## Timeline

        All times are US/Pacific.

        ### 2024-03-05 09:10

        Latency alerts start firing for the search API.

        ### 09:40

        The on-call engineer first assumed a bad deploy and rolled it back.

        That did not resolve the slowness.

        ### 11:05

        Reindex paused; search fully operational again.
        """
    ).record
    assert record.fields["timezone"] == "America/Los_Angeles"
    assert len(record.entries) == 3
    assert record.entries[1].at.date() == date(2024, 3, 5)
    assert "did not resolve" in record.entries[1].text  # a second paragraph continues it
    assert "false-lead" in record.entries[1].tags
    assert duration(record) == 115


def test_bold_and_backticked_times_in_bullets() -> None:
    record = read(
        """\
        # Login errors on 2024-09-12

        ## Timeline

        - **2:05 PM:** error-rate alert for the login service
        - `2:20 PM` - paged the identity team
        - **2:50 PM** cache flushed, logins fully restored
        """
    ).record
    assert texts(record)[0] == "error-rate alert for the login service"
    assert [e.at.hour for e in record.entries] == [14, 14, 14]
    assert duration(record) == 45


def test_br_joined_lines_under_date_headings_cross_midnight() -> None:
    record = read(
        """\
        Status: final<br>

        ## Timeline (all times UTC)

        Some background that carries no time.

        ### 2024-02-01

        22:50 - a bad certificate is pushed to the edge<br>
        23:10 - clients fail TLS handshakes **<START OF OUTAGE>**<br>
        23:40 - a customer reports the errors

        ### 2024-02-02

        00:15 - old certificate restored<br>
        00:20 - handshakes succeed again **<END OF OUTAGE>**
        """
    ).record
    assert len(record.entries) == 5
    assert record.entries[-1].at == datetime(2024, 2, 2, 0, 20, tzinfo=UTC)
    assert duration(record) == 70


def test_markup_free_document_with_emoji_pseudo_headings() -> None:
    result = read(
        """\
        🔥 Checkout meltdown of March 2, 2025
        🗓 Issue Summary
        Duration:
        ⏱ March 2, 2025, 09:00 - 09:40 UTC (40 minutes)
        Impact:
        Roughly 30% of shoppers could not pay.
        🕘 Timeline
        09:00 UTC - Error budget alert paged the on-call engineer.
        09:10 UTC - Initial theory: the card processor is down.
        (It was not.)
        09:25 UTC - Bad feature flag discovered.
        09:40 UTC - Flag reverted, checkout back online.
        📝 Things to do
        Add a review step for payment feature flags.
        Alert on checkout success rate.
        Final Thoughts
        Flags are code too.
        """
    )
    record = result.record
    assert record.fields["title"] == "Checkout meltdown of March 2, 2025"
    assert len(record.entries) == 4
    assert "(It was not.)" in record.entries[1].text
    assert [a.title for a in record.action_items] == [
        "Add a review step for payment feature flags.",
        "Alert on checkout success rate.",
    ]
    assert record.fields["users_affected_pct"] == 30
    assert result.stated_duration_minutes == 40
    assert duration(record) == 40


def test_military_times_cross_midnight_without_any_date() -> None:
    record = read(
        """\
        DNS RESOLVER OUTAGE

        Timeline
        2340HRS - first failed lookups reported by the build farm
        2355HRS - escalated to the network team
        0110HRS - all lookups healthy, incident resolved
        """
    ).record
    assert record.entries[-1].at == datetime(2025, 1, 2, 1, 10, tzinfo=UTC)
    assert duration(record) == 90
    assert warned(record, "no date")
    assert warned(record, "midnight")


def test_tab_separated_timeline_lines() -> None:
    record = read(
        "# Queue stall on 2024-05-06\n\n## Timeline\n\nTime\tWhat\n"
        "10:02\tpager fired for queue age\n10:30\tconsumer restarted successfully\n"
        "10:41\tbacklog cleared, service restored\n"
    ).record
    assert texts(record) == [
        "pager fired for queue age",
        "consumer restarted successfully",
        "backlog cleared, service restored",
    ]
    assert duration(record) == 39


def test_time_ranges_and_bare_hours() -> None:
    record = read(
        """\
        # Image resizer overload, July 9, 2024

        ## Timeline

        - 1:30pm-1:45pm: error spikes on the product pages
        - 2pm: escalated to the platform team
        - 2:30 p.m.: traffic back to normal
        """
    ).record
    assert [e.at.strftime("%H:%M") for e in record.entries] == ["13:30", "14:00", "14:30"]
    assert "until 1:45 PM" in record.entries[0].text
    assert duration(record) == 60


def test_seconds_and_date_rows_in_a_table() -> None:
    record = read(
        """\
        # Token service outage

        ## Incident timeline

        | Date / Time | Event |
        | --- | --- |
        | 2023-11-20 |  |
        | 08:01:30 | Alert from the token service |
        | … | … |
        | 08:19:45 | Tokens issued normally again, incident resolved |
        """
    ).record
    assert len(record.entries) == 2
    assert record.entries[0].at == datetime(2023, 11, 20, 8, 1, 30, tzinfo=UTC)
    assert duration(record) == pytest.approx(18.25)


def test_italic_date_lines_set_the_date_of_the_entries_below() -> None:
    record = read(
        """\
        # Two-day replication lag

        ## Timeline

        *June 3, 2024*

        - 21:00 replica lag alert
        - 23:30 paged the database team

        *June 4, 2024*

        - 02:15 replication caught up, fully recovered
        """
    ).record
    assert record.entries[-1].at == datetime(2024, 6, 4, 2, 15, tzinfo=UTC)
    assert duration(record) == 315


def test_timestamps_in_code_blocks_are_not_entries() -> None:
    record = read(
        """\
        # Cron storm on 2024-01-15

        ## Timeline

        - 03:00 cron jobs start together and the API slows down
        - 03:20 jobs staggered, API recovered

        ```
        03:05:11 ERROR pool exhausted
        03:05:12 ERROR pool exhausted
        ```

            03:06 an indented log line
        """
    ).record
    assert len(record.entries) == 2


def test_entries_out_of_order_are_sorted_with_a_warning() -> None:
    record = read(
        """\
        # Cache eviction bug, 2024-08-01

        ## Timeline

        - 10:30 cache hit rate alert
        - 10:50 fix deployed, service restored
        - 10:10 (found later) the config change that caused it had shipped
        """
    ).record
    assert [e.at.strftime("%H:%M") for e in record.entries] == ["10:10", "10:30", "10:50"]
    assert warned(record, "not in time order")


def test_am_pm_going_backwards_is_read_as_a_swap() -> None:
    record = read(
        """\
        # Login errors on 2024-09-12

        ## Timeline

        - 11:20 AM: error rate alert for the login service
        - 11:40 AM: escalated to the identity team
        - 12:05 AM: cache flushed, logins fully restored
        """
    ).record
    assert record.entries[-1].at == datetime(2024, 9, 12, 12, 5, tzinfo=UTC)
    assert warned(record, "12:05 AM", "swapped")
    assert duration(record) == 45


def test_times_without_am_pm_in_a_document_that_uses_them() -> None:
    record = read(
        """\
        # Broken homepage, Friday, June 28, 2019

        ## Timeline (all times WAT)

        - 6:26 PM: homepage returns 404 for everyone
        - 7:15 PM: bad header rolled back
        - At 7:40, caches purged and the site is back online
        """
    ).record
    assert record.entries[-1].at.hour == 19
    assert record.fields["timezone"] == "Africa/Lagos"
    assert duration(record) == 74


# --------------------------------------------------------------------------- dates and zones


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on 2024-06-20 we", date(2024, 6, 20)),
        ("June 20, 2024", date(2024, 6, 20)),
        ("May 1st, 2023", date(2023, 5, 1)),
        ("25/02/2019", date(2019, 2, 25)),
        ("2-20-2025", date(2025, 2, 20)),
        ("Wednesday 30th June 2021", date(2021, 6, 30)),
        ("Friday, June 28, 2019", date(2019, 6, 28)),
    ],
)
def test_dates_in_many_forms(text: str, expected: date) -> None:
    assert [d.day for d in find_dates(text)] == [expected]


def test_date_found_only_in_the_summary() -> None:
    record = read(
        """\
        # Mail relay stuck

        ## Summary

        On May 1st, 2023 outgoing mail queued up for most of the morning.

        ## Timeline

        - 9:00 AM: users report that mail is not arriving
        - 10:30 AM: relay restarted, mail fully restored
        """
    ).record
    assert record.entries[0].at.date() == date(2023, 5, 1)
    assert not warned(record, "no date")


@pytest.mark.parametrize(
    ("phrase", "zone"),
    [
        ("All times UTC+0", "UTC"),
        ("Times are in PST", "America/Los_Angeles"),
        ("All times are West Africa Time (WAT).", "Africa/Lagos"),
        ("times in EAT", "Africa/Nairobi"),
        ("times in SAST", "Africa/Johannesburg"),
        ("Timeline (US/Pacific)", "America/Los_Angeles"),
        ("Timeline (all times in PST/PDT)", "America/Los_Angeles"),
    ],
)
def test_zone_phrases(phrase: str, zone: str) -> None:
    hit = find_zone(phrase)
    assert hit is not None and hit.name == zone


def test_zone_written_on_each_entry() -> None:
    record = read(
        """\
        # Gateway throttling on 2025-01-24

        ## Timeline

        13:15 SAST - throttling alerts fire on the gateway

        14:45 SAST - limits relaxed, full service restored
        """
    ).record
    assert record.fields["timezone"] == "Africa/Johannesburg"
    assert record.entries[0].at.utcoffset() == timedelta(hours=2)
    assert duration(record) == 90


def test_pst_in_summer_is_read_as_pacific_time_with_a_warning() -> None:
    record = read(
        """\
        # Web app partial outage

        On July 9, 2024, from 9:00 AM to 11:00 AM (PST), a quarter of our users could not pay.
        """
    ).record
    started = record.fields["started_at"]
    assert started.utcoffset() == timedelta(hours=-7)
    assert warned(record, "PST", "PDT")
    assert duration(record) == 120


def test_no_zone_means_utc_with_a_warning() -> None:
    record = read("# Blip on 2024-02-02\n\n## Timeline\n\n- 10:00 alert\n- 10:05 resolved\n").record
    assert record.fields["timezone"] == "UTC"
    assert warned(record, "no time zone")


# --------------------------------------------------------------------------- start and end


def test_explicit_summary_range_beats_the_timeline() -> None:
    record = read(
        """\
        # Payments outage

        ## Issue Summary

        **Duration:** card payments were refused from 2:00 PM to 4:15 PM UTC on May 7, 2025.

        ## Timeline

        - **1:40 PM:** schema change starts on the ledger database
        - **2:00 PM:** monitoring alert on ledger query latency
        - **4:00 PM:** card payments trickle back
        - **4:15 PM:** every payment path checked and outage declared over
        """
    ).record
    assert tagged(record, "impact-start") == ["monitoring alert on ledger query latency"]
    assert tagged(record, "resolved") == ["every payment path checked and outage declared over"]
    assert duration(record) == 135


def test_outage_begins_marker_and_start_time_fields() -> None:
    marker = read(
        """\
        # Config push outage, 2024-10-10

        ## Timeline

        - 08:00 config push begins
        - 08:04 OUTAGE BEGINS as the edge rejects requests
        - 08:30 push reverted; traffic back to normal
        """
    ).record
    assert tagged(marker, "impact-start") == ["OUTAGE BEGINS as the edge rejects requests"]
    assert duration(marker) == 26

    fields = read(
        """\
        # Dropped tables

        - **Start time:** 2025-01-21 07:12 UTC
        - **End time:** 2025-01-21 15:53 UTC

        ## Summary

        Some tables vanished after an upgrade; they were restored from backups.
        """
    ).record
    assert fields.entries == []
    assert duration(fields) == 521


def test_two_candidate_start_times_are_reported() -> None:
    record = read(
        """\
        # Website offline

        Date/time: 2024-09-14 20:05 PDT

        ## Timeline (Pacific time)

        ### 2024-09-13

        20:05 - new load balancer rule goes live **<START OF OUTAGE>**

        ### 2024-09-14

        11:46 - rule rolled back **<END OF OUTAGE>**
        """
    ).record
    assert duration(record) == 941
    assert warned(record, "two start times")


def test_start_and_end_not_on_entries_go_into_the_fields() -> None:
    record = read(
        """\
        # Slow dashboards

        The dashboards were slow between 04:40 AM and 04:55 AM on 2024-03-03.
        """
    ).record
    assert record.entries == []
    assert record.fields["started_at"] == datetime(2024, 3, 3, 4, 40, tzinfo=UTC)
    assert record.fields["resolved_at"] == datetime(2024, 3, 3, 4, 55, tzinfo=UTC)
    assert duration(record) == 15


def test_stated_duration_that_disagrees_is_reported_with_both_numbers() -> None:
    result = read(
        """\
        # Payments outage

        The outage lasted 2 hours and 15 minutes, from 3:00 PM to 5:30 PM UTC on 2025-04-09.
        """
    )
    assert result.stated_duration_minutes == 135
    assert duration(result.record) == 150
    assert warned(result.record, "2h 15m", "2h 30m")


@pytest.mark.parametrize(
    ("phrase", "minutes"),
    [
        ("lasted 2 hours and 15 minutes", 135),
        ("took 16h 45m", 1005),
        ("for close to an hour and a half", 90),
        ("15 Minutes (Recurring Daily)", 15),
        ("approximately 4 hours", 240),
        ("resolved within two hours", 120),
        ("(1 hour 30 minutes)", 90),
        ("a 55-minute nap", 55),
        ("about half an hour", 30),
    ],
)
def test_duration_phrases(phrase: str, minutes: float) -> None:
    hits = find_durations(phrase)
    assert hits and hits[0].minutes == minutes


# --------------------------------------------------------------------------- impact


def test_impact_numbers() -> None:
    record = read(
        """\
        # Checkout down

        ## Impact

        About 12% of users saw failed checkouts. Roughly 3,400 orders were lost, an estimated
        revenue loss of $18,500. In total 2,100 customers contacted support.
        """
    ).record
    fields = record.fields
    assert fields["users_affected_pct"] == 12
    assert fields["transactions_lost"] == 3400
    assert fields["revenue_lost"] == 18500
    assert fields["currency"] == "USD"
    assert fields["users_affected"] == 2100


# --------------------------------------------------------------------------- action items


def test_action_items_as_bullets_checklists_with_states_and_priorities() -> None:
    items = read(
        """\
        # Worker backlog

        ## Action items

        - [x] Add a canary stage for worker releases (P1)
        - [ ] Alert on queue age, not only depth — owner: @dana
        - **[Low]** Write a runbook for draining the queue
        - DONE: remove the manual scaling script
        - TODO - rehearse a failover
        """
    ).record.action_items
    assert [(a.priority, a.status) for a in items] == [
        ("high", "done"),
        ("medium", "open"),
        ("low", "open"),
        ("medium", "done"),
        ("medium", "open"),
    ]
    assert items[1].owner == "@dana"
    assert items[1].title == "Alert on queue age, not only depth"
    assert items[2].title == "Write a runbook for draining the queue"


def test_numbered_items_with_bullet_children_count_the_children() -> None:
    items = read(
        """\
        # Cron overload

        ## Corrective and preventative measures

        **Tasks:**

        1. **Audit the cron jobs:**
           - Review every job's schedule.
           - Require review for schedule changes.
        2. **Better monitoring:**
           - Alert on database load.
        3. Load-test the maintenance scripts.
        4. In conclusion, we learned a lot from this one.
        """
    ).record.action_items
    assert [a.title for a in items] == [
        "Review every job's schedule.",
        "Require review for schedule changes.",
        "Alert on database load.",
        "Load-test the maintenance scripts.",
    ]


def test_action_items_in_a_table_skip_placeholder_rows() -> None:
    items = read(
        """\
        # Token outage

        # Follow-up actions

        | Action | Assignee | Priority | Status |
        | --- | --- | --- | --- |
        | Simplify the on-call override process | Martha | P2 | In progress |
        | Page a backup when the primary does not answer | Ravi | high | done |
        | … | … | | |
        """
    ).record.action_items
    assert [(a.owner, a.priority, a.status) for a in items] == [
        ("Martha", "medium", "in-progress"),
        ("Ravi", "high", "done"),
    ]


def test_action_items_as_paragraphs_headings_and_dash_lines() -> None:
    paragraphs = read(
        """\
        # Site outage

        ## Follow-up

        The monitor should page more than one person. (filed as issue 12)

        Check the docs host in the uptime monitor. (fixed by adding a second check)
        """
    ).record.action_items
    assert [a.status for a in paragraphs] == ["open", "done"]

    headings = read(
        """\
        # Gateway throttling

        # Corrective and Preventative Measures

        Here is what we are changing:

        # Stage rate limits first:
        Try every limit change in staging.

        # Alert on 429 spikes:
        Page when throttling jumps.

        That should keep the gateway calm.
        """
    ).record.action_items
    assert [a.title for a in headings] == ["Stage rate limits first", "Alert on 429 spikes"]

    dashes = read(
        """\
        # Broken homepage

        ### Corrective and Preventative Measures
        We reviewed the outage and will do the following:
        -alert DevOps before customers notice
        -test header changes before release

        We are sorry for the trouble.
        """
    ).record.action_items
    assert len(dashes) == 2


def test_bold_labelled_action_paragraphs() -> None:
    items = read(
        """\
        # Queue stall

        ## Next steps

        **Add queue age alerting.** Owner: @sam, P1

        **Rotate the worker credentials.** (done)
        """
    ).record.action_items
    assert [(a.owner, a.priority, a.status) for a in items] == [
        ("@sam", "high", "open"),
        (None, "medium", "done"),
    ]


# --------------------------------------------------------------------------- tags and fields


def test_tags_inferred_from_each_entry() -> None:
    record = read(
        """\
        # Login outage on 2025-02-03

        ## Timeline

        - 10:00 monitoring alert for failing logins
        - 10:15 initial assumption was an expired certificate
        - 10:30 rotating the certificate did not resolve the issue
        - 11:00 escalated to the identity team
        - 11:30 root cause found: a stale session cache
        - 11:45 logins began to recover after the cache was flushed
        - 12:15 outage declared over
        """
    ).record
    tags = {e.text.split()[0] + " " + e.text.split()[1]: e.tags for e in record.entries}
    assert tags["monitoring alert"] == ["impact-start", "detected"]
    assert "false-lead" in tags["initial assumption"]
    assert "false-lead" in tags["rotating the"]
    assert "escalation" in tags["escalated to"]
    assert "cause-identified" in tags["root cause"]
    assert "mitigated" in tags["logins began"]
    assert "resolved" in tags["outage declared"]


def test_narrative_sections_land_in_the_incident_fields() -> None:
    record = read(
        """\
        # Disk full

        ## Summary

        The primary filled its disk.

        ## Root Cause and Resolution

        **Root cause:** logs and backups shared one partition.

        ## What went well

        - Backups were intact.

        ## What went wrong

        - No disk alert.

        ## Where we got lucky

        - It happened at night.
        """
    ).record
    fields = record.fields
    assert fields["summary"] == "The primary filled its disk."
    assert "shared one partition" in fields["root_cause"]
    assert "Root cause" not in fields["root_cause"]
    assert fields["went_well"] == "- Backups were intact."
    assert fields["went_wrong"] == "- No disk alert."
    assert fields["got_lucky"] == "- It happened at night."
    assert fields["status"] == "published"


# --------------------------------------------------------------------------- odd shapes


def test_a_postmortem_pasted_inside_a_markdown_fence_is_read() -> None:
    record = read(
        """\
        Sure, here is the write-up you asked for:

        ```markdown
        # Report: API gateway outage

        **Duration:**
        Start: 2024-08-20 14:00 UTC
        End: 2024-08-20 14:45 UTC

        ## Timeline

        - **14:00 UTC** - Alert for high error rates.
        - **14:45 UTC** - Service restored.

        ## Action items

        1. Review the gateway configuration process.
        ```
        """
    ).record
    assert record.fields["title"] == "Report: API gateway outage"
    assert len(record.entries) == 2
    assert len(record.action_items) == 1
    assert duration(record) == 45


def test_title_under_an_incident_title_heading() -> None:
    record = read(
        "# Incident Title\n\nSSO certificates expired\n\n## Summary\n\nLogins failed.\n"
    ).record
    assert record.fields["title"] == "SSO certificates expired"


def test_non_breaking_hyphens_and_spaced_duration_units() -> None:
    result = read(
        """\
        # Flag rollout outage on 2025\u201105\u201120
        **Severity:** SEV\u20111
        **Duration:** 08:41\u201309:54 UTC (1 h 13 m)
        """
    )
    assert result.record.fields["severity"] == "SEV-1"
    assert result.record.fields["started_at"] == datetime(2025, 5, 20, 8, 41, tzinfo=UTC)
    assert result.stated_duration_minutes == 73
    assert duration(result.record) == 73


def test_several_fields_on_one_line() -> None:
    record = read("# Blip\n\nStart: 2024-01-09 10:00 UTC, End: 2024-01-09 11:30 UTC\n").record
    assert duration(record) == 90


def test_time_nested_under_a_label_in_the_timeline() -> None:
    record = read(
        """\
        **Outage of the streaming service**

        **Timeline:**
        - **Detection time:**
          - March 11, 2024, 10:15 AM (UTC)
        - **Escalation:**
          - Raised with the platform team.
        """
    ).record
    assert texts(record) == ["Detection time"]
    assert "detected" in record.entries[0].tags


def test_relative_t_plus_times_are_not_clock_times() -> None:
    assert leading_stamp("T+0:05 first page") is None


@pytest.mark.parametrize(
    ("phrase", "zone"),
    [("times in UTC+3", "Etc/GMT-3"), ("GMT-5", "Etc/GMT+5"), ("at 10:00 CEST", "Europe/Berlin")],
)
def test_offset_zones(phrase: str, zone: str) -> None:
    hit = find_zone(phrase)
    assert hit is not None and hit.name == zone


def test_action_item_metadata_in_sub_bullets() -> None:
    items = read(
        """\
        # Disk full

        ## Action items

        - Move logs to their own volume
          - Owner: priya
          - Priority: high
        - Add a disk usage alert
          - Status: done
        """
    ).record.action_items
    assert [(a.title, a.owner, a.priority, a.status) for a in items] == [
        ("Move logs to their own volume", "priya", "high", "open"),
        ("Add a disk usage alert", None, "medium", "done"),
    ]


# --------------------------------------------------------------------------- robustness


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_is_read_without_raising(text: str) -> None:
    result = read_foreign_markdown(text, today=TODAY, strict=True)
    assert isinstance(result.record, IncidentRecord)


_FRAGMENTS = st.sampled_from(
    [
        "# ",
        "## Timeline\n",
        "## Action items\n",
        "- ",
        "1. ",
        "| 10:00 | x |\n",
        "|---|---|\n",
        "**",
        "`",
        "12:05 AM",
        "2305HRS",
        "11:59 PM",
        "00:00",
        "2024-02-29",
        "31/12/1999",
        "February 30, 2024",
        " UTC",
        " PST",
        " from 9:00 AM to 8:00 AM",
        " lasted 2 hours",
        "<br>",
        "\n",
        "\n\n",
        "---\n",
        "```\n",
        " OUTAGE BEGINS ",
        "<END OF OUTAGE>",
        "- [x] ",
        " 50% of users ",
        "$1,000",
        "🚨 ",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_FRAGMENTS, st.text(max_size=8)), max_size=40).map("".join))
def test_postmortem_shaped_noise_is_read_without_raising(text: str) -> None:
    result = read_foreign_markdown(text, today=TODAY, strict=True)
    for entry in result.record.entries:
        assert entry.at.tzinfo is not None


def test_the_non_strict_reader_never_raises() -> None:
    result = read_foreign_markdown("\x00" * 3 + "# \ud800")
    assert isinstance(result.record, IncidentRecord)


@pytest.mark.parametrize(
    "text",
    [
        "1:" * 20000,
        "2024-" * 10000,
        "a " * 20000 + "hours",
        " " * 50000 + "10:00",
        "| 10:00 " * 5000,
        "**" * 20000,
        "- " * 20000,
    ],
)
def test_pathological_input_stays_fast(text: str) -> None:
    started = time.perf_counter()
    read_foreign_markdown(text, today=TODAY)
    assert time.perf_counter() - started < 2.0


def test_leading_stamp_needs_a_time_or_date_at_the_start() -> None:
    assert leading_stamp("1. Issue Summary") is None
    assert leading_stamp("5 minutes later the alert cleared") is None
    stamp = leading_stamp("⏰ November 3, 2025, 09:20 - 10:05 UTC (45 minutes)")
    assert stamp is not None and stamp.until is not None and stamp.zone is not None


# --------------------------------------------------------------------------- shared documents


@pytest.mark.parametrize("name", ["corpus", "corpus2"])
def test_corpus_targets(name: str) -> None:
    """Each folder of ten real postmortems, judged by its hand-made manifest: at least 9 of
    10 on each figure (no crash: the reader runs strictly). Skipped when the folder is absent."""
    folder = SHARED / name
    if not (folder / "manifest.json").is_file():
        pytest.skip(f"shared {name} not present")
    score = score_manifest(folder)
    assert len(score.documents) == 10
    assert score.durations >= 9, score.misses()
    assert score.entries >= 9, score.misses()
    assert score.actions >= 9, score.misses()


def test_both_corpora_together_reach_19_of_20() -> None:
    folders = [SHARED / name for name in ("corpus", "corpus2")]
    if not all((f / "manifest.json").is_file() for f in folders):
        pytest.skip("shared corpora not present")
    scores = [score_manifest(folder) for folder in folders]
    misses = [line for score in scores for line in score.misses()]
    assert sum(s.durations for s in scores) >= 19, misses
    assert sum(s.entries for s in scores) >= 19, misses
    assert sum(s.actions for s in scores) >= 19, misses


def test_held_out_targets() -> None:
    """Postmortems written for this project in many styles (tests/fixtures/heldout), never
    seen while the rules above were first written: the same rules, the same bar."""
    score = score_manifest(HELD_OUT)
    n = len(score.documents)
    assert n >= 20
    for figure in (score.durations, score.entries, score.actions):
        assert figure >= 0.9 * n, score.misses()


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="shared seeds not present")
def test_seed_durations() -> None:
    files = sorted((SHARED / "seeds").glob("*.txt"))
    assert len(files) == 5
    found = [
        duration(read_foreign_markdown(f.read_text(encoding="utf-8"), strict=True).record)
        for f in files
    ]
    assert found == [15, 270, 135, 120, 240]


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="shared corpus not present")
def test_corpus_reads_quickly() -> None:
    documents = [p.read_text(encoding="utf-8") for p in sorted((SHARED / "corpus").glob("*.md"))]
    for text in documents:  # warm the parser and the compiled patterns
        read_foreign_markdown(text)
    started = time.perf_counter()
    for text in documents:
        read_foreign_markdown(text)
    per_document = (time.perf_counter() - started) / len(documents)
    # About 15 ms on a quiet machine; the bound leaves room for a busy CI runner.
    assert per_document < 0.1
