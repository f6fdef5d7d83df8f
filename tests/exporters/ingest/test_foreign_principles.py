"""Reading principles for postmortems never seen before: one small document per principle,
written for these tests. Each test names the general reading it checks, not a document."""

from __future__ import annotations

import gc
import time
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exporters.ingest.foreign import sections
from exporters.ingest.foreign.reader import read_foreign_markdown
from exporters.ingest.foreign.zones import find_zone
from exporters.ingest.importing import ImportProblem, decode_document
from tests.exporters.ingest.helpers import duration, read, tagged, texts, warned


def titles(text: str) -> list[str]:
    return [a.title for a in read(text).record.action_items]


# --------------------------------------------------------------------------- layout


def test_plain_text_capital_headings_tab_rows_and_one_action_a_line() -> None:
    """Without Markdown, an ALL-CAPS line is a heading, ``time<TAB>text`` is an entry and,
    in an action section, each line that starts a sentence is an item."""
    record = read(
        "BILLING EXPORT STALLED\n\nSUMMARY\nInvoices were not sent. All times EAT.\n"
        "Date 2023-11-07.\n\nTIMELINE\n"
        "08:02\tExport job failed on a locked table\n"
        "08:10\tFinance reported missing invoices\n"
        "08:45\tLock released, invoices flowing again\n\n"
        "ACTION ITEMS\nAdd a timeout to the export lock\n"
        "Alert when no invoice is sent for an hour\n"
    ).record
    assert len(record.entries) == 3
    assert record.fields["timezone"] == "Africa/Nairobi"
    assert duration(record) == 43
    assert [a.title for a in record.action_items] == [
        "Add a timeout to the export lock",
        "Alert when no invoice is sent for an hour",
    ]


def test_wrapped_prose_in_an_action_section_stays_one_item() -> None:
    """A line that continues a sentence (the one above ends on "and", the next is lower
    case) is not a new item."""
    assert titles(
        """\
        # Cache miss storm

        ## Follow-up

        We will cap the refill rate of the cache and
        warm it before each deploy.
        """
    ) == ["We will cap the refill rate of the cache and warm it before each deploy."]


@pytest.mark.parametrize("closing", ["```\n", ""])
def test_a_timeline_kept_in_a_code_block_is_read(closing: str) -> None:
    """A timeline section whose only entries sit in a code block is read from the block; a
    block never closed ends before the first heading inside it."""
    record = read(
        "# Queue outage\n\n## Timeline\n\n```text\n"
        "2024-02-10 14:00 UTC  consumer upgrade began\n"
        "2024-02-10 14:05 UTC  messages piling up, consumers failing\n"
        "2024-02-10 14:40 UTC  consumers restored, backlog cleared\n"
        f"{closing}\n## Action items\n\n- Canary the consumer upgrade\n"
    ).record
    assert len(record.entries) == 3
    assert duration(record) == 35
    assert [a.title for a in record.action_items] == ["Canary the consumer upgrade"]


def test_log_lines_in_a_code_block_beside_entries_are_not_entries() -> None:
    record = read(
        """\
        # Pool exhausted, 2024-01-15

        ## Timeline

        - 03:00 requests failing
        - 03:20 pool resized, requests recovered

        ```
        03:05:11 ERROR pool exhausted
        03:05:12 ERROR pool exhausted
        ```
        """
    ).record
    assert len(record.entries) == 2


# --------------------------------------------------------------------------- clocks and zones


def test_twelve_fifteen_am_after_noon_is_a_quarter_past_noon() -> None:
    """An AM/PM that would go back in time is read as the other half of the day, with a
    warning."""
    record = read(
        """\
        # Sign-in errors on 2024-03-03 (times EST)

        ## Timeline

        - 11:50 AM: sign-in errors reported
        - 12:00 PM: on-call paged
        - 12:15 AM: session store restarted
        - 12:30 AM: sign-ins working again
        """
    ).record
    assert duration(record) == 40
    assert warned(record, "12:15 AM", "12:15 PM")


