"""General rules of the foreign importer that replaced phrases of particular documents:
each test is a small document of our own showing one rule, and where it matters, the
near miss the rule must not catch."""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, date, datetime, timedelta

import pytest

from exporters.ingest.foreign.reader import read_foreign_markdown
from exporters.ingest.foreign.sections import GENERIC_TITLE_RE, classify_heading
from exporters.ingest.foreign.times import leading_stamp
from exporters.ingest.foreign.words import (
    infer_tags,
    shows_closure,
    shows_impact,
    shows_resolution,
)
from tests.exporters.ingest.helpers import HELD_OUT, duration, read, tagged, texts, warned

# --------------------------------------------------------------------------- titles


@pytest.mark.parametrize(
    "title",
    [
        "Postmortem",
        "0x19. Postmortem",
        "0x1F-postmortem",
        "Task 3 - Incident report",
        "Project 12: post-incident review",
        "INC-204 RCA",
        "README",
    ],
)
def test_titles_that_only_name_the_kind_of_document(title: str) -> None:
    assert GENERIC_TITLE_RE.match(title)


@pytest.mark.parametrize(
    "title",
    ["Postmortem: checkout down", "0x19-postmortem task using the load balancer", "Outage of S3"],
)
def test_titles_that_name_the_incident(title: str) -> None:
    assert not GENERIC_TITLE_RE.match(title)


def test_a_level_two_heading_can_be_the_title() -> None:
    record = read(
        """\
        ## Incident report: thumbnails missing

        ### Summary

        Thumbnails were blank for an hour.
        """
    ).record
    assert record.fields["title"] == "Incident report: thumbnails missing"
    assert record.fields["summary"] == "Thumbnails were blank for an hour."


def test_a_first_heading_is_a_title_even_with_a_section_word_inside() -> None:
    record = read(
        """\
        # Partial name resolution failures in the Lagos region

        ## Summary

        Lookups failed.
        """
    ).record
    assert record.fields["title"] == "Partial name resolution failures in the Lagos region"
    assert classify_heading("Root cause and resolution", first=True) == "root_cause"
    assert classify_heading("Partial name resolution failures in Lagos", first=True) is None
    assert classify_heading("Partial name resolution failures in Lagos") == "resolution"


def test_a_generic_first_line_gives_way_to_a_title_field() -> None:
    record = read(
        """\
        OUTAGE REPORT

        Team: Billing
        Incident: invoices e-mailed twice

        SUMMARY
        Every invoice of the 3rd went out two times.
        """
    ).record
    assert record.fields["title"] == "invoices e-mailed twice"


# --------------------------------------------------------------------------- timelines


def test_a_timeline_of_plain_sentences_with_at_from_and_between() -> None:
    record = read(
        """\
        Photo uploads broken, 2024-04-09

        Timeline

        At 9:05am the new storage client was deployed.
        At 9:20am uploads began failing with timeouts.
        From 9:40am to 9:55am we tried a bigger connection pool, which did not help.
        Between 10:10am and 10:20am the deploy was rolled back.
        At 10:25am uploads were working again for everyone.

        What we'll change

        1. Canary the storage client.
        """
    ).record
    assert [e.at.strftime("%H:%M") for e in record.entries] == [
        "09:05",
        "09:20",
        "09:40",
        "10:10",
        "10:25",
    ]
    assert "(until 9:55 AM)" in record.entries[2].text
    assert "(until 10:20 AM)" in record.entries[3].text
    assert "false-lead" in record.entries[2].tags
    assert tagged(record, "impact-start") == ["uploads began failing with timeouts."]
    assert duration(record) == 65
    assert [a.title for a in record.action_items] == ["Canary the storage client."]


def test_between_needs_and_while_from_takes_to() -> None:
    stamp = leading_stamp("Between 3:10pm and 3:40pm caches warmed")
    assert stamp is not None and stamp.until is not None and stamp.until.hour == 3
    assert stamp.rest == "caches warmed"
    plain = leading_stamp("At 3:10pm and then some")
    assert plain is not None and plain.until is None


def test_a_date_without_a_year_takes_the_year_of_the_post() -> None:
    record = read(
        """\
        ---
        title: "January report"
        date: 2025-01-20
        ---

        ### December 30, 22:10 UTC

        ## Timeline

        - **22:10 UTC** first failed logins
        - **22:55 UTC** logins working again
        """
    ).record
    # December 30 before a post of January 20 is the previous December.
    assert record.entries[0].at.date() == date(2024, 12, 30)
    assert warned(record, "without a year", "2024")
    assert duration(record) == 45


# --------------------------------------------------------------------------- start and end


