"""The postmortem Markdown as a reviewer sees it: sections, figures, escaping, stable bytes."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from exporters.render.escaping import escape_inline
from exporters.render.markdown import render_markdown
from models.tables import ActionItem, Incident, TimelineEntry

NOW = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)
T0 = datetime(2024, 5, 14, 0, 0, tzinfo=UTC)  # 02:00 in Berlin (CEST)

PARSER = MarkdownIt("commonmark").enable("table").enable("strikethrough").use(front_matter_plugin)

SECTION_HEADINGS = [
    "Summary",
    "Impact",
    "Key times",
    "Timeline",
    "Root cause",
    "Trigger",
    "Resolution",
    "Detection",
    "Action items",
    "Lessons learned",
    "What went well",
    "What went wrong",
    "Where we got lucky",
    "Supporting information",
]


def make_incident(**changes: object) -> Incident:
    values: dict[str, object] = {
        "id": 1,
        "slug": "2024-05-14-checkout-down",
        "title": "Checkout returns 500s",
        "severity": "SEV-2",
        "status": "resolved",
        "timezone": "Europe/Berlin",
        "services": ["checkout", "payments-db"],
        "commander": "Ada",
        "summary": "Checkout failed for **12%** of users for two hours.\n",
        "impact_narrative": "Card payments failed; PayPal kept working.",
        "root_cause": "The payments DB connection pool was too small for the new batch job.",
        "trigger": "Nightly batch job started at 02:00.",
        "resolution": "Pool size raised from 20 to 80.",
        "detection": "Error-rate alert, 15 minutes late.",
        "went_well": "- Fast escalation\n- Clear comms",
        "went_wrong": "- We chased the CDN first",
        "got_lucky": "Low traffic at night.",
        "supporting_info": "Dashboards: https://grafana.example.com/d/checkout",
        "users_affected_pct": 12.5,
        "users_affected": 4200,
        "transactions_lost": 1800,
        "revenue_lost": 52000.0,
        "currency": "EUR",
        "data_loss": False,
        "slo_target_pct": 99.9,
        "slo_window_days": 30,
    }
    values.update(changes)
    return Incident(**values)  # type: ignore[arg-type]


def entry(
    entry_id: int, minutes: float, text: str, tags: list[str], author: str = "ada"
) -> TimelineEntry:
    return TimelineEntry(
        id=entry_id,
        incident_id=1,
        at=T0 + timedelta(minutes=minutes),
        text=text,
        tags=tags,
        author=author,
    )


def make_entries() -> list[TimelineEntry]:
    return [
        entry(1, 0, "Checkout error rate at 30%", ["impact-start"]),
        entry(2, 15, "Error-rate alert pages on-call", ["detected"], "pagerduty"),
        entry(3, 20, "Ada acknowledges", ["responded"]),
        entry(4, 30, "Suspect the CDN config push", ["false-lead"]),
        entry(5, 55, "CDN ruled out; paging the DB team", ["escalation"]),
        entry(6, 70, "Pool saturation on payments-db", ["cause-identified"], "bob"),
        entry(7, 100, "Pool size raised to 80", ["mitigated", "db-failover"], "bob"),
        entry(8, 135, "Error rate back to normal", ["resolved"]),
    ]


def make_actions() -> list[ActionItem]:
    return [
        ActionItem(
            id=2,
            incident_id=1,
            number=2,
            title="Load-test the batch job",
            owner=None,
            priority="medium",
            type="prevent",
        ),
        ActionItem(
            id=1,
            incident_id=1,
            number=1,
            title="Alert on pool saturation",
            owner="bob",
            priority="high",
            type="detect",
            status="in-progress",
            due=date(2024, 6, 1),
            link="https://github.com/acme/shop/issues/12",
            source_entry_id=6,
        ),
    ]


def render(
    incident: Incident | None = None,
    entries: list[TimelineEntry] | None = None,
    actions: list[ActionItem] | None = None,
) -> str:
    return render_markdown(
        incident or make_incident(),
        make_entries() if entries is None else entries,
        make_actions() if actions is None else actions,
        now=NOW,
    )


def headings(text: str) -> list[str]:
    """The text of every heading, as rendered."""
    tokens = PARSER.parse(text)
    return [
        "".join(child.content for child in tokens[i + 1].children or [])
        for i, token in enumerate(tokens)
        if token.type == "heading_open"
    ]


def section(text: str, title: str) -> str:
    """The lines of a ``## title`` section, up to the next heading of level 2."""
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def timeline_rows(text: str) -> list[list[Token]]:
    """The inline token of each cell of the timeline table, row by row (header first)."""
    tokens = PARSER.parse(text)
    start = next(i for i, t in enumerate(tokens) if t.type == "table_open")
    rows: list[list[Token]] = []
    for token in tokens[start:]:
        if token.type == "table_close":
            break
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline":
            rows[-1].append(token)
    return rows


