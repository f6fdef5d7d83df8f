"""The CLI as a separate process: ``python -m tui``, the installed script, what it loads."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.cli.helpers import failed_with, workbook_process
from tests.paths import REPO


def test_real_process_help_and_error(tmp_path: Path) -> None:
    result = workbook_process("--help")
    assert result.code == 0 and "log" in result.out and "export" in result.out
    result = workbook_process("--db", str(tmp_path / "p.db"), "show", "missing")
    failed_with(result, "no incident matches")
    result = workbook_process("--db", str(tmp_path / "p.db"), "new", "From a process")
    assert result.code == 0 and result.out.strip().endswith("from-a-process")


def test_the_installed_console_script_is_the_same_cli(tmp_path: Path) -> None:
    script = shutil.which("workbook", path=str(Path(sys.executable).parent))
    assert script is not None, "the workbook console script is not installed"
    db = str(tmp_path / "s.db")
    made = subprocess.run(
        [script, "--db", db, "new", "Via the script"], capture_output=True, text=True, timeout=60
    )
    assert (made.returncode, made.stderr) == (0, "")
    listed = subprocess.run(
        [script, "--db", db, "list", "--json"], capture_output=True, text=True, timeout=60
    )
    assert [row["slug"] for row in json.loads(listed.stdout)] == [made.stdout.strip()]
    version = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("workbook, version ")
    bad = subprocess.run([script, "frobnicate"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.startswith("error: ")


def test_no_command_but_the_screen_loads_textual(tmp_path: Path) -> None:
    """Every non-TUI command, run in one process: Textual never gets imported."""
    db = tmp_path / "x.db"
    out = tmp_path / "pm.md"
    code = f"""
import sys
from tui.cli import main
def run(*args):
    try:
        main(["--db", {str(db)!r}, *args])
    except SystemExit as exc:
        assert not exc.code, (args, exc.code)
run("new", "Plain", "--started", "2026-03-02 21:00")
run("log", "1", "Paged", "--tag", "detected", "--at", "21:05")
run("edit", "1", "1", "--text", "Paged by alert")
run("history", "1", "1")
run("tag", "1", "1", "note")
run("action", "1", "Fix it")
run("action-update", "1", "AI-1", "status=done")
run("set", "1", "users_affected=10")
run("show", "1")
run("show", "1", "--json")
run("list")
run("export", "1", "-o", {str(out)!r})
run("export", "1", "--format", "json")
run("import", {str(out)!r}, "--dry-run")
run("delete", "1", "1")
run("restore", "1", "1")
run("config")
run("demo", "--print")
print(sorted(m for m in sys.modules if m.split(".")[0] == "textual"), file=sys.stderr)
"""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "[]"
