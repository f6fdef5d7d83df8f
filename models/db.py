"""Opening the workbook's database: where it lives, how it is tuned, and migrations.

Everything backend-specific lives here: SQLite's file modes, pragmas and locking, and
PostgreSQL's timeouts. The rest of the code speaks SQLAlchemy, so a team that outgrows one
jump host can point ``--db`` at a PostgreSQL URL. Every reason a database cannot be opened
ends here as a :class:`DatabaseProblem` whose message says what failed and what to do.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError

from models.location import SCHEMA_REVISION, database_url, shown_location

BUSY_TIMEOUT_MS = 15_000
# PostgreSQL: how long to wait for a server to answer at all, and for one statement. A
# hung or unreachable server then ends in an error the app reports, never a frozen screen.
CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_MS = 15_000
NETWORK_TIMEOUTS = {
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 20_000,
}
# Any fixed number will do: migrations on PostgreSQL hold this lock so two first opens
# take turns instead of both creating the tables.
_MIGRATION_LOCK = 0x1C1DE47
INSTALL_DRIVER = "pip install 'incident-workbook[postgres]'"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class DatabaseProblem(Exception):
    """The database cannot be used; the message says why and what to do."""


def _is_shared_folder(folder: os.stat_result) -> bool:
    """A folder set up for a team: setgid (new files get its group) and group-writable."""
    return bool(folder.st_mode & stat.S_ISGID) and bool(folder.st_mode & stat.S_IWGRP)


def _prepare_file(path: Path) -> None:
    """Create the database file: 0660 for the group of a shared folder, else 0600.

    The mode is set explicitly, not left to the umask, so a responder whose umask is 077
    still creates a file the team can open. SQLite gives its ``-wal`` and ``-shm`` files the
    main file's mode whenever it creates them, and a setgid folder gives them its group.
    """
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    if path.exists():
        if not path.is_file():
            raise DatabaseProblem(f"{path} is not a file: give --db a file path")
        _check_access(path)
        return
    folder = path.parent.stat()
    shared = _is_shared_folder(folder)
    mode = 0o660 if shared else 0o600
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, mode)
    try:
        os.fchmod(fd, mode)
        if shared and os.fstat(fd).st_gid != folder.st_gid:
            os.fchown(fd, -1, folder.st_gid)
    finally:
        os.close(fd)


def _user_name(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _group_name(gid: int) -> str:
    import grp

    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _check_access(path: Path) -> None:
    """Refuse, naming owner, mode and the fix, a database file this account cannot use.

    SQLite itself would only say "unable to open database file", which sends people
    looking for damage that is not there.
    """
    companions = [path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))]
    blocked = [p for p in companions if p.exists() and not os.access(p, os.R_OK | os.W_OK)]
    me = _user_name(os.geteuid())
    folder = path.parent
    folder_stat = folder.stat()
    group = _group_name(folder_stat.st_gid) if _is_shared_folder(folder_stat) else None
    if blocked:
        first = blocked[0].stat()
        fix_group = group or "GROUP"
        names = " ".join(str(p) for p in blocked)
        raise DatabaseProblem(
            f"{blocked[0]} belongs to {_user_name(first.st_uid)} (group "
            f"{_group_name(first.st_gid)}, mode {stat.S_IMODE(first.st_mode):04o}) and {me} "
            f"cannot read and write it: to share it, run `sudo chgrp {fix_group} {names} && "
            f"sudo chmod 660 {names}`"
            + ("" if group else " with GROUP a group every responder is in")
        )
    missing = any(not p.exists() for p in companions[1:])
    if missing and not os.access(folder, os.W_OK | os.X_OK):
        # SQLite creates its -wal and -shm files beside the database.
        raise DatabaseProblem(
            f"{me} cannot create files in {folder} (owner {_user_name(folder_stat.st_uid)}, "
            f"group {_group_name(folder_stat.st_gid)}, mode "
            f"{stat.S_IMODE(folder_stat.st_mode):04o}), which the database needs: run "
            f"`sudo chgrp {group or 'GROUP'} {folder} && sudo chmod 2770 {folder}`"
        )


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
    """An engine for a database file (created as _prepare_file says) or a URL."""
    url = database_url(location)
    is_sqlite = url.startswith("sqlite")
    if is_sqlite and url != "sqlite://" and ":memory:" not in url:
        _prepare_file(Path(url.removeprefix("sqlite:///")))
    if url.startswith("postgresql"):
        return _postgres_engine(url, location)
    try:
        engine = create_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise DatabaseProblem(
            f"cannot use {shown_location(location)} as a database: give --db a file path "
            "or a postgresql:// URL"
        ) from exc
    if is_sqlite:
        event.listen(engine, "connect", _tune_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
    return engine


def _postgres_engine(url: str, location: str | os.PathLike[str]) -> Engine:
    # What the URL leaves out, libpq fills in from PGHOST, PGUSER, PGPASSWORD, ~/.pgpass,
    # PGSSLMODE…; our defaults apply only where neither the URL nor the environment speaks.
    try:
        query = make_url(url).query
    except ArgumentError as exc:
        raise DatabaseProblem(
            f"{shown_location(location)} is not a database URL: write it as "
            "postgresql://USER@HOST:PORT/DATABASE"
        ) from exc
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in query and not os.environ.get("PGCONNECT_TIMEOUT"):
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
    if "options" not in query and not os.environ.get("PGOPTIONS"):
        connect_args["options"] = f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
    # A server whose host vanished (network drop, power loss) never answers at all: the
    # kernel gives up on the connection after these, and the waiting call returns an error.
    for name, value in NETWORK_TIMEOUTS.items():
        if name not in query:
            connect_args[name] = value
    try:
        # pre_ping: after a server restart, a pooled connection is found dead and replaced
        # before it is used, instead of failing the next write.
        return create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise DatabaseProblem(
            f"the PostgreSQL driver is not installed: run `{INSTALL_DRIVER}`"
        ) from exc


def _postgres_problem(engine: Engine, orig: BaseException) -> str:
    """One line for a PostgreSQL connection that failed: what failed, and what to do."""
    url = engine.url
    env = os.environ
    host = url.host or env.get("PGHOST") or "the local socket"
    port = url.port or env.get("PGPORT") or 5432
    server = f"{host}:{port}" if not host.startswith("/") and host != "the local socket" else host
    user = url.username or env.get("PGUSER") or _user_name(os.geteuid())
    name = url.database or env.get("PGDATABASE") or user
    said = " ".join(str(orig).split())
    lowered = said.lower()
    if "does not exist" in lowered and "database" in lowered:
        return (
            f"there is no database {name!r} on the PostgreSQL server at {server}: create it "
            f"with `createdb {name}` (or fix the name in --db / WORKBOOK_DB)"
        )
    if "authentication" in lowered or "password" in lowered or "role" in lowered:
        return (
            f"the PostgreSQL server at {server} refused user {user!r} ({said}): check the "
            "user and password (PGPASSWORD, ~/.pgpass or the URL)"
        )
    if "ssl" in lowered:
        return (
            f"no secure connection to the PostgreSQL server at {server} ({said}): check "
            "sslmode in the URL or PGSSLMODE"
        )
    return (
        f"cannot reach the PostgreSQL server at {server} ({said}): check that it is running "
        "and the host and port in --db / WORKBOOK_DB (or PGHOST, PGPORT)"
    )


def _sqlite_problem(engine: Engine, orig: BaseException) -> str:
    said = " ".join(str(orig).split())
    where = engine.url.database or "the database"
    if "not a database" in said or "malformed" in said or "corrupt" in said:
        return (
            f"cannot read the database {where} ({said}): the file is damaged or not a "
            "workbook database: restore it from a backup, or give --db the right file"
        )
    return f"cannot read the database {where} ({said}): check the path and its permissions"


def explain_open_failure(engine: Engine, exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    if engine.dialect.name == "postgresql":
        return _postgres_problem(engine, orig)
    return _sqlite_problem(engine, orig)


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
    # Migrations run on the connection handed over in ``attributes``; the URL is only a
    # label, so it carries no password.
    url = engine.url.render_as_string(hide_password=True).replace("%", "%%")
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to this release's revision; refuse a database from a newer one."""
    try:
        current = _current_revision(engine)
    except (OperationalError, DatabaseError) as exc:
        raise DatabaseProblem(explain_open_failure(engine, exc)) from exc
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
    try:
        with engine.connect().execution_options(workbook_write=True) as conn, conn.begin():
            if engine.dialect.name == "postgresql":
                # A migration may rightly take longer than one everyday statement may.
                conn.execute(text("SET LOCAL statement_timeout = 0"))
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        raise DatabaseProblem(explain_open_failure(engine, exc)) from exc


def open_database(location: str | os.PathLike[str]) -> Engine:
    """Open (creating and migrating as needed) the database at a path or URL."""
    try:
        engine = make_engine(location)
    except OSError as exc:
        raise DatabaseProblem(
            f"cannot create the database at {shown_location(location)}: {exc.strerror}; "
            "pick another path with --db or WORKBOOK_DB"
        ) from exc
    migrate(engine)
    return engine


def data_version(conn: Any) -> int:
    """SQLite's change counter for other connections' commits (cheap to poll)."""
    return int(conn.exec_driver_sql("PRAGMA data_version").scalar())
