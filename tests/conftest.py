"""Every test builds its own world: private folders, no tester config, a fixed clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from models.db import open_database
from models.store import Store

FIXED_NOW = datetime(2026, 3, 2, 23, 55, tzinfo=UTC)


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    # The site-wide config (/etc/xdg/… by default) stays out too.
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(home / "xdg_config_dirs"))
    for name in list(os.environ):
        if name.startswith("WORKBOOK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("WORKBOOK_TIMEZONE", "UTC")
    monkeypatch.setenv("WORKBOOK_AUTHOR", "tester")
    monkeypatch.setenv("WORKBOOK_NOW", FIXED_NOW.isoformat())
    monkeypatch.delenv("EDITOR", raising=False)
    yield home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "workbook.db"


@pytest.fixture
def store(db_path: Path) -> Store:
    return Store(open_database(db_path), author="tester", clock=lambda: FIXED_NOW)


@pytest.fixture(autouse=True)
def no_tester_git_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tester's own ~/.gitconfig (identity, hooks, insteadOf) stays out of every test."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_SSH_COMMAND"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test (see tests/postgres.py), dropped after."""
    from tests.postgres import fresh_database

    with fresh_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database location on each backend in turn: a SQLite file, a fresh PostgreSQL
    database. A module runs its tests on both by defining ``db_path`` (or ``db``) from it."""
    if request.param == "sqlite":
        yield str(tmp_path / "workbook.db")
        return
    from tests.postgres import fresh_database

    with fresh_database() as url:
        yield url
