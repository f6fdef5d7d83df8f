"""A team on one workbook: two accounts on one host, six commands at once, and PostgreSQL
reached the way libpq users expect, with one clear line whenever something is wrong."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.cli.helpers import Outcome, failed_with, show_json, succeeded, workbook
from tests.conftest import FIXED_NOW
from tests.paths import REPO
from tests.postgres import require_server, server_url

# Numeric ids with no passwd entry: nothing on the machine changes for these tests.
ALICE, BOB, ONCALL = 61001, 61002, 61000
NAMES = {ALICE: "alice", BOB: "bob"}


# -- two accounts on one host ------------------------------------------------------------


def _runnable_by_anyone(path: Path) -> bool:
    real = path.resolve()
    return all(p.stat().st_mode & stat.S_IXOTH for p in (real, *real.parents))


def _python_for_others() -> str | None:
    """An interpreter other accounts may run (the venv's may sit in root's home)."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (Path(sys.executable), Path(f"/usr/bin/python{version}")):
        if candidate.exists() and _runnable_by_anyone(candidate):
            return str(candidate)
    return None


@pytest.fixture
def team_folder() -> Iterator[Path]:
    """A folder other accounts can reach, with a home for alice and one for bob."""
    if os.geteuid() != 0:
        pytest.skip("needs root to run the workbook as two other accounts")
    packages = Path(sysconfig.get_paths()["purelib"])
    if _python_for_others() is None or not all(map(_runnable_by_anyone, (REPO, packages))):
        pytest.skip("the interpreter or the packages are out of other accounts' reach")
    base = Path(tempfile.mkdtemp(prefix="workbook-team-"))
    base.chmod(0o755)
    for uid, name in NAMES.items():
        (base / name).mkdir(mode=0o700)
        os.chown(base / name, uid, uid)
    (base / "pycache").mkdir()
    (base / "pycache").chmod(0o1777)  # compiled once, by whoever runs first
    try:
        yield base
    finally:
        shutil.rmtree(base)


def as_account(uid: int, base: Path, *args: str, umask: int = 0o022) -> Outcome:
    """``workbook ARGS`` run by another account, in oncall, as from its own login."""
    return run_as(uid, base, ["-m", "tui", *args], umask=umask)