def test_a_timeline_passing_midnight_without_dates_moves_to_the_next_day() -> None:
    record = read(
        """\
        # Nightly batch late, 2024-06-01 (UTC)

        ## Timeline

        - 22:40 batch stalled, reports missing
        - 23:30 engineer paged
        - 00:20 stuck lock released
        - 01:05 batch completed, reports back to normal
        """
    ).record
    assert duration(record) == 145
    assert record.entries[-1].at == datetime(2024, 6, 2, 1, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("phrase", "zone"),
    [
        ("09:00 WAT", "Africa/Lagos"),
        ("09:00 EAT", "Africa/Nairobi"),
        ("09:00 CAT", "Africa/Maputo"),
        ("09:00 IST", "Asia/Kolkata"),
        ("09:00 JST", "Asia/Tokyo"),
        ("09:00 KST", "Asia/Seoul"),
        ("09:00 AEST", "Australia/Sydney"),
    ],
)
def test_zone_abbreviations_from_every_continent(phrase: str, zone: str) -> None:
    hit = find_zone(phrase)
    assert hit is not None and hit.name == zone


def test_a_winter_label_in_summer_is_read_as_local_time_with_a_warning() -> None:
    record = read(
        """\
        # Upload failures, June 12, 2024 (all times PST)

        ## Timeline

        - 10:00 uploads failing
        - 10:30 uploads restored
        """
    ).record
    assert record.entries[0].at == datetime(2024, 6, 12, 17, 0, tzinfo=UTC)
    assert warned(record, "PST", "PDT")


def test_times_stated_once_in_prose_are_the_start_and_end() -> None:
    """A time followed by the verb of what happened ("at 14:20 the cluster went down") is a
    start; one followed by a recovery verb is an end."""
    result = read(
        """\
        # Cache outage

        On 2024-09-03 at 14:20 JST the cache cluster went down and pages failed to load.
        Engineers restarted it and at 15:05 JST the service was restored.
        """
    )
    assert duration(result.record) == 45
    assert result.evidence["start"]["confidence"] == "stated"
    assert result.evidence["start"]["line"] == 3


def test_four_digit_times_in_a_from_to_range() -> None:
    record = read(
        """\
        # Storefront down

        ## Summary

        The storefront was unreachable for 9 minutes from 0411 to 0420 on 2024-02-02.
        """
    ).record
    assert duration(record) == 9


def test_offsets_from_an_unnamed_moment_make_a_timeline() -> None:
    """``T+0:26`` rows are entries at offsets; the durations between them are exact."""
    record = read(
        """\
        # Lockout, 2025-01-10

        ## Timeline

        **T+0:00** - firewall rule pushed
        **T+0:05** - **INCIDENT START:** every SSH session dropped
        **T+1:40** - console access restored the old rule
        **T+2:10** - **INCIDENT END:** all hosts reachable
        """
    ).record
    assert len(record.entries) == 4
    assert duration(record) == 125
    assert warned(record, "relative")


# --------------------------------------------------------------------------- the impact window


def test_no_stated_end_gives_no_duration_and_a_warning() -> None:
    """Bookkeeping rows days later (a ticket closed, a fix shipped) are not the end."""
    record = read(
        """\
        # Slow dashboards (UTC)

        ## Timeline

        - 2024-04-01 09:00 dashboards slow for all users
        - 2024-04-01 09:30 team investigating the query planner
        - 2024-04-03 16:00 ticket closed
        - 2024-04-05 11:00 index change shipped
        """
    ).record
    assert duration(record) is None
    assert warned(record, "no end")


def test_a_latent_cause_the_day_before_and_bookkeeping_after_are_outside_the_window() -> None:
    record = read(
        """\
        # API outage (UTC)

        ## Timeline

        - 2024-05-01 16:00 config change merged that shrinks the connection pool
        - 2024-05-02 08:10 API requests failing for all customers
        - 2024-05-02 08:25 config reverted
        - 2024-05-02 08:40 API restored, error rate back to normal
        - 2024-05-03 10:00 review meeting held
        - 2024-05-06 12:00 tickets filed
        """
    ).record
    assert duration(record) == 30
    assert tagged(record, "impact-start") == ["API requests failing for all customers"]


def test_later_confirmations_extend_the_end_but_a_relapse_moves_it() -> None:
    record = read(
        """\
        # Checkout errors, 2024-08-08 (UTC)

        ## Timeline

        - 10:00 checkout failing
        - 10:20 fix deployed, checkout restored
        - 10:25 errors again on the payment step
        - 10:50 payment provider recovered
        - 10:55 all regions confirmed back to normal
        """
    ).record
    assert duration(record) == 55