def cell_text(token: Token) -> str:
    """What a cell shows: its text, a <br> as a newline. Fails on any other markup."""
    parts = []
    for child in token.children or []:
        if child.type == "text":
            parts.append(child.content)
        elif child.type == "html_inline" and child.content == "<br>":
            parts.append("\n")
        else:
            raise AssertionError(f"markup {child.type} {child.content!r} in {token.content!r}")
    return "".join(parts)


# The document -------------------------------------------------------------------------


def test_sections_come_in_the_template_order() -> None:
    text = render()
    assert headings(text) == ["Checkout returns 500s", *SECTION_HEADINGS]
    assert text.startswith('---\nworkbook_format: 1\nslug: "2024-05-14-checkout-down"\n')
    assert "\n**Severity:** SEV-2 · **Status:** resolved · **Duration:** 2h 15m" in text
    assert "**Services:** checkout, payments-db · **Commander:** Ada\n" in text


def test_front_matter_holds_every_stored_field_as_json() -> None:
    incident = make_incident(started_at=T0, resolved_at=None, data_loss_note='say "hi"')
    text = render(incident)
    front = text.split("---\n")[1]
    assert 'title: "Checkout returns 500s"' in front
    assert 'services: ["checkout", "payments-db"]' in front
    assert 'started_at: "2024-05-14T00:00:00Z"' in front
    assert "resolved_at: null" in front
    assert 'data_loss_note: "say \\"hi\\""' in front
    assert "users_affected_pct: 12.5" in front
    assert "slo_window_days: 30" in front


def test_impact_shows_the_computed_figures() -> None:
    impact = section(render(), "Impact")
    assert "- **Duration:** 2h 15m (2024-05-14 02:00 CEST to 04:15)" in impact
    assert "- **Users affected:** 12.5% (4,200 users)" in impact
    assert "- **Transactions lost:** 1,800" in impact
    assert "- **Revenue lost:** 52,000.00 EUR" in impact
    assert "- **Data loss:** none" in impact
    assert "- **SLO:** 99.9% over 30 days" in impact
    # 135 min × 12.5% ÷ (30 days × 1440 × 0.1%) = 39.06%
    assert "- **Error budget consumed:** 39.1%" in impact
    assert "- **User-minutes:** 567,000" in impact
    assert "Card payments failed; PayPal kept working." in impact


def test_each_figure_names_the_entry_it_came_from() -> None:
    key_times = section(render(), "Key times")
    assert "- **Impact started:** 2024-05-14 02:00 CEST (entry 1)" in key_times
    assert (
        "- **Time to detect:** 15m, from 02:00 impact start (entry 1) to 02:15 detected (entry 2)"
        in key_times
    )
    assert "- **Time to respond:** 20m, from 02:00 impact start (entry 1) to 02:20 responded" in (
        key_times
    )
    assert "to 02:55 escalated (entry 5)" in key_times
    assert "- **Cause identified:** 1h 10m, from" in key_times
    assert "- **Time to mitigate:** 1h 40m, from 02:00 impact start (entry 1) to 03:40" in (
        key_times
    )
    assert "- **Time to resolve:** 2h 15m, from" in key_times
    assert "to 04:15 resolved (entry 8)" in key_times
    assert "- **False leads:** 1, 25m lost (entry 4)" in key_times
    assert "- **Escalations:** 1 (entry 5)" in key_times


def test_entry_numbers_follow_the_time_order_not_the_ids() -> None:
    entries = [
        entry(10, 15, "detected later id", ["detected"]),
        entry(3, 0, "start", ["impact-start"]),
    ]
    text = render(entries=entries, actions=[])
    assert "| 1 | 2024-05-14 02:00 +02:00 | start | `impact-start` | ada |" in text
    assert "to 02:15 detected (entry 2)" in text


