"""Pilot tests of the timeline on the Log tab: the filter bar, following new entries, keys.

Real SQLite files in tmp_path and the fixed clock of tests/tui/support.py.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from textual.events import MouseScrollUp
from textual.pilot import Pilot
from textual.widgets import Static

from models.store import Store
from models.tables import Incident
from tests.tui.support import FIXED, build_app, make_store, screen_text
from tui.app import WorkbookApp
from tui.widgets.timeline import Timeline
from tui.widgets.timeline_filter import TimelineFilter

MANY = 200  # far more than the 80×24 terminal shows, so the timeline scrolls


def _many_entries(store: Store, count: int = MANY) -> Incident:
    """An incident in UTC with ``count`` untagged entries a minute apart, oldest first."""
    incident = store.create_incident("Long night", timezone="UTC", severity="SEV-3")
    assert incident.id is not None
    for n in range(count):
        at = FIXED - timedelta(minutes=count + 1 - n)
        store.log_entry(incident.id, f"step {n:03d} of the long night", at=at)
    return incident


def _timeline(app: WorkbookApp) -> Timeline:
    return app.screen.query_one("#timeline", Timeline)


def _bar(app: WorkbookApp) -> TimelineFilter:
    return app.screen.query_one(TimelineFilter)


def _count(app: WorkbookApp) -> str:
    return str(app.screen.query_one("#timeline-filter-count", Static).render())


def _focused_id(app: WorkbookApp) -> str | None:
    return app.focused.id if app.focused is not None else None


def _rows_on_screen(app: WorkbookApp) -> list[str]:
    """The timeline's entry rows as the terminal shows them (the header line left out)."""
    timeline = _timeline(app)
    lines = screen_text(app).splitlines()
    top = timeline.region.y  # the header row; entries start on the next one
    return [line.rstrip() for line in lines[top + 1 : top + timeline.region.height]]


def _steps_on_screen(app: WorkbookApp) -> list[str]:
    """Which of the numbered entries the timeline shows, top to bottom."""
    return [found for row in _rows_on_screen(app) for found in re.findall(r"step \d{3}", row)]


def _shown(app: WorkbookApp, text: str) -> bool:
    return any(text in line for line in _rows_on_screen(app))


async def _settle(pilot: Pilot[None], app: WorkbookApp) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def _poll(pilot: Pilot[None], app: WorkbookApp) -> None:
    app.poll_database()  # what the half-second timer does
    await _settle(pilot, app)


# -- the filter bar ------------------------------------------------------------------------