def test_recovery_beats_closing_the_incident() -> None:
    record = read(
        """\
        # Search down on 2024-05-02

        ## Timeline

        - 10:00 search requests fail
        - 10:40 index restored, search working again
        - 11:30 incident closed after an hour of watching
        """
    ).record
    assert tagged(record, "resolved") == ["index restored, search working again"]
    assert duration(record) == 40


def test_closing_the_incident_is_the_end_when_nothing_says_recovered() -> None:
    record = read(
        """\
        # Search down on 2024-05-02

        ## Timeline

        - 10:00 search requests fail
        - 10:25 index rebuilt
        - 10:40 incident closed
        """
    ).record
    assert tagged(record, "resolved") == ["incident closed"]
    assert duration(record) == 40


def test_a_resolved_field_beats_a_mitigated_field() -> None:
    record = read(
        """\
        # Cache stampede

        | Milestone | Time |
        | --- | --- |
        | Impact started | 2024-06-20 10:00 UTC |
        | Mitigated | 2024-06-20 11:40 UTC |
        | Resolved | 2024-06-20 12:15 UTC |
        """
    ).record
    assert duration(record) == 135


def test_a_fixed_field_is_the_end_when_it_is_the_only_one() -> None:
    record = read(
        """\
        # Login outage

        - **Impact start:** October 8, 2025 4:12 PM (UTC)
        - **Fixed:** October 8, 2025 4:25 PM (UTC)
        - **Closed:** October 8, 2025 5:02 PM (UTC)
        """
    ).record
    assert duration(record) == 13


def test_a_sentence_wrapped_over_two_lines_is_read_whole() -> None:
    record = read(
        """\
        # Upload failures

        - **Start time:** 2024-07-16 11:20 UTC
        - **End time:** 2024-07-16 13:05 UTC

        ## Summary

        Uploads failed after a storage policy change; the problems began at
        11:05 UTC. Roughly
        1,200 customers were affected.
        """
    ).record
    assert warned(record, "two start times", "11:05")
    assert record.fields["users_affected"] == 1200
    assert duration(record) == 105


def test_a_table_of_fields_over_one_row_of_values() -> None:
    result = read(
        """\
        # Queue outage

        | Date | Start | End | Duration |
        |---|---|---|---|
        | 2024-01-02 | 10:00 UTC | 11:30 UTC | 90 min |

        ## Timeline

        | Event | Time |
        |---|---|
        | Alerts fire for queue age | 10:05 |
        | Queue drained, all healthy | 11:30 |
        """
    )
    assert result.start_source == 'the "Start" field'
    assert result.stated_duration_minutes == 90
    assert len(result.record.entries) == 2
    assert duration(result.record) == 90


def test_a_timed_heading_in_the_timeline_is_an_entry_whatever_its_words() -> None:
    record = read(
        """\
        # Login incident on 2024-06-20

        ## Timeline

        #### 10:05 UTC: alert fires for login errors
        #### 10:20 UTC: root cause found, the session store is full
        #### 10:31 UTC: session store resized, logins recovered

        ## Lessons

        - Watch the session store.
        """
    ).record
    assert len(record.entries) == 3
    assert tagged(record, "resolved") == ["session store resized, logins recovered"]
    assert duration(record) == 26


def test_times_written_with_an_h_at_the_start_of_an_entry() -> None:
    record = read(
        """\
        # API brownout 2024/06/20

        ## Timeline (CEST)

        * 14h05 : latency alert
        * 14h50 : latency back to normal

        ## Summary

        The brownout took 2h30 to explain to everyone.
        """
    ).record
    assert [e.at.strftime("%H:%M %Z") for e in record.entries] == ["14:05 CEST", "14:50 CEST"]
    assert duration(record) == 45
    assert leading_stamp("2h30m later the alert cleared") is None


def test_the_nearest_cue_word_gives_a_time_its_role() -> None:
    result = read(
        """\
        # Video outage

        ## Issue summary

        On 2024-02-12, starting at noon and ending at 12:45 PM (UTC), playback failed.
        """
    )
    assert result.record.fields["started_at"] == datetime(2024, 2, 12, 12, 0, tzinfo=UTC)
    assert duration(result.record) == 45


@pytest.mark.parametrize(
    ("text", "hour"), [("Midnight: cron jobs start", 0), ("12 noon - first alert", 12)]
)
def test_noon_and_midnight_are_times(text: str, hour: int) -> None:
    stamp = leading_stamp(text)
    assert stamp is not None and stamp.clock is not None
    assert stamp.clock.hour24() == hour


