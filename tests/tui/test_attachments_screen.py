"""Attachments in the workbook: the entry detail lists them, ctrl+o lists them, Enter shows
a text one literally in a scrollable viewer, s saves one to a file, p hands it to $PAGER."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from models.attachments import add_attachment
from models.store import Store
from tests.tui.support import build_app, make_store, sample_incident, screen_text
from tui.screens.attachments import AttachmentsScreen, AttachmentViewer, SavePrompt
from tui.screens.incident import IncidentScreen

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
LOG = "".join(
    f"10:{n:02d}:00 [bold]pool[/bold] \x1b[31mexhausted\x1b[0m <b>{n}</b>\n" for n in range(60)
)


def world(tmp_path: Path) -> tuple[Store, int, int]:
    store = make_store(tmp_path / "w.db")
    incident = sample_incident(store)
    assert incident.id is not None
    latest = store.entries(incident.id)[-1]
    assert latest.id is not None
    engine = store.engine
    add_attachment(
        engine, incident_id=incident.id, entry_id=latest.id, name="pool.log", data=LOG.encode()
    )
    add_attachment(engine, incident_id=incident.id, entry_id=latest.id, name="g.png", data=PNG)
    return store, incident.id, latest.id


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_entry_lists_them_and_enter_shows_text_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, incident_id, _ = world(tmp_path)
    monkeypatch.chdir(tmp_path)
    app = build_app(store, tmp_path, incident_id=incident_id)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "attached: pool.log (" in screen_text(app) and "g.png (" in screen_text(app)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, AttachmentsScreen)
        assert "pool.log  text/plain" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AttachmentViewer)
        text = screen_text(app)
        assert "10:00:00 [bold]pool[/bold]" in text and "<b>0</b>" in text
        assert "\x1b" not in text
        await pilot.press("end")
        await settle(pilot)
        assert "<b>59</b>" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AttachmentsScreen)

        # A file that is not text is not shown; it is saved where the prompt says.
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AttachmentsScreen)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SavePrompt)
        await pilot.press("ctrl+a", *"saved-", "enter")
        await settle(pilot)
        assert (tmp_path / "saved-g.png").read_bytes() == PNG
        # No terminal to hand over in a test: said, nothing left behind.
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, AttachmentsScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, IncidentScreen)


def _viewer_keys() -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_attachment_viewer(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    store, incident_id, _ = world(tmp_path)
    app = build_app(store, tmp_path, incident_id=incident_id)
    assert snap_compare(app, terminal_size=size, run_before=_viewer_keys())


async def test_a_paste_too_large_for_an_entry_can_be_attached_instead(tmp_path: Path) -> None:
    from textual import events

    from models.attachments import list_attachments
    from models.log_lines import MAX_ENTRY_LINES
    from tui.screens.attachments import AttachPasteScreen

    store = make_store(tmp_path / "w.db")
    incident = sample_incident(store)
    assert incident.id is not None
    huge = "\n".join(f"line {n} [b]x[/b]" for n in range(MAX_ENTRY_LINES + 1))
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.post_message(events.Paste(huge))
        await settle(pilot)
        assert isinstance(app.screen, AttachPasteScreen)
        assert "Paste too large for an entry" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, IncidentScreen)
        (attached,) = list_attachments(store.engine, incident.id)
        assert attached.name.startswith("paste-") and attached.is_text
        assert attached.entry_id is None
        drafts = app.drafts.load(incident.id)
        assert not [key for key in drafts if key.startswith("paste:")]

        # Declined: only the draft.
        app.post_message(events.Paste(huge))
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert len(list_attachments(store.engine, incident.id)) == 1
        assert [t for k, t in app.drafts.load(incident.id).items() if k.startswith("paste:")] == [
            huge
        ]
