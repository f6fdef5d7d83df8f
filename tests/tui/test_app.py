"""Pilot tests of the workbook's workflows, on a real SQLite file with a fixed clock."""

from __future__ import annotations

import gc
import os
import signal
import weakref
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from models.store import Store
from models.tables import Incident
from tests.tui.support import FIXED, build_app, make_store, screen_text
from tui.screens.entry_dialogs import EditEntryScreen, TagPickerScreen
from tui.screens.help import HelpScreen
from tui.screens.incident import IncidentScreen
from tui.screens.incident_list import IncidentListScreen
from tui.widgets.status_line import StatusLine
from tui.widgets.timeline import Timeline


def _entries(store: Store, incident: Incident) -> list[tuple[datetime, str, list[str]]]:
    assert incident.id is not None
    return [(e.at, e.text, e.tags) for e in store.entries(incident.id)]


def _preview(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    return screen.query_one("#quick-preview", StatusLine).text.plain


@pytest.mark.parametrize(
    ("line", "at", "text", "tags"),
    [
        (
            "23:50 failover done #mit",
            datetime(2026, 3, 2, 22, 50, tzinfo=UTC),
            "failover done",
            ["mitigated"],
        ),
        (
            "11:30pm checked graphs #fl",
            datetime(2026, 3, 2, 22, 30, tzinfo=UTC),
            "checked graphs",
            ["false-lead"],
        ),
        (
            "11:30 pm checked graphs #esc",
            datetime(2026, 3, 2, 22, 30, tzinfo=UTC),
            "checked graphs",
            ["escalation"],
        ),
        (
            "-5m error rate back to normal #res",
            FIXED - timedelta(minutes=5),
            "error rate back to normal",
            ["resolved"],
        ),
        (
            "-1h30m first alert #start",
            FIXED - timedelta(minutes=90),
            "first alert",
            ["impact-start"],
        ),
        (
            "2026-03-02 23:00 pager #det",
            datetime(2026, 3, 2, 22, 0, tzinfo=UTC),
            "pager",
            ["detected"],
        ),
        ("no time given #ack #rc", FIXED, "no time given", ["responded", "cause-identified"]),
    ],
)
async def test_quick_entry_logs_each_time_form_and_alias(
    tmp_path: Path,
    world: tuple[Store, Incident],
    line: str,
    at: datetime,
    text: str,
    tags: list[str],
) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, IncidentScreen)
        assert app.focused is not None and app.focused.id == "quick-entry"
        await pilot.press(*line)
        assert "Enter logs" in _preview(app)
        await pilot.press("enter")
        await pilot.pause()
        assert (at, text, tags) in _entries(store, incident)
        assert app.screen.query_one("#quick-entry", Input).value == ""
        timeline = app.screen.query_one(Timeline)
        assert timeline.row_count == 7


async def test_preview_line_shows_zone_and_tags(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"-5m db back #mit #fl")
        preview = _preview(app)
        assert "2026-03-03 00:50:00 CET" in preview
        assert "mitigated, false-lead" in preview


