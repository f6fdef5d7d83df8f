"""An imported postmortem on its screen: the figures the importer read are marked, with how
sure it was and the line it read, until the responder corrects them in Details."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from exporters.ingest.importing import import_paths
from models.import_evidence import evidence_for
from models.store import Store
from tests.tui.support import build_app, make_store, screen_text

SIZES = [(80, 24), (120, 40)]

# Our own small postmortem: no entry says the impact began, so the start is a guess.
STUCK_INVOICES = """\
# Night of the stuck invoices

Date: 2026-03-02

## Timeline
- 14:05 Priya opened a ticket about invoices
- 14:20 Sam looked at the queue dashboards
- 14:55 invoices back to normal

## Action items
- Watch the invoice queue length
"""


def _imported(tmp_path: Path) -> tuple[Store, int]:
    store = make_store(tmp_path / "w.db")
    document = tmp_path / "stuck-invoices.md"
    document.write_text(STUCK_INVOICES, encoding="utf-8")
    (result,) = import_paths(store, [document])
    assert result.error is None, result.error
    (incident,) = store.list_incidents()
    assert incident.id is not None
    return store, incident.id


def _panel(app: Any) -> str:
    """The metrics panel's text on one line, however it wrapped."""
    inside = [line.split("▊", 1)[-1].rstrip(" ▎") for line in screen_text(app).splitlines()]
    return " ".join(" ".join(inside).split())


async def _settled(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_correcting_the_start_in_details_takes_the_mark_away(tmp_path: Path) -> None:
    store, incident_id = _imported(tmp_path)
    app = build_app(store, tmp_path, incident_id=incident_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settled(pilot)
        await pilot.press("f3")
        await _settled(pilot)
        shown = _panel(app)
        assert "imported, guessed: line 6" in shown
        assert "imported, derived: line 8" in shown
        assert "F4 Details corrects start and end" in shown
        await pilot.press("f4")
        await _settled(pilot)
        field = app.screen.query_one("#detail-started_at", Input)
        field.focus()
        await pilot.press("ctrl+a", "ctrl+k", *"2026-03-02 13:50", "enter")
        await _settled(pilot)
        await pilot.press("f3")
        await _settled(pilot)
        shown = _panel(app)
        assert "imported, guessed" not in shown  # the start and the duration built on it
        assert "imported, derived: line 8" in shown  # the end is still the importer's
    imported = evidence_for(store.engine, incident_id)
    assert imported["start"].corrected and not imported["end"].corrected


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_imported_marks_snapshot(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    store, incident_id = _imported(tmp_path)
    app = build_app(store, tmp_path, incident_id=incident_id)

    async def run_before(pilot: Pilot[Any]) -> None:
        await _settled(pilot)
        if size[0] < 100:  # no side panel: the Metrics tab
            await pilot.press("f3")
        await _settled(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_publishing_warns_of_a_guessed_figure_and_does_not_stop(tmp_path: Path) -> None:
    from tests.exporters.publish.helpers import docs_with_remote
    from tests.tui.test_publish_dialog import open_dialog, summary

    store, incident_id = _imported(tmp_path)
    docs, _ = docs_with_remote(tmp_path)
    app = build_app(store, tmp_path, incident_id=incident_id, docs_repo=str(docs))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dialog(pilot)
        shown = summary(pilot)
        assert "The imported start and duration are a guess nobody has checked" in shown
        assert "Press ctrl+s to commit and push to origin." in shown
    store.update_incident(
        incident_id, {"started_at": store.snapshot(incident_id).incident.started_at}
    )
    app = build_app(store, tmp_path, incident_id=incident_id, docs_repo=str(docs))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dialog(pilot)
        assert "guess" not in summary(pilot)


def test_the_line_quoted_is_shown_literally_and_cut_to_fit() -> None:
    from models.import_evidence import ImportedFigure
    from tui.widgets.metrics_panel import QUOTE_WIDTH, imported_mark

    text = "- 14:05 [bold red]alarm[/] \x1b[31m" + "x" * 80
    mark = imported_mark(ImportedFigure("start", "guessed", "the earliest entry", 6, text))
    assert "[bold red]alarm[/]" in mark.plain and "\x1b" not in mark.plain
    quoted = mark.plain.split("“", 1)[1].rstrip("”")
    assert len(quoted) == QUOTE_WIDTH and quoted.endswith("…")  # cells, after escaping
    assert any(span.style == "bold yellow" for span in mark.spans)
