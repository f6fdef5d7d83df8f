"""Pictures of the publish dialog at 80×24 and 120×40, before and after publishing.

Fixed data, clock and repository: the docs repo is given by a relative path (the test
runs in its own folder) and its first commit has a fixed date, so the commit the
workbook makes, and the sha the dialog shows, come out the same on every run."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.exporters.publish.helpers import docs_with_remote
from tests.tui.support import FIXED, build_app, make_store, sample_incident

SIZES = [(80, 24), (120, 40)]


def _app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(tmp_path)
    for name in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        monkeypatch.setenv(name, "2026-03-01T09:00:00+00:00")
    docs_with_remote(tmp_path)
    store = make_store(tmp_path / "w.db")
    incident = sample_incident(store)
    return build_app(store, tmp_path, incident_id=incident.id, docs_repo="docs")


def _keys(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        for key in ("f8", *keys):
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
            await pilot.press(key)
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_publish_dialog_before(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    assert snap_compare(_app(tmp_path, monkeypatch), terminal_size=size, run_before=_keys())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_publish_dialog_after(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    assert snap_compare(_app(tmp_path, monkeypatch), terminal_size=size, run_before=_keys("ctrl+s"))


def _app_with_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The sample incident and one entry with a password typed on a command line (made up
    here, and shaped like no provider's key, so the pictures hold nothing a scanner flags)."""
    app = _app(tmp_path, monkeypatch)
    store, incident_id = app.store, app.initial_incident_id
    assert incident_id is not None
    store.log_entry(incident_id, "ran mysql -uadmin -p" + "Xy7q" * 3 + " -h replica", at=FIXED)
    return app


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_publish_dialog_lists_likely_secrets(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    app = _app_with_secret(tmp_path, monkeypatch)
    assert snap_compare(app, terminal_size=size, run_before=_keys())
