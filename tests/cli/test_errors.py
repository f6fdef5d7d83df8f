"""How every command fails: one ``error: …`` line, exit 1 (2 for a mistyped command line),
and nothing written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli.helpers import database_rows, failed_with, workbook

# Every check the CLI contract lists, command by command: each must fail on one line,
# exit 1 and leave every table as it was.
ERRORS = [
    # new
    (["new", "  "], "empty"),
    (["new", "x", "--tz", "Mars/Base"], "unknown time zone"),
    (["new", "x", "--severity", "SEV-9"], "severity"),
    (["new", "x", "--started", "half past nine"], "cannot read"),
    (["new", "x", "--tz", "Europe/Berlin", "--started", "2026-03-29 02:30"], "does not exist"),
    (["new", "x", "--tz", "Europe/Berlin", "--started", "2026-10-25 02:30"], "happens twice"),
    # log
    (["log", "nope", "x"], "no incident matches"),
    (["log", "2026-03-02-checkout", "x"], "several incidents"),
    (["log", "1", "x", "--at", "25:99"], "cannot read"),
    (["log", "1", "x", "--at", "2026-02-30 10:00"], "calendar date"),
    (["log", "1", "x", "--tag", "Bad Tag"], "tag"),
    (["log", "1", "x", "--tag", "ok", "--tag", "no_underscores"], "tag"),
    (["log", "1", "x", "--at", "+5m"], "future"),
    (["log", "1", "   "], "empty"),
    # run (a bad tag before the command runs; an unknown incident after it ran)
    (["run", "1", "--tag", "Bad Tag", "--", "true"], "tag"),
    (["run", "nope", "--", "true"], "no incident matches"),
    # edit, history, tag, delete, restore
    (["edit", "1", "999", "--text", "x"], "no entry 999"),
    (["edit", "1", "1", "--at", "noonish"], "cannot read"),
    (["edit", "1", "3", "--text", "  "], "would be empty"),
    (["edit", "2", "1", "--text", "x"], "no entry 1"),
    (["history", "1", "999"], "no entry 999"),
    (["history", "1", "999", "--json"], "no entry 999"),
    (["tag", "1", "1", "Not-Lowercase!"], "tag"),
    (["tag", "1", "999", "note"], "no entry 999"),
    (["delete", "1", "999"], "no entry 999"),
    (["delete", "1", "2"], "already deleted"),
    (["restore", "1", "1"], "not deleted"),
    (["restore", "1", "999"], "no entry 999"),
    # action, action-update
    (["action", "1", "  "], "empty"),
    (["action", "1", "x", "--due", "someday"], "due"),
    (["action", "1", "x", "--due", "2026-02-30"], "calendar date"),
    (["action", "1", "x", "--priority", "urgent"], "priority"),
    (["action", "1", "x", "--type", "fix"], "action type"),
    (["action", "1", "x", "--entry", "999"], "no entry 999"),
    (["action", "nope", "x"], "no incident matches"),
    (["action-update", "1", "AI-9", "status=done"], "AI-9"),
    (["action-update", "1", "AI-x", "status=done"], "not an action item ref"),
    (["action-update", "1", "AI-1", "status=finished"], "status"),
    (["action-update", "1", "AI-1", "colour=red"], "unknown field"),
    (["action-update", "1", "AI-1", "due=tomorrowish"], "due"),
    (["action-update", "1", "AI-1", "title="], "empty"),
    (["action-update", "1", "AI-1", "status"], "FIELD=VALUE"),
    # set
    (["set", "1", "users_affected_pct=150"], "percentage"),
    (["set", "1", "slo_target_pct=100"], "percentage"),
    (["set", "1", "users_affected=abc"], "whole number"),
    (["set", "1", "revenue_lost=12k"], "number"),
    (["set", "1", "colour=red"], "unknown field"),
    (["set", "1", "timezone=Nowhere/Land"], "unknown time zone"),
    (["set", "1", "title="], "empty"),
    (["set", "1", "started_at=around nine"], "started_at"),
    (["set", "1", "severity=SEV-0"], "severity"),
    (["set", "1", "status=closed"], "status"),
    (["set", "1", "data_loss=maybe"], "yes or no"),
    (["set", "1", "currency=euros"], "three-letter"),
    (["set", "1", "slo_window_days=0"], "1 to 366"),
    # A valid change before a bad one: still nothing is written.
    (["set", "1", "severity=SEV-1", "users_affected_pct=101"], "percentage"),
    # show, export, import (open's unknown incident needs a terminal: tests/e2e/test_cli_screens.py)
    (["show", "nope"], "no incident matches"),
    (["show", "nope", "--json"], "no incident matches"),
    (["export", "nope"], "no incident matches"),
    (["export", "1", "-o", "/no/such/folder/pm.md"], "no such file or directory"),
    (["import", "/no/such/folder"], "does not exist"),
    (["import", "{tmp}/empty"], "no Markdown"),
    (["import", "{tmp}/broken.md"], "could not be imported"),
    (["import", "{tmp}/broken.md", "--json"], "could not be imported"),
    # attach, attachment (the limit and the rest in test_attachments.py)
    (["attach", "nope", "{tmp}"], "is a folder"),
    (["attach", "1", "{tmp}/missing.log"], "cannot read"),
    (["attachment", "1", "7"], "no attachment 7"),
    # publish, pull (their git faults are tested on real repos in test_publish_faults.py)
    (["publish", "nope", "--repo", "{tmp}"], "no incident matches"),
    (["publish", "1"], "give --repo"),
    (["publish", "1", "--repo", "{tmp}/empty"], "not a git"),
    (["pull", "1", "--repo", "{tmp}/empty"], "not a git"),
    # stats (its filters are tested in full in test_stats.py)
    (["stats", "--since", "last tuesday"], "YYYY-MM-DD"),
    (["stats", "--severity", "SEV-9"], "SEV-1"),
    # search (its query language is tested in full in tests/models/test_search_query.py)
    (["search", "-- -x"], "add a word to look for"),
    (["search", "pool", "--since", "soon"], "YYYY-MM-DD"),
]


@pytest.mark.parametrize(
    ("args", "fragment"), ERRORS, ids=lambda v: " ".join(v) if isinstance(v, list) else None
)
def test_errors_are_one_line_and_write_nothing(
    lived_in: Path, tmp_path: Path, args: list[str], fragment: str
) -> None:
    before = database_rows(lived_in)
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    failed_with(workbook(lived_in, *args), fragment)
    assert database_rows(lived_in) == before
    assert not list(tmp_path.glob("**/pm.md"))


def test_the_error_list_covers_every_command() -> None:
    from tui.cli import cli

    tested = {args[0] for args, _ in ERRORS}
    # None of these three can fail on input; open refuses without a terminal before it reads
    # its incident (tests/cli/test_full_screen.py), its own errors are tested in one.
    assert set(cli.commands) - tested == {"config", "demo", "list", "open"}


@pytest.mark.parametrize(
    "args",
    [
        ["log"],
        ["frobnicate"],
        ["show", "1", "--colour"],
        ["export", "1", "--format", "pdf"],
        ["edit", "1", "1"],
    ],
)
def test_usage_errors_exit_2_on_one_line(db: Path, slug: str, args: list[str]) -> None:
    failed_with(workbook(db, *args), "", code=2)


def test_text_that_is_not_utf8_is_refused_clearly(db: Path, slug: str) -> None:
    before = database_rows(db)
    # What Python makes of the bytes b"\xff" on a command line.
    failed_with(workbook(db, "log", slug, "bad \udcff byte"), "not valid UTF-8")
    failed_with(workbook(db, "set", slug, "title=bad \udcff"), "not valid UTF-8")
    assert database_rows(db) == before


def test_a_database_refusing_a_write_is_one_line_in_the_apps_words(db: Path, slug: str) -> None:
    con = sqlite3.connect(db)
    con.execute(
        "CREATE TRIGGER frozen BEFORE UPDATE ON incident "
        "BEGIN SELECT RAISE(ABORT, 'frozen for the audit'); END"
    )
    con.commit()
    con.close()
    before = database_rows(db)
    failed_with(
        workbook(db, "set", slug, "severity=SEV-1"),
        "the database refused it (frozen for the audit); nothing was written",
    )
    assert database_rows(db) == before