def test_missing_milestones_say_what_to_tag_and_warnings_become_review_notes() -> None:
    entries = [entry(1, 0, "Something is off", [])]
    text = render(make_incident(status="investigating"), entries=entries, actions=[])
    key_times = section(text, "Key times")
    assert "(entry 1, the earliest; none is tagged `impact-start`)" in key_times
    assert "- **Time to detect:** — (no entry tagged `detected`)" in key_times
    assert "- **Time to resolve:** — (not resolved yet)" in key_times
    # Ongoing: the duration runs to the given `now`.
    assert "- **Duration:** 1d 12h so far (ongoing at 2024-05-15 14:00 CEST)" in text
    notes = section(text, "Review notes")
    assert "- No entry is tagged \\#detected" in notes
    assert "\\#impact-start" in notes


def test_times_show_seconds_only_when_not_zero_and_the_date_when_it_changes() -> None:
    entries = [
        entry(1, 0, "start", ["impact-start"]),
        entry(2, 0.5, "half a minute", []),
        entry(3, 22 * 60 + 5.25, "next day", ["resolved"]),
    ]
    entries[2].at = entries[2].at + timedelta(microseconds=7)
    text = render(entries=entries, actions=[])
    assert "| 1 | 2024-05-14 02:00 +02:00 | start |" in text
    assert "| 2 | 2024-05-14 02:00:30 +02:00 | half a minute |" in text
    assert "| 3 | 2024-05-15 00:05:15.000007 +02:00 | next day |" in text
    assert "to 2024-05-15 00:05:15.000007 resolved (entry 3)" in text


def test_timeline_uses_the_incident_zone_with_the_offset_on_each_row() -> None:
    winter = datetime(2024, 1, 10, 23, 30, tzinfo=UTC)
    entries = [
        TimelineEntry(id=1, incident_id=1, at=winter, text="a", tags=[]),
        TimelineEntry(id=2, incident_id=1, at=winter + timedelta(hours=1), text="b", tags=[]),
    ]
    text = render(make_incident(timezone="America/New_York"), entries=entries, actions=[])
    assert "| # | Time (America/New\\_York) | Event | Tags | Author |" in text
    assert "| 1 | 2024-01-10 18:30 -05:00 | a |  |  |" in text
    assert "| 2 | 2024-01-10 19:30 -05:00 | b |  |  |" in text


def test_deleted_entries_are_left_out() -> None:
    entries = make_entries()
    entries[3].deleted_at = NOW
    text = render(entries=entries)
    assert "Suspect the CDN" not in text
    assert "- **False leads:** 0" in text


def test_action_items_table() -> None:
    text = render()
    rows = [line for line in section(text, "Action items").splitlines() if line.startswith("|")]
    assert rows == [
        "| Ref | Action | Owner | Priority | Type | Status | Due | Link | From |",
        "|---|---|---|---|---|---|---|---|---|",
        "| AI-1 | Alert on pool saturation | bob | high | detect | in-progress | 2024-06-01 | "
        "<https://github.com/acme/shop/issues/12> | entry 6 (2024-05-14 03:10) |",
        "| AI-2 | Load-test the batch job | — | medium | prevent | open | — | — | — |",
    ]


def test_empty_parts_get_placeholders() -> None:
    incident = make_incident(root_cause="", summary="")
    text = render(incident, entries=[], actions=[])
    assert "_No entries yet._" in section(text, "Timeline")
    assert "_No action items yet._" in section(text, "Action items")
    assert "_Not written yet._" in section(text, "Root cause")
    assert "- **Time to detect:** — (no entry tagged `detected`)" in text


# Narratives ---------------------------------------------------------------------------


def test_narratives_are_markdown_as_written() -> None:
    summary = "We **lost** checkout.\n\n## A heading of their own\n\n- a list\n"
    text = render(make_incident(summary=summary))
    assert "<!-- workbook:begin summary -->\n" + summary + "\n<!-- workbook:end summary -->" in text
    assert "A heading of their own" in headings(text)


def test_a_narrative_with_trailing_spaces_or_crs_is_encoded_visibly() -> None:
    text = render(make_incident(root_cause="line one  \r\nline two\t"))
    assert (
        "<!-- workbook:begin root_cause escaped -->\nline one  &#13;\nline two&#9;\n"
        "<!-- workbook:end root_cause -->"
    ) in text


# Escaping -----------------------------------------------------------------------------

