"""``workbook search``, called the way users and scripts call it."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from models.store import Store
from tests.cli.helpers import failed_with, succeeded, workbook
from tests.conftest import FIXED_NOW
from tui.cli import cli


def _filled(store: Store) -> dict[str, int]:
    old = store.create_incident(
        "Checkout down",
        timezone="UTC",
        severity="SEV-1",
        services=["checkout"],
        started_at=FIXED_NOW - timedelta(days=40),
    )
    assert old.id is not None
    entry = store.log_entry(
        old.id, "pool exhausted \x1b[31m[red]x[/red]", at=FIXED_NOW - timedelta(days=40)
    )
    store.log_entry(old.id, "blamed the CDN", tags=["false-lead"])
    store.add_action(old.id, "Alert on pool size")
    new = store.create_incident("Slow search", timezone="UTC", started_at=FIXED_NOW)
    assert new.id is not None
    store.update_incident(new.id, {"root_cause": "pool too small"})
    return {"old": old.id, "new": new.id, "entry": entry.id}  # type: ignore[dict-item]


def test_search_json_names_the_incident_the_place_and_the_match(
    store: Store, db_path: Path
) -> None:
    ids = _filled(store)
    data = json.loads(succeeded(workbook(db_path, "search", "pool", "--json")))
    assert data["query"] == "pool"
    places = {(h["incident"]["id"], h["where"]) for h in data["hits"]}
    assert places == {
        (ids["old"], f"entry {ids['entry']}"),
        (ids["old"], "AI-1"),
        (ids["new"], "root_cause"),
    }
    for hit in data["hits"]:
        assert [hit["snippet"][s:e].lower() for s, e in hit["matches"]] == ["pool"]
        assert hit["at"].endswith("Z")
        assert hit["incident"]["slug"]
    entry = next(h for h in data["hits"] if h["kind"] == "entry")
    assert entry["entry_id"] == ids["entry"]
    assert entry["snippet"].startswith("pool exhausted \x1b[31m")  # JSON escapes it


def test_search_filters_and_limit(store: Store, db_path: Path) -> None:
    ids = _filled(store)

    def incidents(*args: str) -> set[int]:
        out = json.loads(succeeded(workbook(db_path, "search", "--json", *args)))
        return {h["incident"]["id"] for h in out["hits"]}

    assert incidents("pool", "--since", "2026-03-01") == {ids["new"]}
    assert incidents("pool", "--severity", "1") == {ids["old"]}
    assert incidents("service:checkout") == {ids["old"]}
    assert incidents("tag:fl") == {ids["old"]}
    assert incidents("pool -exhausted -alert") == {ids["new"]}
    assert incidents("--", "pool", "-exhausted", "-alert") == {ids["new"]}
    out = json.loads(succeeded(workbook(db_path, "search", "pool", "--json", "--limit", "1")))
    assert len(out["hits"]) == 1


def test_search_text_marks_matches_and_shows_user_text_literally(
    store: Store, db_path: Path
) -> None:
    ids = _filled(store)
    plain = succeeded(workbook(db_path, "search", "exhausted"))
    lines = plain.splitlines()
    assert lines[0].split("  ")[1] == f"entry {ids['entry']}"
    assert "\x1b" not in plain
    assert lines[1] == "    pool exhausted \\e[31m[red]x[/red]"
    result = CliRunner().invoke(
        cli, ["--db", str(db_path), "search", "exhausted"], color=True, prog_name="workbook"
    )
    marked = result.stdout.splitlines()[1]
    assert "\x1b[1m\x1b[4mexhausted\x1b[0m" in marked
    assert marked.count("\x1b") == 3  # the user's own escape was shown, not sent
    assert succeeded(workbook(db_path, "search", "nothing-like-this")) == "No matches.\n"


def test_search_refuses_bad_input_in_one_line(store: Store, db_path: Path) -> None:
    _filled(store)
    failed_with(workbook(db_path, "search", "-- -x"), "add a word to look for")
    failed_with(workbook(db_path, "search", "pool", "--since", "soon"), "cannot read")
    failed_with(workbook(db_path, "search", "pool", "--severity", "9"), "severity")
    failed_with(workbook(db_path, "search", "tag:Bad_Tag"), "tag")
    failed_with(workbook(db_path, "search", '"'), "type a word")
