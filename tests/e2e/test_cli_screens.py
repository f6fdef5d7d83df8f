"""The commands that open the full-screen workbook, run as a user runs them: in a terminal.

`workbook`, `workbook open REF` and `workbook demo` are CLI commands like the others; here
each one is started in a pseudo-terminal at 80×24, shows what it should, and quits on
ctrl+q with exit status 0.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from models.db import open_database
from models.store import Store
from tests.e2e.terminal import PtyScreen

CTRL_Q = "\x11"


@pytest.fixture
def terminal() -> Iterator:
    opened: list[PtyScreen] = []

    def start(*args: str) -> PtyScreen:
        env = {**os.environ, "TERM": "xterm-256color"}
        term = PtyScreen([sys.executable, "-m", "tui", *args], env=env)
        opened.append(term)
        return term

    yield start
    for term in opened:
        term.close()


def quit_cleanly(term: PtyScreen) -> None:
    term.type(CTRL_Q)
    assert term.wait_exit(20.0) == 0, term.text()


def test_no_command_opens_the_incident_list(terminal, tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    store = Store(open_database(db))
    store.create_incident("Disk full on db-1", timezone="UTC")
    store.create_incident("Queue backlog", timezone="UTC")
    term = terminal("--db", str(db))
    term.wait_for("Disk full on db-1")
    term.wait_for("Queue backlog")
    quit_cleanly(term)


def test_open_goes_straight_to_the_incident(terminal, tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    store = Store(open_database(db))
    made = store.create_incident("Disk full on db-1", timezone="UTC")
    store.log_entry(made.id, "Errors rising on the API", tags=["impact-start"])  # type: ignore[arg-type]
    term = terminal("--db", str(db), "open", made.slug)
    term.wait_for("Errors rising on the API")
    quit_cleanly(term)


def test_open_an_unknown_incident_is_an_error_before_the_screen(terminal, tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    Store(open_database(db)).create_incident("Disk full on db-1", timezone="UTC")
    term = terminal("--db", str(db), "open", "no-such-incident")
    assert term.wait_exit(20.0) == 1, term.text()
    term.wait_for("error: no incident matches")
    shown = [line for line in term.text().splitlines() if line.strip()]
    assert len(shown) == 1, shown  # one line, and no screen was drawn


def test_demo_shows_the_samples_and_leaves_no_database(
    terminal, tmp_path: Path, isolated_environment: Path
) -> None:
    term = terminal("demo")
    for title in ("Spy-cam outage", "Storefront down"):
        term.wait_for(title)
    quit_cleanly(term)
    made = [p for p in isolated_environment.rglob("*") if p.name.startswith("workbook.db")]
    assert made == [], "the demo must not touch the user's own database"
