"""Which database file the commands use, and one they must not use."""

from __future__ import annotations

import gc
import json
import sqlite3
import stat
from pathlib import Path

import pytest

from tests.cli.helpers import database_rows, failed_with, workbook, workbook_default


def test_the_database_comes_from_workbook_db_or_the_user_data_folder(
    tmp_path: Path, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = tmp_path / "chosen" / "w.db"
    monkeypatch.setenv("WORKBOOK_DB", str(chosen))
    assert workbook_default("new", "From the environment").code == 0
    assert chosen.is_file()
    monkeypatch.delenv("WORKBOOK_DB")
    assert workbook_default("new", "In the data folder").code == 0
    folder = isolated_environment / "xdg_data_home" / "incident-workbook"
    default = folder / "workbook.db"
    assert default.is_file()
    for path in (chosen.parent, folder):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    # The write-ahead log and its index too: they hold the newest entries.
    companions = list(folder.glob("workbook.db-*"))
    assert {p.name for p in companions} == {"workbook.db-wal", "workbook.db-shm"}
    for path in (chosen, default, *companions):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    listed = json.loads(workbook_default("list", "--json").out)
    assert [r["title"] for r in listed] == ["In the data folder"]
    config = workbook_default("config").out
    assert str(default) in config


def test_unreadable_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database" * 200)
    failed_with(workbook(bad, "list"), "cannot read the database")


def test_a_database_from_a_newer_release_is_refused_untouched(db: Path, slug: str) -> None:
    # The engine of the in-process `new` above lingers until collected; when it goes, the
    # last connection to the file folds the write-ahead log into it. Let that happen now,
    # not in the middle of what is compared.
    gc.collect()
    con = sqlite3.connect(db)
    con.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # and everything into the main file now
    con.close()
    before = db.read_bytes(), database_rows(db)
    for args in (["list"], ["log", slug, "x"], ["show", slug, "--json"]):
        failed_with(workbook(db, *args), "newer Incident Workbook")
    assert (db.read_bytes(), database_rows(db)) == before
