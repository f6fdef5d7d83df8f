"""The worlds the CLI tests start from: a database file, one incident, a lived-in record."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import succeeded, workbook


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cli.db"


@pytest.fixture
def slug(db: Path) -> str:
    return succeeded(
        workbook(
            db,
            "new",
            "Checkout down",
            "--severity",
            "SEV-2",
            "--tz",
            "UTC",
            "--service",
            "checkout",
            "--started",
            "2026-03-02 21:00",
        )
    ).strip()


@pytest.fixture
def lived_in(db: Path, slug: str, tmp_path: Path) -> Path:
    """Entries 1 (tagged), 2 (deleted) and 3 (untagged), action AI-1, a second incident."""
    succeeded(workbook(db, "log", slug, "Error rate up", "--at", "21:00", "--tag", "impact-start"))
    succeeded(workbook(db, "log", slug, "Wrong incident", "--at", "21:05"))
    succeeded(workbook(db, "delete", slug, "2"))
    succeeded(workbook(db, "log", slug, "Untagged words", "--at", "21:10"))
    succeeded(workbook(db, "action", slug, "Alert on 5xx"))
    succeeded(workbook(db, "new", "Checkout slow", "--tz", "UTC", "--started", "2026-03-02 21:00"))
    (tmp_path / "empty").mkdir()
    (tmp_path / "broken.md").write_text("---\nworkbook_format: 1\ntitle: 3\n---\n")
    return db
