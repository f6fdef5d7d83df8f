"""The incident list drawn before the store is open, and everything working once it is."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from models.db import DatabaseProblem
from models.listing import read_list_rows
from models.location import database_url
from models.store import Store
from tests.paths import REPO
from tests.tui.support import FIXED, make_store, screen_text, settings
from tui.app import WorkbookApp, make_app


def test_the_list_path_does_not_load_sqlalchemy() -> None:
    # SQLAlchemy and SQLModel take longer to load than Textual: the first frame must not
    # wait for them (the benchmark holds the time; this holds the reason).
    code = (
        "import sys, tui.cli, tui.app, tui.screens.incident_list, models.listing; "
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'sqlmodel', 'alembic', 'pydantic')); print(heavy)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def _lazy_app(
    db: Path, tmp_path: Path, opener: Callable[[], Store]
) -> tuple[WorkbookApp, list[str]]:
    rows = read_list_rows(db)
    assert rows is not None
    app = make_app(
        store=opener,
        settings=settings(),
        clock=lambda: FIXED,
        database=database_url(db),
        first_rows=rows,
        drafts_dir=tmp_path / "drafts",
    )
    return app, [row.title for row in rows]


async def test_rows_show_while_the_store_opens_then_live_refresh_works(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    other = make_store(db, author="bob")
    other.create_incident("Checkout database failover", timezone="UTC")
    release = threading.Event()
    opened: list[Store] = []

    def opener() -> Store:
        release.wait(timeout=30)
        opened.append(make_store(db))
        return opened[-1]

    app, titles = _lazy_app(db, tmp_path, opener)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert titles == ["Checkout database failover"]
        assert "Checkout database failover" in screen_text(app)
        assert not app.store_is_open
        # Committed after the first read and before the store is open: must not be lost.
        other.create_incident("Search is slow", timezone="UTC")
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.store_is_open
        assert "Search is slow" in screen_text(app)
        other.create_incident("Payments timing out", timezone="UTC")
        app.poll_database()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Payments timing out" in screen_text(app)
        await pilot.press("end", "enter")  # the first incident (newest first); needs the store
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Checkout database failover" in screen_text(app)
        assert type(app.screen).__name__ == "IncidentScreen"


async def test_a_store_that_cannot_open_is_explained_and_the_list_stays(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    make_store(db).create_incident("Checkout database failover", timezone="UTC")

    def opener() -> Store:
        raise DatabaseProblem("the database is damaged: restore it from a backup")

    app, _ = _lazy_app(db, tmp_path, opener)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("cannot open the database" in m and "backup" in m for m in messages)
        assert "Checkout database failover" in screen_text(app)
        await pilot.press("s")  # keys still work; nothing crashes
        await pilot.pause()
        assert app.is_running
