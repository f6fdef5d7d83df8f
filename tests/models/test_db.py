"""Opening, tuning and migrating the database file."""

from __future__ import annotations

import os
import sqlite3
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from models.db import MIGRATIONS_DIR, SCHEMA_REVISION, DatabaseProblem, open_database
from tests.paths import FIXTURES


def test_new_database_is_private_and_tuned(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "w.db"
    engine = open_database(path)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_schema_revision_constant_is_the_migration_head() -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(cfg).get_current_head() == SCHEMA_REVISION


def test_reopening_keeps_data_and_revision(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    open_database(path)
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO incident (slug, title, severity, status, timezone, services, summary,"
        ' impact_narrative, root_cause, "trigger", resolution, detection, went_well, went_wrong,'
        " got_lucky, supporting_info, slo_window_days, next_action_number, created_at, updated_at)"
        " VALUES ('s', 't', 'SEV-3', 'investigating', 'UTC', '[]', '', '', '', '', '', '', '', '',"
        " '', '', 30, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
    )
    con.commit()
    con.close()
    open_database(path)
    con = sqlite3.connect(path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (SCHEMA_REVISION,)
    assert con.execute("SELECT count(*) FROM incident").fetchone() == (1,)


def test_database_from_a_newer_release_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    open_database(path)
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999_future'")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseProblem, match="newer Incident Workbook"):
        open_database(path)
    assert path.read_bytes() == before


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE something (x)")
    con.commit()
    con.close()
    with pytest.raises(DatabaseProblem, match="not a workbook database"):
        open_database(path)


def test_garbage_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(DatabaseProblem, match="cannot read the database"):
        open_database(path)


def test_folder_as_database_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseProblem, match="not a file"):
        open_database(tmp_path)


def test_database_made_by_the_first_release_still_opens(tmp_path: Path) -> None:
    """A file written by schema 0001 is kept in the repo: every later release must read it."""
    from datetime import UTC, datetime

    from models.metrics import compute_metrics
    from models.store import Store

    path = tmp_path / "old.db"
    path.write_bytes((FIXTURES / "schema-0001.db").read_bytes())
    store = Store(open_database(path))
    incident = store.resolve_ref("2026-01-10-fixture-outage")
    snap = store.snapshot(incident.id)
    assert incident.users_affected_pct == 12.5
    assert [e.text for e in snap.entries][2] == "Blamed DNS (wrong)"
    assert len(store.history(incident.id, snap.entries[2].id)) == 1
    assert [a.ref for a in snap.action_items] == ["AI-1"]
    metrics = compute_metrics(snap.incident, snap.entries, now=datetime(2026, 1, 10, tzinfo=UTC))
    assert metrics.duration_minutes == 40
    assert metrics.false_leads == 1


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migrations_build_exactly_the_tables_the_code_declares(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Every table, column, type, index and key the models declare, and nothing else.

    One check for the whole schema on both backends, so that a migration and its model can
    never drift apart, whichever feature added them. The search indexes (migration
    0004_search) are the database's own and not declared as models.
    """
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import models.allowances
    import models.attachments
    import models.import_evidence
    import models.publications
    import models.tables  # noqa: F401
    from models.search import not_search_index

    location = (
        tmp_path / "new.db" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    )
    engine = open_database(location)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": not_search_index})
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()


def test_a_shared_group_folder_gets_group_files_whatever_the_umask(tmp_path: Path) -> None:
    folder = tmp_path / "incidents"
    folder.mkdir()
    gid = os.getgid()
    os.chown(folder, -1, gid)
    folder.chmod(0o2770)  # what `install -d -m 2770 -g oncall` makes
    path = folder / "workbook.db"
    old = os.umask(0o077)  # a responder who keeps everything private by default
    try:
        engine = open_database(path)
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM incident").scalar()
            # While a connection is open, SQLite's companions exist: they must be shared too.
            for name in ("workbook.db", "workbook.db-wal", "workbook.db-shm"):
                info = (folder / name).stat()
                assert (stat.S_IMODE(info.st_mode), info.st_gid) == (0o660, gid), name
        engine.dispose()
    finally:
        os.umask(old)


def test_a_plain_folder_keeps_the_file_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        open_database(tmp_path / "w.db").dispose()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "w.db").stat().st_mode) == 0o600


@pytest.mark.skipif(os.geteuid() == 0, reason="root may open any file")
def test_a_file_this_account_cannot_open_names_owner_mode_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    open_database(path).dispose()
    path.chmod(0o000)
    try:
        with pytest.raises(DatabaseProblem) as caught:
            open_database(path)
    finally:
        path.chmod(0o600)
    message = str(caught.value)
    assert str(path) in message and "mode 0000" in message
    assert f"chmod 660 {path}" in message and "backup" not in message


def test_first_opens_of_a_new_postgres_database_take_turns(postgres_url: str) -> None:
    # Four responders start the workbook on an empty database at once: one creates the
    # tables, the others wait for it and find them there.
    with ThreadPoolExecutor(max_workers=4) as pool:
        engines = list(pool.map(lambda _: open_database(postgres_url), range(4)))
    with engines[0].connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).all() == [
            (SCHEMA_REVISION,)
        ]
    for engine in engines:
        engine.dispose()