def test_a_stated_recovery_time_beats_the_last_row() -> None:
    """Two readings compete (the last row, a guess, and a figure the text states): the
    stated one wins, with a warning."""
    record = read(
        """\
        # Search slow, 2024-05-02 (UTC)

        Time to recovery: 20 minutes.

        ## Timeline

        - 08:10 search slow for everyone
        - 08:15 engineer paged
        - 09:30 retro scheduled
        """
    ).record
    assert duration(record) == 20
    assert warned(record, "stated duration")


def test_several_incidents_each_with_its_window() -> None:
    """Several stated windows under dated headings: one incident from the first start to
    the last end, and a warning that lists every window and their sum."""
    result = read(
        """\
        # Flag service outages

        ## Incidents

        ### 2024-07-01 - cache overload

        **Duration:** 10:00 to 10:30 UTC (30 minutes)

        - **10:00 UTC** flag service returning errors
        - **10:30 UTC** flag service restored

        ### 2024-07-04 - bad rate limit

        **Duration:** 15:00 to 15:20 UTC (20 minutes)

        - **15:00 UTC** flag service returning errors again
        - **15:20 UTC** flag service restored
        """
    )
    record = result.record
    assert record.entries[-1].at == datetime(2024, 7, 4, 15, 20, tzinfo=UTC)
    assert duration(record) == 3 * 24 * 60 + 5 * 60 + 20
    assert warned(record, "2 separate impact windows", "50m")


def test_a_second_incident_after_a_long_silence_is_named_not_counted() -> None:
    """Without stated windows, the impact is the first stretch of work; more impact days
    later is reported as a possible other incident."""
    record = read(
        """\
        # Flag service errors (UTC)

        ## 2024-07-01

        - 10:00 flag service returning errors
        - 10:30 flag service restored

        ## 2024-07-04

        - 15:00 flag service returning errors
        - 15:20 flag service restored
        """
    ).record
    assert duration(record) == 30
    assert warned(record, "another incident", "2024-07-04 15:00")


def test_a_date_right_after_an_entry_time_belongs_to_it() -> None:
    record = read(
        """\
        # Latency, October 2025 (UTC)

        ## Timeline

        - **22:30** (Oct 29) - latency alerts firing
        - **05:39** (Oct 30) - latency back to normal
        """
    ).record
    assert duration(record) == 429


# --------------------------------------------------------------------------- action items


def test_action_items_split_across_subsections_priorities_and_tables() -> None:
    """Immediate / short / long term subsections, blank-line separated items, bold-led
    paragraphs, a table under a category heading whose "None." rows are placeholders."""
    assert titles(
        """\
        # Resolver outage

        ## Action items

        ### Immediate

        - Pin the resolver version

        ### Short term

        - Add a synthetic lookup check

        - Page on resolver error rate

        ### Long term

        - Run two resolver vendors

        ### Monitoring

        **P0** Add resolver failover to the runbook.

        | Category | Action |
        |---|---|
        | Process | None. |
        | Detection | Alert on NXDOMAIN spikes |
        """
    ) == [
        "Pin the resolver version",
        "Add a synthetic lookup check",
        "Page on resolver error rate",
        "Run two resolver vendors",
        "Alert on NXDOMAIN spikes",
        "Add resolver failover to the runbook.",
    ]


def test_a_second_list_repeating_the_first_and_a_status_line_are_not_new_actions() -> None:
    assert titles(
        """\
        # Disk full

        ## Corrective actions

        - Rotate logs daily
        - Alert at 80% disk

        ## Specific tasks

        - Rotate logs daily.
        - Alert at 80% disk.

        Status: everything above is on the ops board.
        """
    ) == ["Rotate logs daily", "Alert at 80% disk"]


def test_status_lines_among_the_actions_are_not_actions() -> None:
    assert titles(
        """\
        # Queue backlog

        ## Action items

        - **Status:** two of three done
        - Add a backlog age alert (done)
        - Last updated: 2024-05-03
        - Split the queue per tenant
        """
    ) == ["Add a backlog age alert (done)", "Split the queue per tenant"]


