"""Opening the workbook's database: where it lives, how SQLite is tuned, and migrations.

Everything SQLite-specific lives here. The rest of the code speaks SQLAlchemy, so a team
that outgrows one jump host can point ``--db`` at a PostgreSQL URL.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DatabaseError, OperationalError

from models.location import SCHEMA_REVISION, database_url

BUSY_TIMEOUT_MS = 15_000
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class DatabaseProblem(Exception):
    """The database cannot be used; the message says why and what to do."""


def _prepare_private_file(path: Path) -> None:
    """Create the file and its folder readable by this user only (0700/0600)."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    if path.exists():
        if not path.is_file():
            raise DatabaseProblem(f"{path} is not a file: give --db a file path")
        return
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    os.close(fd)


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Take over transaction control from the sqlite3 module so that the "begin" hook
    # below decides how each transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _begin_sqlite(conn: Any) -> None:
    # A write transaction that starts as a read and upgrades later can fail with
    # SQLITE_BUSY without waiting, even with a busy timeout. Writers ask for the lock up
    # front instead, so two responders on one file simply take turns.
    options = conn.get_execution_options()
    if options.get("workbook_write"):
        # A write that may give up (a presence heartbeat) waits for the lock this long
        # only; the connection's own patience is back once the lock is taken.
        patience = options.get("workbook_patience_ms")
        if patience is None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(patience)}")
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    else:
        conn.exec_driver_sql("BEGIN")


def make_engine(location: str | os.PathLike[str]) -> Engine:
    """An engine for a database file (created private to the user) or a URL."""
    url = database_url(location)
    is_sqlite = url.startswith("sqlite")
    if is_sqlite and url != "sqlite://" and ":memory:" not in url:
        _prepare_private_file(Path(url.removeprefix("sqlite:///")))
    engine = create_engine(url)
    if is_sqlite:
        event.listen(engine, "connect", _tune_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
    return engine


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            if inspect(conn).get_table_names():
                raise DatabaseProblem(
                    "this file holds tables but is not a workbook database: "
                    "give --db a new path or the right file"
                )
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to this release's revision; refuse a database from a newer one."""
    try:
        current = _current_revision(engine)
    except (OperationalError, DatabaseError) as exc:
        raise DatabaseProblem(
            f"cannot read the database ({exc.orig}): check the path, or restore it from a backup"
        ) from exc
    if current == SCHEMA_REVISION:
        return

    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(engine)
    if current is not None:
        scripts = ScriptDirectory.from_config(cfg)
        known = {rev.revision for rev in scripts.walk_revisions()}
        if current not in known:
            raise DatabaseProblem(
                f"this database was written by a newer Incident Workbook (schema {current}); "
                "upgrade workbook to open it; nothing was changed"
            )
    # One writer at a time: a second process that waited for the lock finds the schema
    # already upgraded and has nothing left to do.
    with engine.connect().execution_options(workbook_write=True) as conn, conn.begin():
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_database(location: str | os.PathLike[str]) -> Engine:
    """Open (creating and migrating as needed) the database at a path or URL."""
    try:
        engine = make_engine(location)
    except OSError as exc:
        raise DatabaseProblem(
            f"cannot create the database at {location}: {exc.strerror}; "
            "pick another path with --db or WORKBOOK_DB"
        ) from exc
    migrate(engine)
    return engine


def data_version(conn: Any) -> int:
    """SQLite's change counter for other connections' commits (cheap to poll)."""
    return int(conn.exec_driver_sql("PRAGMA data_version").scalar())
