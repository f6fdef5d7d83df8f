"""``export`` and ``import`` of the workbook's own documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import show_json, succeeded, workbook


@pytest.fixture
def db(backend: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return backend


def test_export_markdown_and_json_to_file(db: Path, slug: str, tmp_path: Path) -> None:
    succeeded(workbook(db, "log", slug, "Something", "--at", "21:30"))
    markdown = succeeded(workbook(db, "export", slug))
    assert markdown.endswith("\n") and "Something" in markdown
    target = tmp_path / "out.md"
    succeeded(workbook(db, "export", slug, "-o", str(target)))
    assert target.read_text() == markdown
    as_json = json.loads(succeeded(workbook(db, "export", slug, "--format", "json")))
    assert as_json["slug"] == slug


def test_export_then_import_into_an_empty_database(db: Path, slug: str, tmp_path: Path) -> None:
    succeeded(workbook(db, "log", slug, "Start | of *it*", "--at", "21:00", "--tag", "start"))
    succeeded(
        workbook(db, "log", slug, "# not a heading\nsecond line", "--at", "21:30", "--tag", "res")
    )
    succeeded(workbook(db, "action", slug, "Fix it", "--priority", "low"))
    path = tmp_path / "pm.md"
    succeeded(workbook(db, "export", slug, "-o", str(path)))
    other = tmp_path / "other.db"
    out = succeeded(workbook(other, "import", str(path)))
    assert slug in out
    before, after = show_json(db, slug), show_json(other, slug)
    for data in (before, after):
        data.pop("id")
        for item in data["action_items"]:
            item.pop("id")
        for entry in data["timeline"]:
            entry.pop("id")
    assert before == after


def test_import_dry_run_writes_nothing(db: Path, slug: str, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    succeeded(workbook(db, "export", slug, "-o", str(folder / "a.md")))
    other = tmp_path / "other.db"
    previews = json.loads(succeeded(workbook(other, "import", str(folder), "--dry-run", "--json")))
    assert [p["format"] for p in previews] == ["workbook"]
    assert previews[0]["title"] == "Checkout down"
    assert json.loads(succeeded(workbook(other, "list", "--json"))) == []


def test_import_reports_each_file_and_fails_for_unreadable_ones(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.md").write_text(
        "# Cache stampede\n\n## Timeline\n\n- 2024-03-01 10:00 UTC: errors begin\n"
        "- 2024-03-01 10:30 UTC: fully resolved\n"
    )
    (folder / "binary.md").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00bad")
    result = workbook(db, "import", str(folder))
    assert result.code == 1
    assert "binary.md: error: " in result.out and "binary file" in result.out
    assert "cache-stampede" in result.out
    assert result.err.startswith("error: 1 of 2 files")
    assert len(json.loads(succeeded(workbook(db, "list", "--json")))) == 1