def test_an_end_earlier_in_the_day_than_the_start_is_the_next_day() -> None:
    record = read(
        """\
        Replication lag took down the API

        Duration: from 11 PM on March 3, 2024 until 2 AM the next day (East Africa Time)
        """
    ).record
    assert record.fields["resolved_at"] == datetime(2024, 3, 3, 23, 0, tzinfo=UTC)
    assert duration(record) == 180
    assert warned(record, "earlier in the day", "next day")


# --------------------------------------------------------------------------- durations


def test_a_duration_after_for_is_stated_even_when_after_follows() -> None:
    result = read(
        """\
        # Checkout latency on 2024-06-04

        ## Description

        The checkout p99 stayed above 8 seconds for just under two hours after a release.

        ## Timeline

        - 09:20 latency alert
        - 11:10 latency back to normal
        """
    )
    assert result.stated_duration_text == "just under two hours"
    assert not warned(result.record, "says")  # 110 minutes is just under two hours


@pytest.mark.parametrize(
    "sentence",
    [
        "Requests took 8 seconds at the 99th percentile.",
        "Pages on this rota carry a 10 minute acknowledgement SLA.",
        "The timeout was raised to 30 seconds.",
        "Two hours after the release, traffic peaked.",
    ],
)
def test_numbers_that_are_not_how_long_the_outage_lasted(sentence: str) -> None:
    result = read(f"# Slow checkout\n\n## Summary\n\n{sentence}\n")
    assert result.stated_duration_minutes is None


@pytest.mark.parametrize(
    ("sentence", "minutes"),
    [
        ("It was a 2-hour outage.", 120),
        ("We saw 45 minutes of downtime.", 45),
        ("The site was down for 20 minutes.", 20),
    ],
)
def test_durations_named_by_the_words_around_them(sentence: str, minutes: float) -> None:
    result = read(f"# Slow checkout\n\n## Summary\n\n{sentence}\n")
    assert result.stated_duration_minutes == minutes


# --------------------------------------------------------------------------- words


@pytest.mark.parametrize(
    "text",
    [
        "First transfers stuck in pending",
        "search began returning empty results",
        "Registry responses show HTTP 429",
        "writes rejected by the new filter rule",
        "pods stuck in ImagePullBackOff",
        "pager fired for queue age",
        "builds queueing, no agents online",
    ],
)
def test_symptoms_show_impact(text: str) -> None:
    assert shows_impact(text)


@pytest.mark.parametrize(
    "text",
    ["Release 3.14 deployed to production", "backlog cleared, service restored"],
)
def test_changes_and_recoveries_do_not_show_impact(text: str) -> None:
    assert not shows_impact(text)


@pytest.mark.parametrize(
    "text",
    [
        "Backlog cleared; all transfers completing normally.",
        "Error rate back under 0.1%",
        "Uploads succeeding; error rate back to zero",
        "Launch success back to 99%.",
        "lag back to zero, picks flowing",
        "Push success rate back to normal in every region.",
    ],
)
def test_recovery(text: str) -> None:
    assert shows_resolution(text)


@pytest.mark.parametrize(
    "text",
    [
        "Old certificate restored; transfers start to clear.",
        "Errors drop to 3% after the change",
        "The restart did not restore service",
        "incident closed",
        "Services gradually restored.",
    ],
)
def test_not_yet_a_recovery(text: str) -> None:
    assert not shows_resolution(text)


def test_closure_is_not_recovery() -> None:
    assert shows_closure("monitoring normal, closing")
    assert shows_closure("Incident resolved in the tracker")
    assert not shows_closure("The restart did not close the gap")


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("Checked the database; everything looked normal.", "false-lead"),
        ("Load balancer logs checked; still no cause in sight.", "false-lead"),
        ("The team assumed the cluster was out of memory.", "false-lead"),
        ("The registry is healthy, not the cause.", "false-lead"),
        ("Dan is paged in and finds the bad image.", "escalation"),
        ("Storage team brought in to help.", "escalation"),
        ("The on-call engineer observed 502s in the logs.", "detected"),
        ("Engineers correlate the failures with the change.", "cause-identified"),
        ("Migration cancelled; lock released.", "mitigated"),
        ("Corrected configuration deployed to all hosts.", "mitigated"),
        ("Posted an update on the status page.", "comms"),
    ],
)
def test_tags_from_classes_of_words(text: str, tag: str) -> None:
    assert tag in infer_tags(text)


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("The processor's status page is green.", "comms"),
        ("This turned out to be a red herring.", "cause-identified"),
        ("Queue-depth alert pages the payments on-call.", "escalation"),
        ("Error rate back to normal.", "false-lead"),
    ],
)
def test_near_misses_get_no_tag(text: str, tag: str) -> None:
    assert tag not in infer_tags(text)


