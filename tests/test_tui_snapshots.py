"""Pictures of each screen at 80×24 and 120×40, with fixed data, clock and settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.test_tui_support import build_app, make_store, sample_incident

SIZES = [(80, 24), (120, 40)]


def _app(tmp_path: Path, *, open_incident: bool) -> Any:
    store = make_store(tmp_path / "w.db")
    incident = sample_incident(store)
    store.create_incident("Search is slow", timezone="UTC", severity="SEV-4")
    return build_app(store, tmp_path, incident_id=incident.id if open_incident else None)


def _keys(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_incident_list(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(_app(tmp_path, open_incident=False), terminal_size=size, run_before=_keys())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_incident_log(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(
        _app(tmp_path, open_incident=True),
        terminal_size=size,
        run_before=_keys(*"-2m [bold]db[/bold] back #mit"),
    )


@pytest.mark.parametrize(
    "keys",
    [("f3",), ("f4",), ("f5", "enter"), ("f6",), ("f1",), ("up", "enter"), ("up", "t")],
    ids=["metrics", "details", "writeup", "actions", "help", "edit-entry", "tag-picker"],
)
def test_incident_tabs_and_dialogs(
    snap_compare: Any, tmp_path: Path, keys: tuple[str, ...]
) -> None:
    assert snap_compare(
        _app(tmp_path, open_incident=True), terminal_size=(80, 24), run_before=_keys(*keys)
    )


def test_new_incident_form(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(
        _app(tmp_path, open_incident=False), terminal_size=(80, 24), run_before=_keys("n")
    )


def test_preview(snap_compare: Any, tmp_path: Path) -> None:
    pytest.importorskip("exporters.markdown")
    assert snap_compare(
        _app(tmp_path, open_incident=True), terminal_size=(120, 40), run_before=_keys("f7")
    )