def test_advice_sections_give_way_to_a_section_that_names_action_items() -> None:
    assert titles(
        """\
        # Config lockout

        ## Action items

        - [x] Keep a console session open while changing the network
        - [ ] Test bridge changes on a spare host

        ## Prevention strategies

        1. Read the config twice
        2. Apply one change at a time
        """
    ) == [
        "Keep a console session open while changing the network",
        "Test bridge changes on a spare host",
    ]


def test_steps_taken_after_the_incident_are_action_items() -> None:
    assert titles(
        """\
        # Home server down

        ## Steps taken after the incident

        1. 24 July 2025 - Moved the database to an SSD
        2. 30 July 2025 - Set up uptime alerts by e-mail
        """
    ) == [
        "24 July 2025 - Moved the database to an SSD",
        "30 July 2025 - Set up uptime alerts by e-mail",
    ]


# --------------------------------------------------------------------------- French


def test_a_french_document() -> None:
    """French headings (Chronologie, Actions correctives), dates (4 mars 2024) and words
    for the impact and its end (indisponible, rétabli)."""
    record = read(
        """\
        # Panne de la messagerie

        ## Résumé

        Le 4 mars 2024, la messagerie était indisponible. Heures en CET.

        ## Chronologie

        - 10:02 les utilisateurs ne reçoivent plus de messages
        - 10:15 astreinte alertée
        - 10:48 redémarrage du serveur de files
        - 11:05 service rétabli
        - 11:30 compte rendu envoyé à la direction

        ## Actions correctives

        - Surveiller la taille de la file
        - Documenter la procédure de redémarrage
        """
    ).record
    assert record.entries[0].at == datetime(2024, 3, 4, 9, 2, tzinfo=UTC)
    assert duration(record) == 63
    assert len(record.action_items) == 2
    assert "summary" in record.fields and "indisponible" in str(record.fields["summary"])


def test_french_fields_and_times_written_with_h() -> None:
    """``Début : 14h05`` and ``Fin : 15h20`` are the start and end, ``Durée : 1 h 15`` is
    75 minutes, and "heure de Paris" is a zone."""
    result = read(
        """\
        # Incident du 12 juin 2024 : virements bloqués

        **Début de l'incident :** 14h05 (heure de Paris)
        **Fin de l'incident :** 15h20
        **Durée :** 1 h 15

        ## Chronologie

        | Heure | Événement |
        |---|---|
        | 14h05 | Les virements échouent |
        | 15h20 | Virements rétablis |
        """
    )
    assert result.record.fields["started_at"] == datetime(2024, 6, 12, 12, 5, tzinfo=UTC)
    assert duration(result.record) == 75
    assert result.evidence["duration"]["confidence"] == "stated"
    assert not warned(result.record, "says")


# --------------------------------------------------------------------------- evidence


def test_every_figure_has_evidence_and_a_confidence() -> None:
    result = read(
        """\
        # Queue stalled, 2024-05-02 (UTC)

        ## Timeline

        - 09:58 deploy started
        - 10:05 messages piling up
        - 10:45 queue drained, all clear
        - 10:50 status page updated
        """
    )
    start, end, length = (result.evidence[k] for k in ("start", "end", "duration"))
    assert (start["line"], start["confidence"]) == (6, "derived")
    assert start["text"] == "- 10:05 messages piling up"
    assert (end["line"], end["confidence"]) == (7, "derived")
    assert (length["minutes"], length["confidence"]) == (40, "derived")
    assert texts(result.record)[0] == "deploy started"


def test_a_guessed_figure_says_so() -> None:
    result = read(
        """\
        # Something, 2024-05-02 (UTC)

        ## Timeline

        - 09:58 deploy started
        - 10:05 on-call looked at graphs
        """
    )
    assert result.evidence["end"]["confidence"] == "guessed"
    assert result.evidence["duration"]["confidence"] == "guessed"


# --------------------------------------------------------------------------- robustness


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_any_bytes_are_decoded_or_refused_with_a_reason(data: bytes) -> None:
    try:
        text = decode_document(data)
    except ImportProblem as exc:
        assert str(exc)
        return
    read_foreign_markdown(text, strict=True)


