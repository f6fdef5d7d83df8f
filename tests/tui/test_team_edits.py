"""Two people editing one entry: the later save, made against a stale version, is refused
in the workbook, the other person's version stays, and what was typed is kept as a draft."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from models.db import open_database
from models.store import Store
from models.tables import Incident
from tests.tui.support import build_app, screen_text
from tui.screens.entry_dialogs import EditEntryScreen
from tui.screens.incident import IncidentScreen
from tui.widgets.status_line import StatusLine


def _preview(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    return screen.query_one("#quick-preview", StatusLine).text.plain


async def test_a_stale_edit_is_refused_and_kept_as_a_draft(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    assert incident.id is not None
    original = store.entries(incident.id)[-1]
    assert original.id is not None
    bob = Store(open_database(tmp_path / "w.db"), author="bob")
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("up", "enter")
        await pilot.pause()
        assert isinstance(app.screen, EditEntryScreen)
        # Bob saves his wording while the dialog is open.
        bob.edit_entry(incident.id, original.id, text="Bob's wording")
        app.screen.query_one("#field-text", Input).value = "Alice's wording"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, IncidentScreen)
        assert "✗ not changed: entry" in _preview(app)
        assert "was changed by bob" in _preview(app)
        assert store.get_entry(incident.id, original.id).text == "Bob's wording"
        history = store.history(incident.id, original.id)
        assert [h.text for h in history] == [original.text]
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Bob's wording" in screen_text(app)  # the timeline shows what Bob saved
        # Enter on the entry again: the dialog brings back what was typed.
        app.screen.timeline.select_entry(original.id)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EditEntryScreen)
        assert app.screen.query_one("#field-text", Input).value == "Alice's wording"
        assert "recovered" in screen_text(app)
        # Saved now, knowingly: Bob's version goes to the history.
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert store.get_entry(incident.id, original.id).text == "Alice's wording"
        assert [h.text for h in store.history(incident.id, original.id)] == [
            original.text,
            "Bob's wording",
        ]
