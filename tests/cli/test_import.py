"""``workbook import`` as a user calls it: folders, dry runs, JSON, re-imports, bad input."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.helpers import failed_with, succeeded, workbook
from tests.exporters.ingest.helpers import HELD_OUT

PREVIEW_KEYS = [
    "file",
    "format",
    "title",
    "started_at",
    "resolved_at",
    "timezone",
    "duration_minutes",
    "stated_duration_minutes",
    "evidence",
    "severity",
    "timeline",
    "action_items",
    "impact",
    "sections",
    "warnings",
]
IMPACT_KEYS = {"users_affected_pct", "users_affected", "transactions_lost", "revenue_lost"}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "import.db"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three held-out postmortems in nested folders, and files that are not postmortems."""
    root = tmp_path / "postmortems"
    (root / "2023").mkdir(parents=True)
    shutil.copy(HELD_OUT / "h02_pagerduty.md", root / "2023" / "api-5xx.md")
    shutil.copy(HELD_OUT / "h06_ops_notes.txt", root / "db-disk.txt")
    shutil.copy(HELD_OUT / "h13_caps_headings.txt", root / "2023" / "orders.markdown")
    (root / "diagram.png").write_bytes(b"\x89PNG")
    (root / "notes.rst").write_text("not ours\n")
    return root


def listed(db: Path) -> list[dict]:
    return json.loads(succeeded(workbook(db, "list", "--json")))


def test_a_folder_is_searched_recursively_for_md_markdown_and_txt(db: Path, folder: Path) -> None:
    out = succeeded(workbook(db, "import", str(folder)))
    lines = out.splitlines()
    assert len(lines) == 3
    # slug, duration, entries, action items, warnings: one line per file
    assert lines[0].startswith("2023-09-18-incident-elevated-5xx-on-the-public-api")
    assert "1h 25m" in lines[0] and "8 entries" in lines[0] and "4 action items" in lines[0]
    assert "warnings" in lines[0]
    incidents = listed(db)
    assert len(incidents) == 3
    assert {i["status"] for i in incidents} == {"published"}


def test_the_imported_incident_keeps_its_figures(db: Path, folder: Path) -> None:
    succeeded(workbook(db, "import", str(folder / "2023" / "api-5xx.md")))
    shown = json.loads(succeeded(workbook(db, "show", "1", "--json")))
    assert shown["severity"] == "SEV-2"
    assert shown["metrics"]["duration_minutes"] == 85
    assert len(shown["timeline"]) == 8
    assert [a["priority"] for a in shown["action_items"]] == ["high", "high", "medium", "low"]


def test_importing_the_same_folder_again_skips_what_is_already_there(
    db: Path, folder: Path
) -> None:
    succeeded(workbook(db, "import", str(folder)))
    shutil.copy(HELD_OUT / "h04_blog_midnight.md", folder / "dns.md")
    out = succeeded(workbook(db, "import", str(folder)))
    assert out.count("skipped: already in the workbook") == 3
    assert "partial-dns-resolution-failures-in-frankfurt" in out
    assert len(listed(db)) == 4


def test_dry_run_json_is_the_contract_and_writes_nothing(db: Path, folder: Path) -> None:
    previews = json.loads(succeeded(workbook(db, "import", str(folder), "--dry-run", "--json")))
    assert [Path(p["file"]).name for p in previews] == [
        "api-5xx.md",
        "orders.markdown",
        "db-disk.txt",
    ]
    for preview in previews:
        assert list(preview) == PREVIEW_KEYS
        assert preview["format"] == "foreign"
        assert set(preview["impact"]) >= IMPACT_KEYS
        assert all(set(e) == {"at", "text", "tags"} for e in preview["timeline"])
        assert all(
            set(a) == {"title", "owner", "priority", "status"} for a in preview["action_items"]
        )
    api = previews[0]
    assert api["started_at"] == "2023-09-18T07:40:00Z"
    assert api["resolved_at"] == "2023-09-18T09:05:00Z"
    assert api["duration_minutes"] == 85
    assert api["stated_duration_minutes"] == 85
    assert api["impact"]["users_affected_pct"] == 12
    assert api["impact"]["transactions_lost"] == 2150
    assert "resolution" in api["sections"]
    orders = previews[1]
    assert orders["title"] == 'INC-88 Orders stuck in "awaiting pick"'
    assert orders["timezone"] == "Europe/Berlin"
    assert listed(db) == []


def test_dry_run_text_names_each_file_with_its_figures(db: Path, folder: Path) -> None:
    out = succeeded(workbook(db, "import", str(folder / "db-disk.txt"), "--dry-run"))
    assert out == (
        f"{folder / 'db-disk.txt'}: foreign, 'INCIDENT: db-primary disk full, writes "
        "rejected', 37m, 8 entries, 3 action items, 2 warnings\n"
    )