_PIECES = st.sampled_from(
    [
        "# T\n",
        "TIMELINE\n",
        "## Action items\n",
        "```\n",
        "- ",
        "1. ",
        "**",
        "\t",
        "\n",
        "12:15 AM",
        "00:20",
        "T+0:26",
        "0233",
        "from 0411 to 0420",
        "WAT",
        "PST",
        "June 3",
        "4 mars 2024",
        "2024-02-30",
        "restored",
        "failing",
        "again",
        "None.",
        "| a | b |\n",
        "|---|---|\n",
        "P0",
        "Duration: 5 minutes",
        "INCIDENT START",
        "résolu",
        "\u00a0",
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES | st.text(max_size=8), max_size=40).map("".join))
def test_postmortem_shaped_fragments_never_crash(text: str) -> None:
    read_foreign_markdown(text, strict=True)


def _long_timeline(lines: int, shape: str) -> str:
    clock = [f"{n // 60 % 24:02d}:{n % 60:02d}" for n in range(lines)]
    if shape == "bullets":
        rows = [f"- 2024-03-01 {c} worker {n} failing" for n, c in enumerate(clock)]
        return "# Big outage (UTC)\n\n## Timeline\n\n" + "\n".join(rows) + "\n"
    rows = [f"{c}\tworker {n} failing" for n, c in enumerate(clock)]
    return "BIG OUTAGE\n\nAll times UTC, 2024-03-01.\n\nTIMELINE\n\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize("shape", ["bullets", "plain text"])
def test_cost_grows_linearly_with_the_timeline(shape: str) -> None:
    """Ten times the lines take about ten times as long (60,000 lines took 45 s when a set
    was rebuilt for every line, and a plain paragraph was joined one line at a time)."""
    small, large = _long_timeline(2_000, shape), _long_timeline(20_000, shape)
    read_foreign_markdown(small)
    # CPU time, not wall time: other processes on a busy machine do not count against us.
    # The collector is held off while measuring: its full passes grow with everything the
    # test process holds, not with this document. Linear is ~10x; quadratic would be ~100x.
    gc.collect()
    gc.disable()
    try:
        started = time.process_time()
        read_foreign_markdown(small)
        read_foreign_markdown(small)
        small_time = (time.process_time() - started) / 2
        started = time.process_time()
        result = read_foreign_markdown(large)
        large_time = time.process_time() - started
    finally:
        gc.enable()
    assert len(result.record.entries) == 20_000
    assert large_time < 25 * small_time, (small_time, large_time)


def _units(text: str, fast_run: int, monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, ...]]:
    monkeypatch.setattr(sections, "FAST_RUN", fast_run)
    doc = sections.parse_document(text)
    return [
        (
            u.kind,
            u.text,
            u.line,
            u.block_lines,
            u.block_index,
            u.item is None,
            u.item in doc.leaf_items if u.item is not None else None,
            u.item_first,
            u.depth,
            u.ordered,
            u.bold,
            u.starts_bold,
            u.checked,
        )
        for u in doc.units
    ]


_LINES = st.sampled_from(
    [
        "",
        "",
        "- 10:00 errors",
        "- plain item",
        "10:05\tstep",
        "plain words here",
        "# Heading",
        "## Timeline",
        "```",
        "~~~",
        "    indented",
        "1. first",
        "- [ ] box",
        "- **bold** item",
        "> quoted",
        "---",
        "===",
        "| a | b |",
        "|---|---|",
        "<!-- note",
        "-->",
        "text with *stars*",
        "- - nested",
        "  - indented item",
        "trailing spaces  ",
        "  continued",
        "\tTabbed",
        "1) first",
        "+ plus item",
        "* star item",
        "- ",
        "-",
        "  ",
        "#",
        "<div>",
        "</div>",
        "[ref]: http://example.com",
        "***",
        "   - three spaces",
        "- item with trailing\\",
        "- a | b",
    ]
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINES, max_size=30).map("\n".join))
def test_the_fast_path_for_long_plain_runs_reads_like_markdown_it(text: str) -> None:
    """Runs of plain lines read without markdown-it give the same units it would."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast = _units(text, 1, monkeypatch)
        slow = _units(text, 10**9, monkeypatch)
    assert fast == slow