@pytest.mark.parametrize("line", ["25:99 db back", "db back #Bad_Tag", "+10m later"])
async def test_bad_input_is_explained_and_kept(
    tmp_path: Path, world: tuple[Store, Incident], line: str
) -> None:
    store, incident = world
    before = _entries(store, incident)
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*line)
        assert "✗" in _preview(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#quick-entry", Input).value == line
        assert "✗" in _preview(app)
    assert _entries(store, incident) == before


async def test_markup_and_control_characters_are_shown_literally(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    assert incident.id is not None
    store.log_entry(incident.id, "bell \x1b[31mred\x07", at=FIXED - timedelta(minutes=1))
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"[bold]x[/bold] and [red]y")
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "[bold]x[/bold] and [red]y" in text
        assert "bell \\e[31mred\\x07" in text


async def test_toggle_false_lead_and_escalation(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    assert incident.id is not None
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("up")  # to the timeline, on the latest entry
        assert isinstance(app.focused, Timeline)
        await pilot.press("f")
        await pilot.pause()
        latest = store.entries(incident.id)[-1]
        assert latest.tags == ["cause-identified", "false-lead"]
        await pilot.press("x", "f")
        await pilot.pause()
        latest = store.entries(incident.id)[-1]
        assert latest.tags == ["cause-identified", "escalation"]
        await pilot.press("i")
        assert app.focused is not None and app.focused.id == "quick-entry"


async def test_tag_picker_sets_tags(tmp_path: Path, world: tuple[Store, Incident]) -> None:
    store, incident = world
    assert incident.id is not None
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("up", "t")
        await pilot.pause()
        assert isinstance(app.screen, TagPickerScreen)
        await pilot.press("tab", *"db-failover", "enter")
        await pilot.pause()
        assert store.entries(incident.id)[-1].tags == ["cause-identified", "db-failover"]


async def test_edit_keeps_history(tmp_path: Path, world: tuple[Store, Incident]) -> None:
    store, incident = world
    assert incident.id is not None
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("up", "enter")
        await pilot.pause()
        assert isinstance(app.screen, EditEntryScreen)
        assert "No earlier versions" in screen_text(app)
        text_field = app.screen.query_one("#field-text", Input)
        text_field.value = "Primary DB disk full at 100%"
        time_field = app.screen.query_one("#field-at", Input)
        time_field.value = "-20m"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, IncidentScreen)
        entry = store.entries(incident.id)[-1]
        assert entry.text == "Primary DB disk full at 100%"
        assert entry.at == FIXED - timedelta(minutes=20)
        assert entry.id is not None
        history = store.history(incident.id, entry.id)
        assert [h.text for h in history] == ["Primary DB disk full; failover started"]
        await pilot.press("enter")
        await pilot.pause()
        assert "v1 00:40 Primary DB disk full;" in screen_text(app)
        await pilot.press("escape")


async def test_delete_and_undo(tmp_path: Path, world: tuple[Store, Incident]) -> None:
    store, incident = world
    assert incident.id is not None
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("up", "d")
        await pilot.pause()
        assert len(store.entries(incident.id)) == 5
        assert app.screen.query_one(Timeline).row_count == 5
        await pilot.press("u")
        await pilot.pause()
        assert len(store.entries(incident.id)) == 6
        assert app.screen.query_one(Timeline).row_count == 6


async def test_new_incident_from_the_list(tmp_path: Path) -> None:
    store = make_store(tmp_path / "w.db")
    app = build_app(store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, IncidentListScreen)
        assert "No incidents yet" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("enter")  # empty title: refused inline
        assert "title cannot be empty" in screen_text(app)
        await pilot.press(*"Login outage", "enter")
        await pilot.press("ctrl+a", "ctrl+k", *"sev1", "enter", "enter")
        await pilot.press(*"auth,web", "enter")
        await app.workers.wait_for_complete()  # the incident is written off the UI thread
        await pilot.pause()
        assert isinstance(app.screen, IncidentScreen)
        (incident,) = store.list_incidents()
        assert (incident.title, incident.severity, incident.timezone, incident.services) == (
            "Login outage",
            "SEV-1",
            "UTC",
            ["auth", "web"],
        )


@pytest.mark.parametrize("width", [80, 120])
async def test_list_gives_the_title_the_room_and_never_cuts_the_figures(
    tmp_path: Path, width: int
) -> None:
    store = make_store(tmp_path / "w.db")
    title = "Checkout and search time out for EU users"  # 41 cells
    made = store.create_incident(title, timezone="Europe/Berlin", severity="SEV-1")
    assert made.id is not None
    store.log_entry(made.id, "errors rise", at=FIXED - timedelta(days=3), tags=["impact-start"])
    store.log_entry(made.id, "a false lead", at=FIXED - timedelta(days=2), tags=["false-lead"])
    store.add_action(made.id, "Alert earlier", owner="alice")
    app = build_app(store, tmp_path)
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        header, row = screen_text(app).splitlines()[1:3]
    assert header.endswith("Duration AI FL")
    assert row.endswith("3d …  1  1")  # ongoing for three days, 1 open item, 1 false lead
    if width == 80:  # the year goes before the title is cut
        assert row.startswith(" 02-28 00:55 CET  Checkout and search time o… SEV-1")
    else:
        assert row.startswith(" 2026-02-28 00:55 CET  " + title)


def _incidents_in_two_years(store: Store) -> None:
    """Two resolved incidents, August 2024 and February 2025, with titles too long for 80."""
    for title, start in (
        ("Payments API returns 502 for EU merchants", datetime(2024, 8, 15, 12, 0, tzinfo=UTC)),
        ("Checkout and search time out for EU users", datetime(2025, 2, 12, 9, 30, tzinfo=UTC)),
    ):
        made = store.create_incident(title, timezone="UTC", severity="SEV-2", started_at=start)
        assert made.id is not None
        store.update_incident(made.id, {"resolved_at": start + timedelta(minutes=95)})


@pytest.mark.parametrize("width", [80, 120])
async def test_list_keeps_the_year_when_the_rows_span_years(tmp_path: Path, width: int) -> None:
    store = make_store(tmp_path / "w.db")
    _incidents_in_two_years(store)
    app = build_app(store, tmp_path)
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        header, newer, older = screen_text(app).splitlines()[1:4]
        # Newest first reads as sorted: the year is on every row, at any width.
        assert newer.startswith(" 2025-02-12 09:30 UTC  Checkout and search t")
        assert older.startswith(" 2024-08-15 12:00 UTC  Payments API returns")
        assert header.endswith("Duration AI FL")
        for row in (newer, older):
            assert row.endswith("SEV-2 investigating   1h 35m  ·  ·")  # never cut
            assert len(row) <= width
        if width == 80:  # the titles give way instead, visibly
            assert "Checkout and search t… SEV-2" in newer
        else:
            assert "Checkout and search time out for EU users " in newer
        # Listed rows of one year tell nothing apart by it: at 80 columns it goes again.
        await pilot.press("slash", *"payments")
        await pilot.pause()
        (row,) = [line for line in screen_text(app).splitlines() if "Payments" in line]
        if width == 80:
            assert row.startswith(" 08-15 12:00 UTC  Payments API returns 502 f… SEV-2")
        else:
            assert row.startswith(
                " 2024-08-15 12:00 UTC  Payments API returns 502 for EU merchants"
            )


async def test_list_filters_and_opens(tmp_path: Path, world: tuple[Store, Incident]) -> None:
    store, incident = world
    store.create_incident("Search is slow", timezone="UTC", severity="SEV-4")
    app = build_app(store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "2 incidents" in screen_text(app)
        await pilot.press("slash", *"checkout")
        assert "1 of 2 incidents match" in screen_text(app)
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, IncidentScreen)
        assert app.screen.incident_id == incident.id


async def test_details_are_validated_inline(tmp_path: Path, world: tuple[Store, Incident]) -> None:
    store, incident = world
    assert incident.id is not None
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        field = app.screen.query_one("#detail-users_affected_pct", Input)
        field.focus()
        await pilot.press(*"150", "enter")
        await pilot.pause()
        assert "percentage from 0 to 100" in screen_text(app)
        assert store.get_incident(incident.id).users_affected_pct is None
        await pilot.press("backspace", "backspace", "backspace", *"12.5", "enter")
        await pilot.pause()
        assert "percentage" not in screen_text(app)
        assert store.get_incident(incident.id).users_affected_pct == 12.5
        severity = app.screen.query_one("#detail-severity", Input)
        severity.focus()
        await pilot.press("ctrl+a", "ctrl+k", *"1", "tab")
        await pilot.pause()
        assert store.get_incident(incident.id).severity == "SEV-1"


async def test_write_up_saves_after_a_pause(tmp_path: Path, world: tuple[Store, Incident]) -> None:
    from tui.widgets.writeup import AUTOSAVE_SECONDS

    store, incident = world
    assert incident.id is not None
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5", "enter")
        await pilot.press(*"The disk filled up.")
        assert store.get_incident(incident.id).summary == ""
        await pilot.pause(AUTOSAVE_SECONDS + 0.4)  # the autosave is a timer by design
        assert store.get_incident(incident.id).summary == "The disk filled up."


async def test_editor_key_without_editor_explains(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("f5", "enter", "ctrl+o")
        await pilot.pause()
        assert "set $EDITOR" in screen_text(app)


async def test_action_items_add_mark_done_and_from_entry(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    assert incident.id is not None
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6", "n")
        await pilot.pause()
        await pilot.press(*"Add a runbook for failover", "enter", *"bob", "enter")
        await pilot.press("ctrl+a", "ctrl+k", *"high", "ctrl+s")
        await pilot.pause()
        items = store.action_items(incident.id)
        assert [(i.ref, i.title, i.owner, i.priority) for i in items][-1] == (
            "AI-2",
            "Add a runbook for failover",
            "bob",
            "high",
        )
        await pilot.press("m")
        await pilot.pause()
        assert store.get_action(incident.id, "AI-2").status == "done"
        await pilot.press("f2", "up", "a")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        item = store.get_action(incident.id, "AI-3")
        last_entry = store.entries(incident.id)[-1]
        assert item.title == last_entry.text
        assert item.source_entry_id == last_entry.id


async def test_another_responder_appears_without_action(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    assert incident.id is not None
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        other = make_store(tmp_path / "w.db", author="bob")
        other.log_entry(incident.id, "bob restarted the replica", tags=["mitigated"])
        app.poll_database()  # what the half-second timer does
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one(Timeline).row_count == 7
        assert "bob restarted the replica" in screen_text(app)


async def test_a_reload_lets_go_of_the_entries_it_replaces(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    # Freed by reference counting, at once: nothing that lingers until the cyclic
    # collector runs (a finished worker does) may keep an old copy of a long log alive.
    store, incident = world
    assert incident.id is not None
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, IncidentScreen) and screen.snapshot is not None
        await pilot.press(*"typing reads the time reference")
        bob = make_store(tmp_path / "w.db", author="bob")
        gc.disable()
        try:
            for n in range(2):  # the first copy was read on opening; then one by a worker
                old = weakref.ref(screen.snapshot.entries[0])
                bob.log_entry(incident.id, f"bob was here {n}")
                app.poll_database()
                await app.workers.wait_for_complete()
                await pilot.pause()
                assert f"bob was here {n}" in screen_text(app)
                assert old() is None
        finally:
            gc.enable()


async def test_quiet_when_nothing_changed(tmp_path: Path, world: tuple[Store, Incident]) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.poll_database()
        await pilot.pause()
        assert not app.workers  # no reload started without a commit


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="needs SIGHUP")
async def test_hang_up_keeps_typed_text_as_a_draft(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"-2m half-typed thought #fl")
        await pilot.press("f5", "enter", *"Summary draft")
        os.kill(os.getpid(), signal.SIGHUP)
        await pilot.pause()
    assert app.return_code == 129
    assert store.get_incident(incident.id).summary == "Summary draft"  # type: ignore[arg-type]

    again = build_app(store, tmp_path, incident_id=incident.id)
    async with again.run_test(size=(80, 24), notifications=True) as pilot:
        await again.workers.wait_for_complete()  # the incident has loaded and offered drafts
        await pilot.pause()
        assert again.screen.query_one("#quick-entry", Input).value == "-2m half-typed thought #fl"
        assert "Recovered unsent text" in screen_text(again)
        await pilot.press("enter")
        await pilot.pause()
    assert not (tmp_path / "drafts").exists() or not list((tmp_path / "drafts").iterdir())


async def test_f1_help_lists_keys_and_aliases(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(100, 100)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_text = screen_text(app)
        assert "Toggle the false-lead tag" in help_text
        aliases = str(app.screen.query_one("#help-tags", Static).render())
        assert "#fl" in aliases and "#esc" in aliases and "#start" in aliases
        assert "ctrl+q" in help_text.lower() or "^q" in help_text
        await pilot.press("escape")
        assert isinstance(app.screen, IncidentScreen)


async def test_palette_runs_a_bound_action(tmp_path: Path, world: tuple[Store, Incident]) -> None:
    store, incident = world
    assert incident.id is not None
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("up", "ctrl+p")
        await pilot.pause()
        await pilot.press(*"False lead")
        await pilot.pause(0.3)
        assert "False lead (f)" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert "false-lead" in store.entries(incident.id)[-1].tags


async def test_ctrl_q_quits(tmp_path: Path, world: tuple[Store, Incident]) -> None:
    store, incident = world
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0
