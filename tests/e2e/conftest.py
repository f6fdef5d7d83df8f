"""The real program in a pseudo-terminal: a database with one incident, and a launcher."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from models.db import open_database
from models.store import Store
from tests.e2e.terminal import PtyScreen


@pytest.fixture
def incident(tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "pty.db"
    store = Store(open_database(db), author="tester")
    made = store.create_incident("Disk full on db-1", timezone="UTC")
    store.log_entry(made.id, "Errors rising", tags=["impact-start"])  # type: ignore[arg-type]
    return db, made.slug


@pytest.fixture
def launch(tmp_path: Path) -> Iterator:
    opened: list[PtyScreen] = []

    def start(*args: str, own_session: bool = False, **env: str) -> PtyScreen:
        environ = {
            **os.environ,
            "TERM": "xterm-256color",
            # Drafts and settings of the test's own, never the user's.
            "XDG_STATE_HOME": str(tmp_path / "state"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            **env,
        }
        environ.pop("WORKBOOK_NOW", None)  # a live incident runs on the real clock
        term = PtyScreen([sys.executable, "-m", "tui", *args], env=environ, own_session=own_session)
        opened.append(term)
        return term

    yield start
    for term in opened:
        term.close()
