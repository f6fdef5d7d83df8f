"""The phases diagram in the export: what it shows, that it stays out of the record, and
that one new entry moves a line or two of the review diff, not the whole file."""

from __future__ import annotations

import difflib
import re
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from exporters.render.markdown import render_markdown
from exporters.render.workbook_format import read_workbook_markdown
from models.tables import Incident, TimelineEntry
from tests.exporters.render.test_markdown_export import (
    NOW,
    T0,
    entry,
    make_actions,
    make_entries,
    make_incident,
)

PHASE_TAGS = ("impact-start", "detected", "mitigated", "resolved", "false-lead", "escalation")


def _export(incident: Incident, entries: list[TimelineEntry]) -> str:
    return render_markdown(incident, entries, make_actions(), now=NOW)


def _diagram(markdown: str) -> list[str]:
    lines = markdown.split("\n")
    start = lines.index("```mermaid")
    end = lines.index("```", start)
    return lines[start : end + 1]


def _changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.split("\n"), after.split("\n"), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_the_diagram_shows_the_phases_with_times_offsets_and_marks() -> None:
    lines = _diagram(_export(make_incident(), make_entries()))
    assert lines[1] == "flowchart LR"
    body = "\n".join(lines)
    # Berlin time: the impact started 02:00 local.
    assert '    started(["Impact start<br>02:00"])' in lines
    assert '    detected["Detected<br>02:15 · +15m"]' in lines
    assert '    mitigated["Mitigated<br>03:40 · +1h 40m"]' in lines
    assert '    resolved(["Resolved<br>04:15 · +2h 15m"])' in lines
    assert "    started --> detected" in lines
    assert "    mitigated --> resolved" in lines
    # The false lead (02:30) and the escalation (02:55) hang off the phase they fell in.
    assert '    fl1{{"False lead<br>02:30"}}:::falseLead' in lines
    assert "    detected -.- fl1" in lines
    assert '    esc1>"Escalation<br>02:55"]:::escalation' in lines
    assert "    detected -.- esc1" in lines
    assert "classDef falseLead" in body


def test_untagged_phases_are_drawn_as_missing_and_an_ongoing_end_as_not_yet() -> None:
    entries = make_entries()[:3]
    lines = _diagram(_export(make_incident(status="investigating"), entries))
    assert '    mitigated["Mitigated<br>not tagged"]:::missing' in lines
    assert '    resolved(["Resolved<br>not yet"]):::missing' in lines


def test_no_start_no_diagram() -> None:
    assert "```mermaid" not in _export(make_incident(), [])


def test_a_milestone_before_the_start_shows_a_negative_offset() -> None:
    entries = [*make_entries(), entry(9, -10, "paged before the start", ["detected"])]
    lines = _diagram(_export(make_incident(), entries))
    assert '    detected["Detected<br>01:50 · -10m"]' in lines


def test_the_diagram_is_never_read_back_as_data() -> None:
    """A reviewer who edits the diagram changes nothing: it is regenerated on export."""
    original = _export(make_incident(), make_entries())
    tampered = original.replace("Mitigated<br>03:40", "Mitigated<br>09:99").replace(
        "    started --> detected", "    started --> detected\n    x[Injected] --> y"
    )
    assert tampered != original
    first = read_workbook_markdown(original)
    second = read_workbook_markdown(tampered)
    assert first.fields == second.fields
    assert first.entries == second.entries
    assert first.action_items == second.action_items


def test_a_new_plain_entry_changes_one_line() -> None:
    entries = make_entries()
    before = _export(make_incident(), entries)
    after = _export(make_incident(), [*entries, entry(9, 140, "Status page updated", ["comms"])])
    assert _changed_lines(before, after) == [
        "+| 9 | 2024-05-14 04:20 +02:00 | Status page updated | `comms` | ada |"
    ]


def test_tagging_the_mitigation_changes_one_line_of_the_diagram() -> None:
    ongoing = make_incident(status="investigating")
    entries = [e for e in make_entries() if "mitigated" not in e.tags and "resolved" not in e.tags]
    before = _diagram(_export(ongoing, entries))
    after = _diagram(_export(ongoing, [*entries, entry(9, 100, "Pool raised", ["mitigated"])]))
    assert _changed_lines("\n".join(before), "\n".join(after)) == [
        '-    mitigated["Mitigated<br>not tagged"]:::missing',
        '+    mitigated["Mitigated<br>03:40 · +1h 40m"]',
    ]


def test_a_new_false_lead_adds_two_lines_to_the_diagram() -> None:
    entries = make_entries()
    before = _diagram(_export(make_incident(), entries))
    lead = entry(9, 80, "Blamed DNS", ["false-lead"])
    after = _diagram(_export(make_incident(), [*entries, lead]))
    changed = _changed_lines("\n".join(before), "\n".join(after))
    assert changed == ['+    fl2{{"False lead<br>03:20"}}:::falseLead', "+    detected -.- fl2"]


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=-600, max_value=6000),
            st.text(max_size=40),
            st.lists(
                st.sampled_from(PHASE_TAGS),
                max_size=3,
                unique=True,
            ),
        ),
        max_size=12,
    )
)
def test_labels_never_carry_typed_text(rows: list[tuple[int, str, list[str]]]) -> None:
    """Only computed times and figures go into the diagram, so nothing there needs escaping."""
    entries = [
        TimelineEntry(
            id=n, incident_id=1, at=T0 + timedelta(minutes=m), text=text, tags=tags, author="x"
        )
        for n, (m, text, tags) in enumerate(rows, start=1)
    ]
    markdown = _export(make_incident(), entries)
    if "```mermaid" not in markdown:
        assert not entries
        return
    for line in _diagram(markdown)[1:-1]:
        labels = re.findall(r'"([^"]*)"', line)
        for label in labels:
            assert re.fullmatch(r"[A-Za-z ]+<br>[0-9: ·+\-A-Za-z]+", label), label