def run_as(uid: int, base: Path, argv: list[str], *, umask: int) -> Outcome:
    """Python with ``argv`` as another account: its own home, group oncall besides."""
    home = base / NAMES[uid]
    python = _python_for_others()
    assert python is not None
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "USER": NAMES[uid],
        "LANG": "C.UTF-8",
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_DIRS": str(home / "no-site-config"),
        "PYTHONPATH": os.pathsep.join([str(REPO), sysconfig.get_paths()["purelib"]]),
        "PYTHONPYCACHEPREFIX": str(base / "pycache"),
        "WORKBOOK_TIMEZONE": "UTC",
        "WORKBOOK_NOW": FIXED_NOW.isoformat(),
    }
    proc = subprocess.run(
        [python, *argv],
        user=uid,
        group=uid,
        extra_groups=[ONCALL],
        umask=umask,
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return Outcome(proc.returncode, proc.stdout, proc.stderr)


# Opens the workbook and, while its connection is open, prints how SQLite's companion
# files came out: mode and group of the database, -wal and -shm.
COMPANIONS = """
import os, stat, sys
from models.db import open_database
db = sys.argv[1]
engine = open_database(db)
with engine.connect() as conn:
    conn.exec_driver_sql("SELECT count(*) FROM timeline_entry").scalar()
    for name in (db, db + "-wal", db + "-shm"):
        info = os.stat(name)
        print(oct(stat.S_IMODE(info.st_mode)), info.st_gid)
"""


def _shared_folder(base: Path) -> Path:
    """What the README's `install -d -m 2770 -g oncall /srv/incidents` makes."""
    folder = base / "srv"
    folder.mkdir()
    os.chown(folder, 0, ONCALL)
    folder.chmod(0o2770)
    return folder


def test_two_accounts_share_a_workbook_in_a_group_folder(team_folder: Path) -> None:
    db = str(_shared_folder(team_folder) / "workbook.db")
    # Alice keeps everything private by default (umask 077); the workbook file is shared.
    slug = succeeded(
        as_account(ALICE, team_folder, "--db", db, "new", "Checkout down", umask=0o077)
    )
    succeeded(as_account(ALICE, team_folder, "--db", db, "log", slug.strip(), "alice: paged"))
    info = Path(db).stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (ALICE, ONCALL, 0o660)
    # Bob keeps everything private too: SQLite's files he creates are shared all the same.
    companions = succeeded(run_as(BOB, team_folder, ["-c", COMPANIONS, db], umask=0o077))
    assert companions.split("\n")[:3] == [f"0o660 {ONCALL}"] * 3
    succeeded(as_account(BOB, team_folder, "--db", db, "log", slug, "bob: on it", umask=0o077))
    shown = succeeded(as_account(ALICE, team_folder, "--db", db, "show", slug))
    assert "alice: paged" in shown and "bob: on it" in shown
    assert not list(Path(db).parent.glob("*draft*"))  # drafts stay in each user's home


def test_a_private_file_tells_the_other_account_how_to_share_it(team_folder: Path) -> None:
    plain = team_folder / "plain"
    plain.mkdir()
    plain.chmod(0o1777)
    db = plain / "workbook.db"
    succeeded(as_account(ALICE, team_folder, "--db", str(db), "new", "Mine", umask=0o022))
    assert stat.S_IMODE(db.stat().st_mode) == 0o600  # not a shared folder: private
    result = as_account(BOB, team_folder, "--db", str(db), "list")
    failed_with(result, f"{db} belongs to uid {ALICE} (group {ALICE}, mode 0600)")
    assert f"uid {BOB} cannot read and write it" in result.err
    assert f"sudo chgrp GROUP {db} && sudo chmod 660 {db}" in result.err
    assert "backup" not in result.err

    # A private file in a shared folder (made by hand, or by an older release): the fix
    # names the folder's group, and works as said.
    old = _shared_folder(team_folder) / "old.db"
    shutil.copy(db, old)
    os.chown(old, ALICE, ALICE)
    old.chmod(0o600)
    result = as_account(BOB, team_folder, "--db", str(old), "list")
    failed_with(result, f"sudo chgrp {ONCALL} {old} && sudo chmod 660 {old}`")
    os.chown(old, -1, ONCALL)
    old.chmod(0o660)
    assert "2026-03-02-mine" in succeeded(as_account(BOB, team_folder, "--db", str(old), "list"))


# -- many commands at once -----------------------------------------------------------------


@pytest.mark.slow
def test_six_action_commands_at_once_make_six_refs(backend: str) -> None:
    slug = succeeded(workbook(backend, "new", "Busy")).strip()  # type: ignore[arg-type]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tui", "--db", backend, "action", slug, f"item {n}"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(6)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    assert [(code, err) for code, _, err in results] == [(0, "")] * 6
    assert sorted(out.strip() for _, out, _ in results) == [f"AI-{n}" for n in range(1, 7)]
    items = show_json(backend, slug)["action_items"]  # type: ignore[arg-type]
    assert sorted(i["ref"] for i in items) == [f"AI-{n}" for n in range(1, 7)]


# -- PostgreSQL as libpq users reach it ------------------------------------------------------


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def test_libpq_environment_fills_in_what_the_url_leaves_out(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = urlsplit(server_url())
    monkeypatch.setenv("PGHOST", server.hostname or "127.0.0.1")
    monkeypatch.setenv("PGPORT", str(server.port or 5432))
    monkeypatch.setenv("PGUSER", server.username or "root")
    if server.password:
        monkeypatch.setenv("PGPASSWORD", server.password)
    bare = f"postgresql:///{_database_name(postgres_url)}"
    slug = succeeded(workbook(bare, "new", "Over libpq")).strip()  # type: ignore[arg-type]
    assert show_json(postgres_url, slug)["title"] == "Over libpq"  # type: ignore[arg-type]


def test_a_password_never_appears_in_any_output(postgres_url: str) -> None:
    parts = urlsplit(postgres_url)
    if parts.password:
        pytest.skip("the test server's URL carries its own password")
    secret = "s3cret-Pw"
    # The local server trusts its users, so a password in the URL is simply not needed.
    with_password = parts._replace(
        netloc=f"{parts.username}:{secret}@{parts.hostname}:{parts.port}"
    )
    url = with_password.geturl()
    unreachable = with_password._replace(netloc=f"{parts.username}:{secret}@127.0.0.1:1").geturl()
    outputs = [
        workbook(url, "new", "Secret kept"),  # type: ignore[arg-type]
        workbook(url, "config"),  # type: ignore[arg-type]
        workbook(url, "config", "--json"),  # type: ignore[arg-type]
        workbook(unreachable, "list"),  # type: ignore[arg-type]
        workbook(f"{postgres_url}?password={secret}", "config"),  # type: ignore[arg-type]
    ]
    assert outputs[0].code == 0 and outputs[3].code == 1
    for result in outputs:
        assert secret not in result.out + result.err
    assert f"{parts.username}:***@" in outputs[1].out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_problems_are_one_line_with_what_to_do() -> None:
    port = _free_port()
    result = workbook(f"postgresql://someone@127.0.0.1:{port}/incidents", "list")  # type: ignore[arg-type]
    failed_with(result, f"cannot reach the PostgreSQL server at 127.0.0.1:{port}")
    assert "check that it is running" in result.err and "backup" not in result.err

    require_server()
    server = urlsplit(server_url())
    missing = server._replace(path="/workbook_no_such_db").geturl()
    result = workbook(missing, "list")  # type: ignore[arg-type]
    failed_with(result, "there is no database 'workbook_no_such_db'")
    assert "createdb workbook_no_such_db" in result.err and "backup" not in result.err
    stranger = server._replace(netloc=f"nobody_here@{server.hostname}:{server.port}").geturl()
    result = workbook(stranger, "list")  # type: ignore[arg-type]
    failed_with(result, "refused user 'nobody_here'")
    assert "PGPASSWORD, ~/.pgpass" in result.err and "backup" not in result.err


def test_without_the_driver_the_install_command_is_said() -> None:
    no_driver = "import sys; sys.modules['psycopg'] = None; from tui.cli import main; main()"
    proc = subprocess.run(
        [sys.executable, "-c", no_driver, "--db", "postgresql://u@127.0.0.1/x", "list"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    failed_with(
        Outcome(proc.returncode, proc.stdout, proc.stderr),
        "the PostgreSQL driver is not installed: run `pip install 'incident-workbook[postgres]'`",
    )


def test_a_server_that_never_answers_times_out() -> None:
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(8)  # the kernel accepts the connection; nobody ever answers
        port = hung.getsockname()[1]
        started = time.monotonic()
        result = workbook(  # type: ignore[arg-type]
            f"postgresql://someone@127.0.0.1:{port}/x?connect_timeout=2", "list"
        )
        elapsed = time.monotonic() - started
    failed_with(result, f"cannot reach the PostgreSQL server at 127.0.0.1:{port}")
    assert elapsed < 10


def test_connections_carry_the_default_timeouts(postgres_url: str) -> None:
    from models.db import open_database

    engine = open_database(postgres_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "15s"
        params = conn.connection.dbapi_connection.info.get_parameters()  # type: ignore[union-attr]
        assert params["connect_timeout"] == "5"
        assert (params["keepalives_idle"], params["tcp_user_timeout"]) == ("10", "20000")
    engine.dispose()


def test_a_connection_lost_mid_write_is_not_called_damage() -> None:
    from sqlalchemy.exc import OperationalError

    from tui.errors import describe

    lost = OperationalError(
        "INSERT …", {}, Exception("consuming input failed: server closed the connection"), True
    )
    said = describe(lost)
    assert said.startswith("lost the connection to the database server (consuming input")
    assert "nothing was written" in said and "backup" not in said
    slow = OperationalError(
        "SELECT …", {}, Exception("canceling statement due to statement timeout")
    )
    assert describe(slow).startswith("the database server did not answer in time")