def test_import_json_reports_slugs_and_counts(db: Path, folder: Path) -> None:
    results = json.loads(succeeded(workbook(db, "import", str(folder), "--json")))
    assert [r["entries"] for r in results] == [8, 8, 8]
    assert all(r["error"] is None and r["skipped"] is None for r in results)


def test_a_readme_among_the_postmortems_is_left_out(db: Path, folder: Path) -> None:
    (folder / "README.md").write_text("# Our postmortems\n\nOne file per incident.\n")
    previews = json.loads(succeeded(workbook(db, "import", str(folder), "--dry-run", "--json")))
    readme = next(p for p in previews if p["file"].endswith("README.md"))
    assert readme["warnings"] == [
        "Not imported: nothing in it reads as an incident (no times, no action items)."
    ]
    out = succeeded(workbook(db, "import", str(folder)))
    assert f"{folder / 'README.md'}  skipped: nothing in it reads as an incident" in out
    assert len(listed(db)) == 3


def test_an_unreadable_file_fails_the_dry_run_too_but_the_others_are_shown(
    db: Path, folder: Path
) -> None:
    (folder / "broken.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = workbook(db, "import", str(folder), "--dry-run")
    failed_with(result, "1 of 4 files could not be read")
    assert "broken.md: error: " in result.out and "binary file" in result.out
    assert result.out.count(" entries, ") == 3
    assert listed(db) == []


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda root: root / "missing.md", "does not exist"),
        (lambda root: root, "no Markdown or text files found"),
    ],
)
def test_nothing_to_import_is_a_one_line_error(
    db: Path, tmp_path: Path, make: Callable[[Path], Path], fragment: str
) -> None:
    result = workbook(db, "import")
    assert result.code == 2
    assert "Missing argument" in result.err


EVIDENCE_DOCUMENT = """# Queue stalled

Summary: the outage lasted from 10:00 to 10:45 UTC on 2024-05-02.

## Timeline

- 09:58 deploy started
- 10:05 alerts fired
- 10:45 queue drained, all clear
"""


def test_dry_run_json_gives_evidence_and_confidence_for_start_end_and_duration(
    db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "queue.md"
    path.write_text(EVIDENCE_DOCUMENT)
    [item] = json.loads(succeeded(workbook(db, "import", "--dry-run", "--json", str(path))))
    evidence = item["evidence"]
    assert evidence["start"]["line"] == 3
    assert evidence["start"]["confidence"] == "stated"
    assert "10:00 to 10:45" in evidence["start"]["text"]
    assert evidence["end"]["confidence"] == "stated"
    assert evidence["duration"]["confidence"] == "derived"
    assert evidence["duration"]["minutes"] == 45


def test_explain_prints_the_evidence_for_a_person_and_writes_nothing(
    db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "queue.md"
    path.write_text(EVIDENCE_DOCUMENT)
    out = succeeded(workbook(db, "import", "--explain", str(path)))
    assert "Start: 2024-05-02T10:00:00Z  (stated: " in out
    assert "line 3: Summary: the outage lasted from 10:00 to 10:45 UTC" in out
    assert "Duration: 45m  (derived: " in out
    assert listed(db) == []


@pytest.mark.parametrize(
    ("encode", "warning"),
    [
        (lambda text: text.encode("utf-8"), False),
        (lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), False),
        (lambda text: text.encode("utf-16"), False),
        (lambda text: text.encode("cp1252"), True),
        (lambda text: text.encode("latin-1"), True),
    ],
)
def test_documents_in_the_encodings_found_in_the_wild_are_read(
    db: Path, tmp_path: Path, encode: Callable[[str], bytes], warning: bool
) -> None:
    text = EVIDENCE_DOCUMENT.replace("Queue stalled", "Caf\u00e9 queue stalled")
    path = tmp_path / "cafe.md"
    path.write_bytes(encode(text))
    [item] = json.loads(succeeded(workbook(db, "import", "--dry-run", "--json", str(path))))
    assert item["title"] == "Caf\u00e9 queue stalled"
    assert item["duration_minutes"] == 45
    assert any("Windows-1252" in w for w in item["warnings"]) == warning


def test_a_binary_file_is_refused_with_the_reason(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "image.md"
    path.write_bytes(bytes(range(256)) * 4)
    result = workbook(db, "import", str(path))
    failed_with(result, "1 of 1 files could not be imported")
    assert "image.md cannot be imported: it is a binary file, not text" in result.out