# --------------------------------------------------------------------------- action items


def test_todo_and_done_lines_in_plain_notes_are_items() -> None:
    record = read(
        """\
        DISK FULL ON THE PRIMARY

        TIMELINE
        23:41 disk alert
        00:24 writes succeeding again

        FOLLOW-UPS
        TODO alert on replication slot lag (owner: kemal)
        TODO weekly check for inactive slots
        DONE raise the disk alert threshold
        """
    ).record
    assert [(a.title, a.owner, a.status) for a in record.action_items] == [
        ("alert on replication slot lag", "kemal", "open"),
        ("weekly check for inactive slots", None, "open"),
        ("raise the disk alert threshold", None, "done"),
    ]
    assert texts(record) == ["disk alert", "writes succeeding again"]
    assert duration(record) == 43


@pytest.mark.parametrize(
    "heading",
    ["What we are doing", "What we're changing", "What we'll change", "What's next"],
)
def test_headings_that_announce_the_follow_up_work(heading: str) -> None:
    record = read(f"# Slow pushes\n\n## {heading}\n\n- Add a canary stage.\n").record
    assert [a.title for a in record.action_items] == ["Add a canary stage."]


# --------------------------------------------------------------------------- zones and dates


def test_est_in_winter_needs_no_warning_and_crosses_midnight() -> None:
    record = read(
        """\
        # Warehouse export behind

        **Time zone:** all times EST

        ## Timeline

        - January 9, 2024
          - 11:30 PM: export starts at a tenth of its speed. Impact begins.
        - January 10, 2024
          - 4:15 PM: export caught up; dashboards current.
        """
    ).record
    assert record.entries[0].at == datetime(2024, 1, 10, 4, 30, tzinfo=UTC)
    assert record.entries[0].at.utcoffset() == timedelta(hours=-5)
    assert not warned(record, "EST", "EDT")
    assert duration(record) == 1005


# --------------------------------------------------------------------------- layout noise


def test_a_marker_wrapped_inside_bold_still_marks_the_entry() -> None:
    record = read(
        """\
        # Relay dropped writes

        ## Timeline (UTC)

        ### 2024-10-21

        17:05 - relay config change merged. **<START OF
        OUTAGE>**<br>
        17:40 - gaps noticed in dashboards<br>
        19:50 - writes flowing again. **<END OF
        OUTAGE>**<br>
        21:30 - backfill complete
        """
    ).record
    assert len(record.entries) == 4
    assert tagged(record, "impact-start") == ["relay config change merged. <START OF OUTAGE>"]
    assert duration(record) == 165


def test_the_lowercase_end_of_a_wrapped_sentence_is_not_a_heading() -> None:
    record = read(
        """\
        # Broken homepage

        ### Corrective and Preventative Measures
        We reviewed the outage; these are the actions we take to help prevent
        recurrence and improve response times:
        -alert DevOps before customers notice
        -test header changes before release
        """
    ).record
    assert [a.title for a in record.action_items] == [
        "alert DevOps before customers notice",
        "test header changes before release",
    ]


def _wrapped(text: str) -> str:
    """Long prose lines hard-wrapped at 80 columns, as many editors save Markdown."""
    out: list[str] = []
    for line in text.split("\n"):
        prose = not line.lstrip().startswith(("|", "-", "*", "#", "`", ">")) and "\t" not in line
        out.extend(textwrap.wrap(line, 80) if prose and len(line) > 90 else [line])
    return "\n".join(out)


_LAYOUTS = {
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "no final newline": lambda t: t.rstrip("\n"),
    "wrapped at 80": _wrapped,
    "byte order mark": lambda t: "\ufeff" + t,
    "trailing spaces": lambda t: "\n".join(line + "  " for line in t.split("\n")),
}


@pytest.mark.parametrize("layout", sorted(_LAYOUTS))
def test_layout_noise_does_not_change_the_figures(layout: str) -> None:
    """Line endings, wrapping and stray spaces are not content: every held-out document
    gives the same duration and counts however it is laid out."""
    manifest = json.loads((HELD_OUT / "manifest.json").read_text(encoding="utf-8"))
    changed = []
    for facts in manifest:
        text = (HELD_OUT / facts["file"]).read_text(encoding="utf-8")
        figures = []
        for variant in (text, _LAYOUTS[layout](text)):
            record = read_foreign_markdown(variant, filename=facts["file"], strict=True).record
            figures.append((duration(record), len(record.entries), len(record.action_items)))
        if figures[0] != figures[1]:
            changed.append((facts["file"], *figures))
    assert changed == []
