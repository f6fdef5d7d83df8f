"""``workbook attach`` and ``workbook attachment`` as a user calls them: files and standard
input in, the same bytes out, the limit refused with nothing written."""

from __future__ import annotations

import hashlib
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cli.helpers import database_rows, failed_with, show_json, succeeded, workbook
from tests.paths import REPO
from tui.cli import cli

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "wb.db"
    succeeded(
        workbook(path, "new", "Checkout down", "--tz", "UTC", "--started", "2026-03-02 21:40")
    )
    return path


def _bytes_out(db: Path, *args: str, input: bytes | None = None) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(cli, ["--db", str(db), *args], input=input, prog_name="workbook")
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout_bytes, result.stderr


def test_attach_a_file_and_stdin_then_write_them_back_out(db: Path, tmp_path: Path) -> None:
    entry = succeeded(workbook(db, "log", "1", "ran the slow query", "--at", "21:45")).strip()
    graph = tmp_path / "latency.png"
    graph.write_bytes(PNG)
    first = succeeded(workbook(db, "attach", "1", str(graph))).strip()
    log = "21:45 ERROR pool exhausted\n[red]literal[/red] \x1b[31mred\x1b[0m\n"
    code, out, err = _bytes_out(
        db, "attach", "1", "-", "--entry", entry, "--name", "pool.log", input=log.encode()
    )
    assert (code, err) == (0, "")
    second = out.decode().strip()

    listed = show_json(db, "1")["attachments"]
    assert listed == [
        {
            "id": int(first),
            "entry_id": None,
            "name": "latency.png",
            "media_type": "image/png",
            "bytes": len(PNG),
            "sha256": hashlib.sha256(PNG).hexdigest(),
        },
        {
            "id": int(second),
            "entry_id": int(entry),
            "name": "pool.log",
            "media_type": "text/plain",
            "bytes": len(log.encode()),
            "sha256": hashlib.sha256(log.encode()).hexdigest(),
        },
    ]
    assert _bytes_out(db, "attachment", "1", first) == (0, PNG, "")
    assert _bytes_out(db, "attachment", "1", second) == (0, log.encode(), "")
    saved = tmp_path / "out" / "copy.png"
    saved.parent.mkdir()
    succeeded(workbook(db, "attachment", "1", first, "-o", str(saved)))
    assert saved.read_bytes() == PNG

    # The same name again is kept under a new one, and says so.
    again = workbook(db, "attach", "1", str(graph))
    assert again.code == 0 and "kept as latency-2.png" in again.err


def test_refusals_write_nothing(db: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.log"
    big.write_bytes(b"x" * 2048)
    before = database_rows(db)
    env = {"WORKBOOK_ATTACHMENT_LIMIT": "1KiB"}
    runner = CliRunner(env=env)
    result = runner.invoke(cli, ["--db", str(db), "attach", "1", str(big)], prog_name="workbook")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: big.log is 2 KiB, over the attachment limit of 1 KiB (setting attachment_limit)\n"
    )
    result = runner.invoke(
        cli, ["--db", str(db), "attach", "1", "-"], input=b"y" * 1025, prog_name="workbook"
    )
    assert result.exit_code == 1 and "over the attachment limit of 1 KiB" in result.stderr
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    failed_with(workbook(db, "attach", "1", str(empty)), "nothing to attach")
    failed_with(workbook(db, "attach", "1", str(tmp_path)), "is a folder")
    failed_with(workbook(db, "attach", "1", str(tmp_path / "missing")), "cannot read")
    failed_with(workbook(db, "attach", "1", str(big), "--entry", "99"), "no entry 99")
    failed_with(workbook(db, "attach", "1", str(big), "--name", "a/b"), "not a path")
    failed_with(workbook(db, "attachment", "1", "5"), "no attachment 5")
    assert database_rows(db) == before


def test_binary_is_not_written_to_a_terminal(db: Path, tmp_path: Path) -> None:
    graph = tmp_path / "g.png"
    graph.write_bytes(PNG)
    attached = succeeded(workbook(db, "attach", "1", str(graph))).strip()
    main, secondary = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tui", "--db", str(db), "attachment", "1", attached],
            stdout=secondary,
            stderr=subprocess.PIPE,
            cwd=REPO,
            env={**os.environ},
            timeout=60,
        )
    finally:
        os.close(secondary)
        os.close(main)
    assert proc.returncode == 1
    assert proc.stderr.decode().startswith("error: g.png is a binary file (image/png)")
