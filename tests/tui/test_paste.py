"""Pasting into the quick-entry bar: several lines kept whole, log lines as a timeline.

The paste arrives as Textual's ``Paste`` event, the way a terminal's bracketed paste does.
"""

from __future__ import annotations

import os
import signal
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot

from models.log_lines import MAX_ENTRY_LINES
from models.store import Store
from models.tables import Incident
from tests.tui.support import FIXED, build_app, make_store, sample_incident, screen_text
from tui.app import WorkbookApp
from tui.screens.incident.quick_entry import QuickEntryInput, from_bar, to_bar
from tui.widgets.status_line import StatusLine

TWO_LINES = "ERROR 2026-03-02T22:40:01Z db timeout\nERROR 2026-03-02T22:40:02Z db timeout\n"


def _bar(app: WorkbookApp) -> QuickEntryInput:
    return app.screen.query_one("#quick-entry", QuickEntryInput)


def _preview(app: WorkbookApp) -> str:
    return app.screen.query_one("#quick-preview", StatusLine).text.plain


def _badge(app: WorkbookApp) -> StatusLine:
    return app.screen.query_one("#quick-lines", StatusLine)


def _new_entries(store: Store, incident: Incident, before: int) -> list[tuple[datetime, str]]:
    assert incident.id is not None
    entries = sorted(store.entries(incident.id), key=lambda e: e.id or 0)
    return [(e.at, e.text) for e in entries[before:]]


async def _open(app: WorkbookApp, pilot: object) -> None:
    await pilot.pause()  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


async def _paste(app: WorkbookApp, pilot: object, text: str) -> None:
    app.post_message(events.Paste(text))
    await pilot.pause()  # type: ignore[attr-defined]


async def _landed(app: WorkbookApp, pilot: object) -> None:
    await pilot.pause()  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


def test_the_bar_shows_line_breaks_and_controls_one_character_for_one() -> None:
    text = "a\tb\nc\x1b[31md\x7f\x00"
    shown = to_bar(text)
    assert len(shown) == len(text)
    assert shown == "a␉b⏎c␛[31md␡␀"
    assert from_bar(shown) == text
    assert to_bar("x\r\ny\rz") == "x⏎y⏎z"


async def test_a_two_line_paste_logs_both_lines_as_one_entry(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot)
        await _paste(app, pilot, TWO_LINES)
        bar = _bar(app)
        assert bar.text == TWO_LINES.rstrip("\n")
        assert "⏎" in bar.value
        assert _badge(app).display and "2 lines" in _badge(app).text.plain
        preview = _preview(app)
        assert "Enter: one entry, now" in preview
        assert "ctrl+t: 2 entries, 03-02 23:40:01 → 23:40:02" in preview
        # The draft holds the whole paste, line breaks and all.
        assert app.drafts.load(incident.id or 0)["quick-entry"] == TWO_LINES.rstrip("\n")
        await pilot.press("enter")
        await _landed(app, pilot)
        assert bar.value == "" and not _badge(app).display
    assert _new_entries(store, incident, 6) == [(FIXED, TWO_LINES.rstrip("\n"))]


async def test_ctrl_t_logs_one_entry_per_line_at_its_own_time(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    mixed = (
        "checkout errors, pasted from the db host:\r\n"
        "Mar  2 23:40:01 db-1 postgres[812]: FATAL: too many connections\r\n"
        "Mar  2 23:40:01 db-1 postgres[812]: FATAL: too many connections\r\n"
        "  detail: max_connections=100\r\n"
        "2026-03-02T22:41:30Z app-3 pool exhausted\r\n"
    )
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot)
        await _paste(app, pilot, mixed)
        await pilot.press(*" #db")
        assert "ctrl+t: 3 entries, 03-02 23:40:01 → 23:41:30  tags: db" in _preview(app)
        await pilot.press("ctrl+t")
        await _landed(app, pilot)
        assert _bar(app).value == ""
        view = app.screen.view  # type: ignore[attr-defined]
        assert view.pending == {}  # every row is on disk
    berlin = timedelta(hours=1)
    assert _new_entries(store, incident, 6) == [
        (
            datetime(2026, 3, 2, 23, 40, 1, tzinfo=UTC) - berlin,
            "checkout errors, pasted from the db host:\n"
            "db-1 postgres[812]: FATAL: too many connections",
        ),
        (
            datetime(2026, 3, 2, 23, 40, 1, tzinfo=UTC) - berlin,
            "db-1 postgres[812]: FATAL: too many connections\n  detail: max_connections=100",
        ),
        (datetime(2026, 3, 2, 22, 41, 30, tzinfo=UTC), "app-3 pool exhausted"),
    ]
    assert incident.id is not None
    newest = sorted(store.entries(incident.id), key=lambda e: e.id or 0)[-3:]
    assert [e.tags for e in newest] == [["db"]] * 3


async def test_a_hundred_lines_arrive_whole(tmp_path: Path, world: tuple[Store, Incident]) -> None:
    store, incident = world
    lines = [f"23:{n // 60:02d}:{n % 60:02d} worker {n} restarted" for n in range(100)]
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot)
        await _paste(app, pilot, "\n".join(lines))
        assert "100 lines" in _badge(app).text.plain
        assert "ctrl+t: 100 entries, 03-02 23:00:00 → 23:01:39" in _preview(app)
        await pilot.press("ctrl+t")
        await _landed(app, pilot)
    logged = _new_entries(store, incident, 6)
    assert [text for _, text in logged] == [f"worker {n} restarted" for n in range(100)]
    assert logged[0][0] == datetime(2026, 3, 2, 22, 0, 0, tzinfo=UTC)


