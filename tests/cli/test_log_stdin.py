"""``workbook log REF -``: the text from standard input, whole or line by line (``--lines``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from models.log_lines import MAX_ENTRY_LINES
from tests.cli.helpers import (
    Outcome,
    database_rows,
    failed_with,
    show_json,
    succeeded,
    workbook,
)
from tests.paths import REPO

LOG = (
    "ERROR 2026-03-02T21:40:01Z db timeout\r\n"
    "ERROR 2026-03-02T21:40:01Z db timeout\r\n"
    "Traceback (most recent call last):\r\n"
    '  File "pool.py", line 3\r\n'
    "[02/Mar/2026:22:41:30 +0100] GET /checkout 502\r\n"
)


def piped(db: Path, *args: str, stdin: str) -> Outcome:
    """``python -m tui --db DB ARGS`` as a separate process, ``stdin`` piped in."""
    proc = subprocess.run(
        [sys.executable, "-m", "tui", "--db", str(db), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=dict(os.environ),
        timeout=60,
    )
    return Outcome(proc.returncode, proc.stdout, proc.stderr)


def test_piped_lines_are_one_entry_with_their_line_breaks(db: Path, slug: str) -> None:
    """What a new user tried: it logged the literal text `-`."""
    out = succeeded(piped(db, "log", slug, "-", "--tag", "note", stdin="line one\nline two\n"))
    assert out.strip().isdigit()
    (entry,) = show_json(db, slug)["timeline"]
    assert (entry["text"], entry["tags"], entry["at"]) == (
        "line one\nline two",
        ["note"],
        "2026-03-02T23:55:00Z",
    )


def test_the_text_from_stdin_round_trips_through_the_export(db: Path, slug: str) -> None:
    succeeded(workbook(db, "log", slug, "-", input="a\n  indented\n\nafter a blank\n"))
    exported = succeeded(workbook(db, "export", slug))
    other = db.parent / "other.db"
    source = db.parent / "pm.md"
    source.write_text(exported)
    succeeded(workbook(other, "import", str(source)))
    (entry,) = show_json(other, "1")["timeline"]
    assert entry["text"] == "a\n  indented\n\nafter a blank"


def test_lines_become_entries_at_their_own_times(db: Path, slug: str) -> None:
    out = succeeded(piped(db, "log", slug, "-", "--lines", "--tag", "db", stdin=LOG))
    assert len(out.split()) == 3
    timeline = show_json(db, slug)["timeline"]
    assert [(e["at"], e["text"], e["tags"]) for e in timeline] == [
        ("2026-03-02T21:40:01Z", "ERROR db timeout", ["db"]),
        (
            "2026-03-02T21:40:01Z",
            'ERROR db timeout\nTraceback (most recent call last):\n  File "pool.py", line 3',
            ["db"],
        ),
        ("2026-03-02T21:41:30Z", "GET /checkout 502", ["db"]),
    ]


def test_dry_run_says_what_it_would_log_and_writes_nothing(db: Path, slug: str) -> None:
    before = database_rows(db)
    out = succeeded(workbook(db, "log", slug, "-", "--lines", "--dry-run", input=LOG))
    assert out.splitlines() == [
        "2026-03-02 21:40:01 UTC  ERROR db timeout",
        "2026-03-02 21:40:01 UTC  ERROR db timeout  (+2 lines)",
        "2026-03-02 21:41:30 UTC  GET /checkout 502",
        "would log 3 entries, 2026-03-02 21:40:01 UTC to 2026-03-02 21:41:30 UTC; nothing written",
    ]
    planned = json.loads(
        succeeded(workbook(db, "log", slug, "-", "--lines", "--dry-run", "--json", input=LOG))
    )
    assert planned["dry_run"] is True
    assert [(e["id"], e["at"]) for e in planned["entries"]] == [
        (None, "2026-03-02T21:40:01Z"),
        (None, "2026-03-02T21:40:01Z"),
        (None, "2026-03-02T21:41:30Z"),
    ]
    assert database_rows(db) == before


def test_json_names_every_entry_logged(db: Path, slug: str) -> None:
    logged = json.loads(succeeded(workbook(db, "log", slug, "-", "--lines", "--json", input=LOG)))
    assert logged["dry_run"] is False
    ids = [e["id"] for e in logged["entries"]]
    assert ids == sorted(ids) and len(ids) == 3
    assert [e["id"] for e in show_json(db, slug)["timeline"]] == ids


def test_bare_times_are_read_in_the_incident_zone_as_at_is(db: Path) -> None:
    slug = succeeded(workbook(db, "new", "Berlin", "--tz", "Europe/Berlin")).strip()
    succeeded(workbook(db, "log", slug, "-", "--lines", input="00:40:00 a\n00:50 b\n"))
    timeline = show_json(db, slug)["timeline"]
    # 23:55 UTC is 00:55 in Berlin: 00:40 and 00:50 are minutes ago, on 3 March there.
    assert [(e["at"], e["text"]) for e in timeline] == [
        ("2026-03-02T23:40:00Z", "a"),
        ("2026-03-02T23:50:00Z", "b"),
    ]


def test_a_local_time_in_a_dst_fold_is_refused_naming_the_line(db: Path) -> None:
    slug = succeeded(workbook(db, "new", "Fall back", "--tz", "Europe/Berlin")).strip()
    before = database_rows(db)
    failed_with(
        workbook(
            db,
            "log",
            slug,
            "-",
            "--lines",
            input="2026-10-25 01:59:00 fine\n2026-10-25 02:30:00 which one?\n",
        ),
        "line 2: 02:30 on 2026-10-25 happens twice in Europe/Berlin",
    )
    assert database_rows(db) == before


@pytest.mark.parametrize("stdin", ["", "\n \n"])
def test_empty_stdin_is_a_clear_error(db: Path, slug: str, stdin: str) -> None:
    before = database_rows(db)
    failed_with(piped(db, "log", slug, "-", stdin=stdin), "standard input is empty")
    assert database_rows(db) == before


def test_lines_without_timestamps_are_refused_with_lines(db: Path, slug: str) -> None:
    failed_with(
        workbook(db, "log", slug, "-", "--lines", input="no\ntimes\n"),
        "no line starts with a timestamp",
    )


def test_too_much_for_one_entry_is_refused_not_cut(db: Path, slug: str) -> None:
    before = database_rows(db)
    text = "\n".join(f"x {n}" for n in range(MAX_ENTRY_LINES + 1))
    failed_with(workbook(db, "log", slug, "-", input=text), "201 lines")
    assert database_rows(db) == before
    # Line by line each entry is small: nothing is refused.
    lines = "\n".join(f"23:{n // 60:02d}:{n % 60:02d} x {n}" for n in range(MAX_ENTRY_LINES + 1))
    out = succeeded(workbook(db, "log", slug, "-", "--lines", input=lines))
    assert len(out.split()) == MAX_ENTRY_LINES + 1


def test_at_with_lines_is_a_usage_error(db: Path, slug: str) -> None:
    result = workbook(db, "log", slug, "-", "--lines", "--at", "21:00", input="21:00 x\n")
    assert result.code == 2
    assert "--at and --lines do not go together" in result.err


def test_a_plain_text_argument_still_logs_as_before(db: Path, slug: str) -> None:
    assert succeeded(workbook(db, "log", slug, "db back")).strip().isdigit()
    assert [e["text"] for e in show_json(db, slug)["timeline"]] == ["db back"]