async def test_ctrl_f_filters_counts_and_escape_brings_everything_back(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert _focused_id(app) == "quick-entry"
        assert not _bar(app).is_open
        await pilot.press("ctrl+f")
        assert _bar(app).is_open
        assert _focused_id(app) == "timeline-filter"
        assert _count(app) == "6 entries"

        await pilot.press(*"page")
        timeline = _timeline(app)
        assert timeline.row_count == 3
        assert timeline.total_count == 6
        assert _count(app) == "3 of 6"
        assert _shown(app, "Pager fires for checkout 5xx")
        assert _shown(app, "Paged the database on-call")
        assert _shown(app, "alice acknowledges the page")
        assert not _shown(app, "Primary DB disk full")

        await pilot.press(*" nothing-like-this")
        assert timeline.row_count == 0
        assert _count(app) == "none of 6 match"
        await pilot.pause()
        assert "No entry matches the filter" in screen_text(app)
        assert "No entries yet" not in screen_text(app)

        await pilot.press("escape")
        await pilot.pause()
        assert not _bar(app).is_open
        assert _bar(app).input.value == ""
        assert timeline.filter_query == ""
        assert timeline.row_count == 6
        for text in ("Error rate on checkout", "Suspected the CDN", "Primary DB disk full"):
            assert _shown(app, text)
        # Opened from the quick-entry bar, so typing goes on there (not into entry keys).
        assert _focused_id(app) == "quick-entry"


async def test_escape_after_typing_resumes_logging_not_entry_keys(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    assert incident.id is not None
    before = [(e.id, e.tags) for e in store.entries(incident.id)]
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"disk", "ctrl+f", *"cdn", "escape")
        await pilot.press(*" fixed", "enter")  # " f" would toggle false-lead in the timeline
        await _settle(pilot, app)
        texts = [e.text for e in store.entries(incident.id)]
        assert "disk fixed" in texts
        assert [(e.id, e.tags) for e in store.entries(incident.id)][:6] == before


async def test_slash_in_timeline_opens_filter_and_fl_alias_keeps_false_leads(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    assert incident.id is not None
    lead = store.log_entry(incident.id, "Blamed the load balancer", tags=["false-lead"])
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("up")  # from quick entry to the timeline
        assert _focused_id(app) == "timeline"
        await pilot.press("slash")
        assert _bar(app).is_open
        assert _focused_id(app) == "timeline-filter"

        await pilot.press(*"#fl")
        timeline = _timeline(app)
        assert timeline.row_count == 2
        assert _count(app) == "2 of 7"
        rows = [line for line in _rows_on_screen(app) if line.strip()]
        assert len(rows) == 2
        assert all("false-lead" in row for row in rows)
        assert _shown(app, "Suspected the CDN")
        assert _shown(app, "Blamed the load balancer")

        await pilot.press("enter")
        assert _focused_id(app) == "timeline"
        assert _bar(app).is_open  # Enter keeps the filter
        assert timeline.row_count == 2
        assert timeline.selected_entry_id() == lead.id

        await pilot.press("ctrl+f")
        assert _focused_id(app) == "timeline-filter"
        await pilot.press("down")
        assert _focused_id(app) == "timeline"
        assert timeline.filter_query == "#fl"

        await pilot.press("slash", "escape")  # opened from the timeline: back to it
        assert not _bar(app).is_open
        assert timeline.row_count == 7
        assert _focused_id(app) == "timeline"


async def test_logging_an_entry_the_filter_hides_says_so(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    assert incident.id is not None
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("ctrl+f", *"#fl", "enter", "i")  # filter kept, back to quick entry
        assert _focused_id(app) == "quick-entry"
        timeline = _timeline(app)

        await pilot.press(*"-3m checked the dns #fl", "enter")
        await _settle(pilot, app)
        assert timeline.row_count == 2
        assert _count(app) == "2 of 7"
        assert _shown(app, "checked the dns")
        assert "Logged, but the timeline filter" not in screen_text(app)

        await pilot.press(*"-2m restarted the pool", "enter")
        await _settle(pilot, app)
        assert "Logged, but the timeline filter" in screen_text(app)
        assert timeline.row_count == 2
        assert timeline.total_count == 8
        assert _count(app) == "2 of 8"
        assert not _shown(app, "restarted the pool")

        other = make_store(tmp_path / "w.db", author="bob")
        other.log_entry(incident.id, "bob: it was not the cdn", tags=["false-lead"])
        await _poll(pilot, app)
        assert _count(app) == "3 of 9"
        assert _shown(app, "bob: it was not the cdn")
    texts = [e.text for e in make_store(tmp_path / "w.db").entries(incident.id)]
    assert "restarted the pool" in texts


# -- following the end ---------------------------------------------------------------------


async def test_long_timeline_opens_at_the_end_and_shows_what_is_logged(tmp_path: Path) -> None:
    store = make_store(tmp_path / "w.db")
    incident = _many_entries(store)
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        timeline = _timeline(app)
        assert timeline.max_scroll_y > 0
        assert timeline.cursor_row == MANY - 1
        assert timeline.scroll_y == timeline.max_scroll_y
        assert timeline.following()
        assert _shown(app, f"step {MANY - 1:03d} of the long night")

        await pilot.press(*"now it is logged", "enter")
        await pilot.pause()
        assert timeline.row_count == MANY + 1
        assert timeline.cursor_row == MANY
        assert timeline.scroll_y == timeline.max_scroll_y
        assert _shown(app, "now it is logged")


async def test_scrolled_up_stays_put_when_another_responder_logs(tmp_path: Path) -> None:
    store = make_store(tmp_path / "w.db")
    incident = _many_entries(store)
    assert incident.id is not None
    other = make_store(tmp_path / "w.db", author="bob")
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("up", "pageup", "pageup")
        timeline = _timeline(app)
        assert not timeline.following()
        scroll, cursor = timeline.scroll_y, timeline.cursor_row
        selected = timeline.selected_entry_id()
        on_screen = _steps_on_screen(app)
        assert len(on_screen) == timeline.region.height - 1

        other.log_entry(incident.id, "bob: replica promoted", at=FIXED)
        await _poll(pilot, app)
        assert timeline.row_count == MANY + 1
        assert (timeline.scroll_y, timeline.cursor_row) == (scroll, cursor)
        assert timeline.selected_entry_id() == selected
        assert _steps_on_screen(app) == on_screen

        await pilot.press("home")
        other.log_entry(incident.id, "bob: traffic back", at=FIXED)
        await _poll(pilot, app)
        assert (timeline.scroll_y, timeline.cursor_row) == (0, 0)
        assert _shown(app, "step 000 of the long night")

        await pilot.press("end")
        assert timeline.following()
        other.log_entry(incident.id, "bob: all clear", at=FIXED + timedelta(minutes=1))
        await _poll(pilot, app)
        assert timeline.row_count == MANY + 3
        assert timeline.cursor_row == MANY + 2
        assert timeline.scroll_y == timeline.max_scroll_y
        assert _shown(app, "bob: all clear")


async def test_wheel_scrolled_view_stays_put_when_another_responder_logs(
    tmp_path: Path,
) -> None:
    store = make_store(tmp_path / "w.db")
    incident = _many_entries(store)
    assert incident.id is not None
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot, app)  # the timeline has loaded (and opened at its end)
        timeline = _timeline(app)
        for _ in range(10):  # the mouse wheel scrolls the view; the cursor stays put
            timeline.post_message(
                MouseScrollUp(timeline, 5, 5, 0, -1, 0, shift=False, meta=False, ctrl=False)
            )
        await pilot.pause()
        assert timeline.scroll_y < timeline.max_scroll_y - 1
        assert not timeline.following()
        scroll = timeline.scroll_y
        on_screen = _steps_on_screen(app)
        assert len(on_screen) == timeline.region.height - 1

        other = make_store(tmp_path / "w.db", author="bob")
        other.log_entry(incident.id, "bob: replica promoted", at=FIXED)
        await _poll(pilot, app)
        assert timeline.row_count == MANY + 1
        assert timeline.scroll_y == scroll
        assert _steps_on_screen(app) == on_screen


# -- keys on the highlighted entry --------------------------------------------------------


async def test_entry_keys_act_on_the_row_selected_after_scrolling(tmp_path: Path) -> None:
    store = make_store(tmp_path / "w.db")
    incident = _many_entries(store)
    assert incident.id is not None
    third = store.entries(incident.id)[2]
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("up", "pageup", "home", "down", "down")
        timeline = _timeline(app)
        assert timeline.cursor_row == 2
        assert timeline.selected_entry_id() == third.id
        await pilot.press("f")
        await pilot.pause()
        tagged = {e.id: e.tags for e in store.entries(incident.id) if e.tags}
        assert tagged == {third.id: ["false-lead"]}
        assert timeline.cursor_row == 2
        assert timeline.scroll_y == 0
        assert "false-lead" in _rows_on_screen(app)[2]

        # Through a filter: the keys act on the row shown, not the row at that index overall.
        await pilot.press("slash", *"15", "enter", "home", "down", "x")
        await pilot.pause()
        tagged = {e.id: e.tags for e in store.entries(incident.id) if e.tags}
        assert _timeline(app).row_count == 12  # step 015, 115 and 150 to 159
        second = next(e for e in store.entries(incident.id) if e.text.startswith("step 115"))
        assert tagged == {third.id: ["false-lead"], second.id: ["escalation"]}


# -- user text is data ---------------------------------------------------------------------


async def test_markup_and_control_characters_show_literally_in_rows(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    assert incident.id is not None
    eve = make_store(tmp_path / "w.db", author="[i]eve[/i]")
    eve.log_entry(incident.id, "[bold]x[/bold] then \x1b[31mred", at=FIXED - timedelta(minutes=5))
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        rows = _rows_on_screen(app)
        assert any("[bold]x[/bold] then \\e[31mred" in row for row in rows)  # ESC shown as \e
        assert "\x1b" not in app.export_screenshot()
        assert any("[i]eve[/i]" in row for row in rows)

        await pilot.press("ctrl+f", *"[bold]")
        assert _timeline(app).row_count == 1
        assert "[bold]x[/bold]" in _rows_on_screen(app)[0]