async def test_untimed_lines_offer_no_per_line_logging(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot)
        await pilot.press(*"-5m ")
        await _paste(app, pilot, "step one\nstep two #not-a-tag-here\nPR #12")
        assert "3 lines as one entry · Enter logs" in _preview(app)
        assert "2026-03-03 00:50:00 CET" in _preview(app)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert "✗ ctrl+t" in _preview(app)
        assert _bar(app).text.startswith("-5m step one")
        await pilot.press("enter")
        await _landed(app, pilot)
    assert _new_entries(store, incident, 6) == [
        (FIXED - timedelta(minutes=5), "step one\nstep two #not-a-tag-here\nPR #12")
    ]


async def test_control_characters_are_shown_literally_and_kept(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(app, pilot)
        await _paste(app, pilot, "\x1b[31mred\x1b[0m\tcol\n[bold]markup[/bold]\x07")
        shown = screen_text(app)
        assert "␛[31mred␛[0m␉col⏎[bold]markup[/bold]␇" in shown
        await pilot.press("enter")
        await _landed(app, pilot)
        assert "\\e[31mred\\e[0m\\tcol\\n[bold]markup[/bold]\\x07" in screen_text(app)
    assert _new_entries(store, incident, 6) == [
        (FIXED, "\x1b[31mred\x1b[0m\tcol\n[bold]markup[/bold]\x07")
    ]


async def test_a_paste_too_large_is_refused_and_kept(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    huge = "\n".join(f"line {n}" for n in range(MAX_ENTRY_LINES + 1))
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot)
        await pilot.press(*"typed first")
        await _paste(app, pilot, huge)
        # Offered as an attachment instead (tests/tui/test_attachments_screen.py): declined.
        assert app.screen.__class__.__name__ == "AttachPasteScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert _bar(app).value == "typed first"
        assert "✗ paste not taken: 201 lines" in _preview(app)
        kept = app.drafts.load(incident.id or 0)
        assert [text for key, text in kept.items() if key.startswith("paste:")] == [huge]
        assert any("Paste too large" in (n.title or "") for n in app._notifications)
    assert _new_entries(store, incident, 6) == []


async def test_a_refused_batch_comes_back_whole(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot)
        await _paste(app, pilot, TWO_LINES)
        text = _bar(app).text

        def refuse(*args: object, **kwargs: object) -> object:
            raise OSError("disk full")

        store.log_entries = refuse  # type: ignore[method-assign]
        await pilot.press("ctrl+t")
        await _landed(app, pilot)
        assert _bar(app).text == text
        assert "✗ not logged" in _preview(app)
        assert not any(k.startswith("pending:") for k in app.drafts.load(incident.id or 0))
    assert _new_entries(store, incident, 6) == []


async def test_a_recovered_multi_line_draft_comes_back_whole(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    app.drafts.save(incident.id or 0, "quick-entry", "first line\nsecond line")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot)
        assert _bar(app).text == "first line\nsecond line"
        assert "2 lines" in _badge(app).text.plain


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_bar_holding_a_paste_of_log_lines(
    snap_compare: Any, tmp_path: Path, size: tuple[int, int]
) -> None:
    store = make_store(tmp_path / "w.db")
    incident = sample_incident(store)
    app = build_app(store, tmp_path, incident_id=incident.id)

    async def run_before(pilot: Pilot[Any]) -> None:
        await _open(app, pilot)
        await _paste(
            app,
            pilot,
            "Mar  2 23:40:01 db-1 postgres[812]: FATAL: too many connections\n"
            "  detail: max_connections=100\n"
            "2026-03-02T22:41:30Z app-3 pool exhausted\n",
        )
        await pilot.press(*" #db")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_a_batch_sent_before_a_hang_up_lands_whole_next_time(
    tmp_path: Path, world: tuple[Store, Incident], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database is locked by another process when ctrl+t is pressed, and the session
    drops: next time every entry lands once, the two identical lines as two entries."""
    monkeypatch.setattr("tui.app.LAST_WRITES_SECONDS", 0.05)
    store, incident = world
    holder = sqlite3.connect(tmp_path / "w.db", isolation_level=None, timeout=0)
    app = build_app(store, tmp_path, incident_id=incident.id)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await _open(app, pilot)
            holder.execute("BEGIN IMMEDIATE")
            await _paste(app, pilot, "23:40:01 same line\n23:40:01 same line\n23:41 other")
            await pilot.press("ctrl+t")
            await pilot.pause()
            assert app.writer.outstanding == 1  # one write for the three entries
            os.kill(os.getpid(), signal.SIGHUP)
            await pilot.pause()
        assert app.return_code == 129
        pending = [k for k in app.drafts.load(incident.id or 0) if k.startswith("pending:")]
        assert len(pending) == 3
    finally:
        if holder.in_transaction:
            holder.rollback()
        holder.close()

    again = build_app(store, tmp_path, incident_id=incident.id)
    async with again.run_test(size=(80, 24)) as pilot:
        await _landed(again, pilot)
        await _landed(again, pilot)
    texts = [text for _, text in _new_entries(store, incident, 6)]
    assert sorted(texts) == ["other", "same line", "same line"]
    assert not any(k.startswith("pending:") for k in again.drafts.load(incident.id or 0))