FORGERIES = [
    "# FORGED heading",
    "## Timeline FORGED",
    "- FORGED list item",
    "* FORGED\n1. FORGED ordered\n> FORGED quote",
    "| FORGED | cell |",
    "FORGED | extra | cells",
    "<script>alert('FORGED')</script>",
    "<b>FORGED</b> <!-- FORGED -->",
    "[bold] [FORGED](https://evil.example) ![FORGED](x.png)",
    "**FORGED** _FORGED_ ~~FORGED~~ `FORGED` $FORGED$",
    "FORGED\n\n---\n\n# heading after a break",
    "FORGED <br> literal and &amp; &#35; entities \\| backslashes\\",
    "  FORGED with spaces and\ttabs  ",
    "FORGED\n| 9 | 2024-01-01 00:00 +00:00 | row | | |",
]


def test_entry_text_cannot_forge_markup() -> None:
    entries = [entry(n, n, text, ["note"]) for n, text in enumerate(FORGERIES, start=1)]
    text = render(make_incident(title="# FORGED *title* |"), entries=entries, actions=[])
    assert headings(text) == ["# FORGED *title* |", *SECTION_HEADINGS, "Review notes"]
    rows = timeline_rows(text)
    assert len(rows) == 1 + len(FORGERIES)
    for row, original in zip(rows[1:], FORGERIES, strict=True):
        assert len(row) == 5
        assert cell_text(row[2]) == original
        assert [c.type for c in row[3].children or []] == ["code_inline"]
    tokens = PARSER.parse(text)
    for index, token in enumerate(tokens):
        if token.type == "inline" and "FORGED" in token.content:
            assert tokens[index - 1].type in ("td_open", "heading_open"), token.content
        if token.type in ("html_block", "code_block", "fence", "hr"):
            assert "FORGED" not in token.content
    html = PARSER.render(text)
    assert "<script" not in html
    assert "<a " not in html
    assert "<img" not in html
    for tag in ("em", "strong", "del", "code", "li", "blockquote", "h1", "h2", "th"):
        assert f"<{tag}>FORGED" not in html


def test_authors_titles_and_owners_are_escaped_too() -> None:
    entries = [entry(1, 0, "x", [], author="[mallory](http://x) | #1")]
    actions = [
        ActionItem(
            id=1,
            incident_id=1,
            number=1,
            title="*Fix* | it",
            owner="<b>eve</b>",
            link="javascript:alert(1)",
            source_entry_id=1,
        )
    ]
    text = render(entries=entries, actions=actions)
    assert "| \\[mallory\\](http://x) \\| \\#1 |" in text
    assert "| AI-1 | \\*Fix\\* \\| it | \\<b>eve\\</b> | medium |" in text
    assert "| javascript:alert(1) |" in text
    assert "<a " not in PARSER.render(text)


_SHOWN = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")) | st.sampled_from(
    list("\n\t|#*_`<>[]\\&!-+=.1 ")
)


@given(st.text(_SHOWN, min_size=1))
def test_a_cell_shows_exactly_the_entry_text(original: str) -> None:
    row = f"| {escape_inline(original)} |"
    rows = timeline_rows(f"| h |\n|---|\n{row}\n")
    assert len(rows) == 2
    assert len(rows[1]) == 1
    assert cell_text(rows[1][0]) == original


# Bytes --------------------------------------------------------------------------------


def test_output_is_deterministic_whatever_the_input_order() -> None:
    first = render()
    entries = make_entries()
    random.Random(4).shuffle(entries)
    assert render(entries=entries) == first
    assert render() == first


def test_lf_endings_one_final_newline_no_trailing_space() -> None:
    incident = make_incident(root_cause="trailing  \r\n\ttab", summary="")
    entries = [*make_entries(), entry(9, 140, " padded\r\ntext ", [], author=" ")]
    text = render(incident, entries=entries)
    assert "\r" not in text
    assert text.endswith("\n")
    assert not text.endswith("\n\n")
    for line in text.split("\n"):
        assert line == line.rstrip(), repr(line)


def test_tables_are_not_padded_and_one_edit_changes_one_line() -> None:
    before = render()
    for line in before.splitlines():
        if line.startswith("|"):
            assert re.fullmatch(r"\|( (\S+( \S+)*)? \|)+|\|(---\|)+", line), line
    entries = make_entries()
    entries[4].text = "CDN ruled out; paging the database team on call"
    after = render(entries=entries)
    changed = [
        (old, new)
        for old, new in zip(before.splitlines(), after.splitlines(), strict=True)
        if old != new
    ]
    assert changed == [
        (
            "| 5 | 2024-05-14 02:55 +02:00 | CDN ruled out; paging the DB team "
            "| `escalation` | ada |",
            "| 5 | 2024-05-14 02:55 +02:00 | CDN ruled out; paging the database team on call "
            "| `escalation` | ada |",
        )
    ]
