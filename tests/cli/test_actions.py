"""Action items, and what ``log`` and ``action`` keep beside the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import show_json, succeeded, workbook


@pytest.fixture
def db(backend: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return backend


def test_author_link_and_source_entry_are_kept(db: Path, slug: str) -> None:
    entry = succeeded(
        workbook(db, "log", slug, "Paged", "--at", "21:10", "--author", "ana")
    ).strip()
    succeeded(workbook(db, "log", slug, "Mine", "--at", "21:11"))
    succeeded(
        workbook(
            db,
            "action",
            slug,
            "Alert sooner",
            "--link",
            "https://tracker.example/OPS-12",
            "--entry",
            entry,
            "--owner",
            "bo",
        )
    )
    data = show_json(db, slug)
    assert [e["author"] for e in data["timeline"]] == ["ana", "tester"]
    (item,) = data["action_items"]
    assert (item["link"], item["owner"]) == ("https://tracker.example/OPS-12", "bo")
    assert "| AI-1 | Alert sooner | bo |" in succeeded(workbook(db, "export", slug))
    assert "entry 1 (2026-03-02 21:10)" in succeeded(workbook(db, "export", slug))
