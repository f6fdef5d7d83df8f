"""The commands that open the workbook, up to the screen (tests/e2e/ takes it from there)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import failed_with, succeeded, workbook


def test_demo_loads_the_five_samples(db: Path) -> None:
    out = succeeded(workbook(db, "demo", "--print"))
    assert len(out.strip().splitlines()) == 5
    assert "2024-06-20-storefront-down" in out
    assert not db.exists(), "the demo works on a throwaway database"


def test_open_an_unknown_incident_is_an_error_before_the_screen(db: Path, slug: str) -> None:
    failed_with(workbook(db, "open", "no-such-incident"), "no incident matches")
