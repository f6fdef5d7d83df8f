"""Calling the CLI as a user does: in-process for speed, as a real process where it matters."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tests.paths import REPO
from tui.cli import cli


@dataclass
class Outcome:
    code: int
    out: str
    err: str


def workbook(db: Path, *args: str, input: str | None = None) -> Outcome:
    """Run ``workbook --db DB ARGS`` in this process."""
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(db), *args], input=input, prog_name="workbook")
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr)


def workbook_default(*args: str) -> Outcome:
    """Run ``workbook ARGS`` in this process with no --db: WORKBOOK_DB or the default."""
    result = CliRunner().invoke(cli, list(args), prog_name="workbook")
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr)


def workbook_process(*args: str, env: dict[str, str] | None = None) -> Outcome:
    """Run ``python -m tui ARGS`` as a separate process."""
    proc = subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=60,
    )
    return Outcome(proc.returncode, proc.stdout, proc.stderr)


def show_json(db: Path, ref: str) -> dict[str, Any]:
    """``workbook show REF --json``, which must succeed, read back."""
    data: dict[str, Any] = json.loads(succeeded(workbook(db, "show", ref, "--json")))
    return data


def succeeded(result: Outcome) -> str:
    """The output of a command that must succeed silently on stderr."""
    assert result.code == 0, (result.code, result.out, result.err)
    assert result.err == ""
    return result.out


def failed_with(result: Outcome, fragment: str, code: int = 1) -> None:
    """A command that must fail the way the guide says: one ``error: …`` line on stderr."""
    assert result.code == code, (result.code, result.out, result.err)
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: ") and fragment in lines[0], lines[0]
    assert "Traceback" not in result.err


def database_rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, read without writing: what "nothing was written" means."""
    if not db.exists():
        return {}
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [
            name
            for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        # The search index's FTS5 tables include some WITHOUT ROWID ones: read those in
        # their key order.
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}
    finally:
        con.close()
