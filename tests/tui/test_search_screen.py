"""The search screen: opened from the incident list, searching in a worker as you type,
Enter opening the incident at the entry that matched, and the pictures at 80×24 and 120×40."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from models.store import Store
from tests.tui.support import build_app, make_store, sample_incident, screen_text
from tui.screens.incident import IncidentScreen
from tui.screens.incident_list import IncidentListScreen
from tui.screens.search import SearchScreen


def world(tmp_path: Path) -> tuple[Store, int]:
    store = make_store(tmp_path / "w.db")
    incident = sample_incident(store)
    assert incident.id is not None
    store.update_incident(incident.id, {"root_cause": "The disk filled with WAL segments"})
    other = store.create_incident("Search is slow", timezone="UTC", severity="SEV-4")
    assert other.id is not None
    store.log_entry(other.id, "[bold]disk[/bold] latency \x1b[31m on the index nodes")
    return store, incident.id


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_ctrl_f_searches_as_you_type_and_enter_opens_the_entry(tmp_path: Path) -> None:
    store, incident_id = world(tmp_path)
    wanted = next(e for e in store.entries(incident_id) if "failover started" in e.text)
    app = build_app(store, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"failover")
        await settle(pilot)
        text = screen_text(app)
        assert "2 best matches" in text  # the title and the entry
        assert f"entry {wanted.id}" in text
        search = app.screen
        assert isinstance(search, SearchScreen)
        position = next(n for n, h in enumerate(search.hits) if h.entry_id == wanted.id)
        await pilot.press("enter", *["down"] * position, "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IncidentScreen)
        assert screen.incident_id == incident_id
        assert screen.timeline.selected_entry_id() == wanted.id
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)  # back to the hits
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, IncidentListScreen)


async def test_every_kind_of_hit_is_listed_and_user_text_is_shown_literally(
    tmp_path: Path,
) -> None:
    store, _ = world(tmp_path)
    app = build_app(store, tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f", *"disk")
        await settle(pilot)
        text = screen_text(app)
        assert "root_cause" in text and "AI-1" in text
        assert "[bold]disk[/bold] latency \\e[31m on the index nodes" in text
        hits = app.screen.query_one("#search-hits", OptionList)
        assert hits.option_count == 4
        search = app.screen
        assert isinstance(search, SearchScreen)
        await pilot.press("enter")  # from the query to the hits
        for kind, tab in (("action", "tab-actions"), ("incident", "tab-writeup")):
            position = next(n for n, h in enumerate(search.hits) if h.kind == kind)
            assert hits.has_focus
            hits.highlighted = position
            await pilot.press("enter")
            await settle(pilot)
            opened = app.screen
            assert isinstance(opened, IncidentScreen)
            assert opened.tabs.active == tab
            await pilot.press("ctrl+l")
            await settle(pilot)
            assert app.screen is search


async def test_a_query_that_cannot_be_searched_is_said_inline_and_kept(tmp_path: Path) -> None:
    store, _ = world(tmp_path)
    app = build_app(store, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f", *"-disk")
        await settle(pilot)
        assert "add a word to look for" in screen_text(app)
        assert app.screen.query_one("#search-query", Input).value == "-disk"
        await pilot.press("space", *"wal")
        await settle(pilot)
        assert "No matches." in screen_text(app)  # WAL is only next to "disk"


async def test_ctrl_f_works_from_the_list_filter_and_is_in_help_and_palette(
    tmp_path: Path,
) -> None:
    store, _ = world(tmp_path)
    app = build_app(store, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert "Search — Find words across every incident" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+p", *"search")
        await settle(pilot)
        assert "Search (^f)" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("slash", *"slow", "ctrl+f")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)


def _search_keys(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("ctrl+f", *keys)
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_search_screen(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    store, _ = world(tmp_path)
    app = build_app(store, tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_search_keys(*"disk", "down"))


def test_a_hit_marks_exactly_the_matched_characters_and_fits_the_width(tmp_path: Path) -> None:
    from models.search import search
    from tui.screens.search import MATCH_STYLE, hit_text

    store, _ = world(tmp_path)
    hit = next(h for h in search(store.engine, "disk") if h.slug.endswith("slow"))
    text = hit_text(hit, 40)
    lines = text.plain.split("\n")
    assert all(len(line) <= 40 for line in lines)
    assert lines[1] == "  [bold]disk[/bold] latency \\e[31m on t…"
    marked = [text.plain[s.start : s.end] for s in text.spans if s.style == MATCH_STYLE]
    assert marked == ["disk"]
