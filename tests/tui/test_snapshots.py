"""Pictures of every screen and dialog at 80×24 and 120×40, with fixed data, clock and settings.

Each picture is one scene (where the app starts, the keys pressed, and anything changed in the
database first) taken at both sizes, so a screen that only breaks at 80 columns shows up.
At 120 columns the metrics sit beside the log and F3 stays on the Log tab; the "metrics"
scene pictures that layout there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from models.store import Store
from models.tables import Incident
from tests.tui.support import FIXED, build_app, make_store, sample_incident, screen_text

SIZES = [(80, 24), (120, 40)]


def _size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


@dataclass(frozen=True)
class Scene:
    name: str
    keys: tuple[str, ...] = ()
    prepare: Callable[[Store, Incident], None] | None = None

    def __str__(self) -> str:
        return self.name


def _app(tmp_path: Path, scene: Scene, *, open_incident: bool) -> Any:
    store = make_store(tmp_path / "w.db")
    incident = sample_incident(store)
    store.create_incident("Search is slow", timezone="UTC", severity="SEV-4")
    if scene.prepare is not None:
        scene.prepare(store, incident)
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


def _two_earlier_versions(store: Store, incident: Incident) -> None:
    """The newest entry, edited twice, so the edit dialog lists its history."""
    assert incident.id is not None
    newest = max(store.snapshot(incident.id).entries, key=lambda e: e.at)
    assert newest.id is not None
    store.edit_entry(incident.id, newest.id, text="Primary DB disk full", editor="bob")
    store.edit_entry(
        incident.id,
        newest.id,
        text="Primary DB disk full; failover started",
        at=FIXED - timedelta(minutes=14),
        tags=["cause-identified", "mitigated"],
    )


# Scenes that start on the incident list.
LIST_SCENES = [
    Scene("list"),
    Scene("filter", ("slash", *"checkout")),
    Scene("new-incident", ("n",)),
    Scene("new-incident-error", ("n", "ctrl+s")),
    Scene("help", ("f1",)),
    Scene("palette", ("ctrl+p", *"stats")),
]

# Scenes that start on the incident "Checkout database failover".
INCIDENT_SCENES = [
    Scene("log", tuple("-2m [bold]db[/bold] back #mit")),
    Scene("filter", ("ctrl+f", *"#fl")),
    Scene("filter-no-match", ("ctrl+f", *"#esc nothing")),
    Scene("metrics", ("f3",)),
    Scene("details", ("f4",)),
    Scene("writeup", ("f5", "enter")),
    Scene("actions", ("f6",)),
    Scene("action-form", ("f6", "n")),
    Scene("action-edit", ("f6", "enter")),
    Scene("action-from-entry", ("up", "a")),
    Scene("preview", ("f7",)),
    Scene("help", ("f1",)),
    Scene("palette", ("ctrl+p", *"filter")),
    Scene("edit-entry", ("up", "enter")),
    Scene("edit-entry-history", ("up", "enter"), prepare=_two_earlier_versions),
    Scene("tag-picker", ("up", "t")),
]


@pytest.mark.parametrize("size", SIZES, ids=_size_id)
@pytest.mark.parametrize("scene", LIST_SCENES, ids=str)
def test_incident_list_screens(
    snap_compare: Any, tmp_path: Path, scene: Scene, size: tuple[int, int]
) -> None:
    app = _app(tmp_path, scene, open_incident=False)
    assert snap_compare(app, terminal_size=size, run_before=_keys(*scene.keys))


@pytest.mark.parametrize("size", SIZES, ids=_size_id)
@pytest.mark.parametrize("scene", INCIDENT_SCENES, ids=str)
def test_incident_screens(
    snap_compare: Any, tmp_path: Path, scene: Scene, size: tuple[int, int]
) -> None:
    app = _app(tmp_path, scene, open_incident=True)
    assert snap_compare(app, terminal_size=size, run_before=_keys(*scene.keys))


@pytest.mark.parametrize("size", SIZES, ids=_size_id)
def test_incident_screen_while_another_process_holds_the_lock(
    snap_compare: Any, tmp_path: Path, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry logged while the database is locked: its row pending (…), the bar saying so."""
    monkeypatch.setattr("tui.writer.SLOW_WRITE", 0.01)  # say it at once, not after a second
    monkeypatch.setattr("tui.app.LAST_WRITES_SECONDS", 0.05)
    app = _app(tmp_path, Scene("busy"), open_incident=True)
    holder = sqlite3.connect(tmp_path / "w.db", isolation_level=None, timeout=0)

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        holder.execute("BEGIN IMMEDIATE")
        await pilot.press(*"00:50 failover done #mit", "enter")
        for _ in range(100):  # until the writer's first look says the database is busy
            await pilot.pause()
            if "database busy" in screen_text(pilot.app):
                break

    try:
        assert snap_compare(app, terminal_size=size, run_before=run_before)
    finally:
        holder.rollback()
        holder.close()
