"""The real program in a pseudo-terminal at 80×24, as a responder on SSH meets it."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from models.db import open_database
from models.store import Store
from tests.e2e.terminal import wait_for_entries

CTRL_Q = "\x11"


@pytest.mark.parametrize(
    "env",
    [
        {"TERM": "xterm-256color"},
        {"TERM": "screen-256color"},
        {"TERM": "tmux-256color"},
        {"TERM": "xterm-256color", "NO_COLOR": "1"},
    ],
    ids=["xterm", "screen", "tmux", "no-color"],
)
def test_log_an_entry_over_a_terminal_then_sit_quiet(
    launch, incident: tuple[Path, str], env: dict[str, str]
) -> None:
    db, slug = incident
    term = launch("--db", str(db), "open", slug, **env)
    term.wait_for("Disk full on db-1")
    term.wait_for("Errors rising")
    term.settle()
    term.type("-5m Paged by the disk alert #det\r")
    entries = wait_for_entries(db, 2)
    # Five minutes ago sorts before the entry made when the test began.
    first = entries[0]
    assert (first.text, first.tags) == ("Paged by the disk alert", ["detected"])
    term.settle()
    assert term.bytes_during(1.5) == 0, "an idle screen must send nothing"
    term.type(CTRL_Q)
    assert term.wait_exit() == 0


def test_hang_up_keeps_the_unsent_line(launch, incident: tuple[Path, str]) -> None:
    db, slug = incident
    term = launch("--db", str(db), "open", slug)
    term.wait_for("Errors rising")
    term.settle()
    term.type("rolled back the deploy, watching")
    term.wait_for("rolled back the deploy, watching")
    term.settle()
    term.signal(signal.SIGHUP)
    assert term.wait_exit() is not None

    again = launch("--db", str(db), "open", slug)
    again.wait_for("rolled back the deploy, watching")
    again.wait_for("Draft recovered")
    assert [e.text for e in Store(open_database(db)).entries(1)] == ["Errors rising"]


def test_workbook_on_an_existing_file_lists_then_follows_others(launch, tmp_path: Path) -> None:
    # The list is drawn from plain-sqlite3 rows before the store opens; once it is open,
    # another responder's new incident must still appear.
    db = tmp_path / "w.db"
    other = Store(open_database(db), author="bob")
    other.create_incident("Checkout database failover", timezone="UTC")
    term = launch("--db", str(db))
    term.wait_for("Checkout database failover")
    other.create_incident("Search is slow", timezone="UTC")
    term.wait_for("Search is slow")
    term.wait_for("2 incidents")


def test_workbook_on_a_new_file_creates_it(launch, tmp_path: Path) -> None:
    db = tmp_path / "new" / "w.db"
    db.parent.mkdir()
    term = launch("--db", str(db))
    term.wait_for("No incidents yet")
    assert Store(open_database(db)).list_incidents() == []
