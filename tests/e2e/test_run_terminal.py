"""``workbook run`` in a real terminal: the command gets one of its own, as if typed at the
prompt; keys and ctrl+c reach it; what it showed is kept, plain."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import struct
import sys
import termios
from pathlib import Path

import pytest

from models.attachments import list_attachments, read_attachment
from models.db import open_database
from tests.e2e.terminal import PtyScreen, wait_for_entries


def _output(db: Path, entry_id: int) -> str:
    engine = open_database(db)
    (info,) = [a for a in list_attachments(engine, 1) if a.entry_id == entry_id]
    return read_attachment(engine, 1, info.id)[1].decode("utf-8")


def test_the_command_has_a_terminal_and_its_status_and_screen_are_kept(
    incident: tuple[Path, str], launch
) -> None:
    db, slug = incident
    script = 'test -t 0 && test -t 1 && printf "\\033[1;32mall green\\033[0m\\r\\n"; exit 4'
    term = launch("--db", str(db), "run", slug, "--tag", "db", "--", "sh", "-c", script)
    term.wait_for("all green")
    assert term.wait_exit() == 4
    entries = wait_for_entries(db, 2)
    entry = entries[-1]
    assert entry.text.startswith("$ sh -c ")
    assert "\nexit 4, after " in entry.text
    assert entry.tags == ["command", "db"]
    assert _output(db, entry.id) == "all green\n"
    # Our terminal is back as it was: echo and line editing on.
    lflag = termios.tcgetattr(term.fd)[3]
    assert lflag & termios.ECHO and lflag & termios.ICANON


def test_the_window_size_is_passed_on_and_follows_a_resize(
    incident: tuple[Path, str], launch
) -> None:
    db, slug = incident
    script = "stty size; read line; stty size"
    term = launch("--db", str(db), "run", slug, "--", "sh", "-c", script)
    term.wait_for("24 80")
    fcntl.ioctl(term.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    term.settle(quiet=0.3)
    term.type("\r")
    term.wait_for("30 100")
    assert term.wait_exit() == 0


def test_typed_input_reaches_the_command(incident: tuple[Path, str], launch) -> None:
    db, slug = incident
    term = launch("--db", str(db), "run", slug, "--", "cat")
    term.settle(quiet=0.3)
    term.type("hello cat\r")
    term.wait_until(lambda lines: sum("hello cat" in line for line in lines) == 2)
    term.type("\x04")  # ctrl+d: the end of input, at the start of a line
    assert term.wait_exit() == 0
    entry = wait_for_entries(db, 2)[-1]
    assert entry.text.startswith("$ cat\nexit 0")
    assert _output(db, entry.id) == "hello cat\nhello cat\n"


def test_ctrl_c_stops_the_command_and_the_run_is_still_logged(
    incident: tuple[Path, str], launch
) -> None:
    db, slug = incident
    term = launch("--db", str(db), "run", slug, "--", "sh", "-c", "echo waiting; exec sleep 30")
    term.wait_for("waiting")
    term.settle(quiet=0.2)
    term.type("\x03")
    assert term.wait_exit(timeout=10) == 128 + signal.SIGINT
    entry = wait_for_entries(db, 2)[-1]
    assert "killed by SIGINT (exit 130)" in entry.text
    assert _output(db, entry.id).startswith("waiting\n")


def test_sigterm_sent_to_the_workbook_reaches_the_command(
    incident: tuple[Path, str], launch
) -> None:
    db, slug = incident
    term = launch("--db", str(db), "run", slug, "--", "sh", "-c", "echo waiting; exec sleep 30")
    term.wait_for("waiting")
    term.signal(signal.SIGTERM)
    assert term.wait_exit(timeout=10) == 128 + signal.SIGTERM
    assert "killed by SIGTERM" in wait_for_entries(db, 2)[-1].text


def test_no_output_logs_the_command_only_and_secrets_never_reach_the_record(
    incident: tuple[Path, str], launch
) -> None:
    db, slug = incident
    term = launch(
        "--db",
        str(db),
        "run",
        slug,
        "--",
        "sh",
        "-c",
        "echo token=ghp_" + "a1B2" * 9,
        "PGPASSWORD=hunter2x",
    )
    term.wait_for("ghp_")
    assert term.wait_exit() == 0
    first = wait_for_entries(db, 2)[-1]
    assert "hunter2x" not in first.text and "[REDACTED]" in first.text
    assert "ghp_" not in _output(db, first.id)
    term = launch("--db", str(db), "run", slug, "--no-output", "--", "echo", "quiet")
    term.wait_for("quiet")
    assert term.wait_exit() == 0
    second = wait_for_entries(db, 3)[-1]
    assert second.text.startswith("$ echo quiet\nexit 0")
    assert not [a for a in list_attachments(open_database(db), 1) if a.entry_id == second.id]


def test_a_command_that_stops_is_not_left_stopped(incident: tuple[Path, str], launch) -> None:
    # Under a shell with job control the workbook stops with it and takes it along on `fg`;
    # here, with no shell to continue us, the command is continued at once.
    db, slug = incident
    script = "echo before; kill -STOP $$; echo after"
    term = launch("--db", str(db), "run", slug, "--", "sh", "-c", script)
    term.wait_for("after")
    assert term.wait_exit() == 0


def test_typed_keys_get_through_while_the_command_floods_the_screen(
    incident: tuple[Path, str], launch
) -> None:
    db, slug = incident
    term = launch("--db", str(db), "run", slug, "--", "yes", "flood")
    term.wait_for("flood")
    term.type("\x03")
    assert term.wait_exit(timeout=10) == 128 + signal.SIGINT
    entry = wait_for_entries(db, 2)[-1]
    assert "killed by SIGINT" in entry.text
    assert len(_output(db, entry.id).encode()) <= 64 * 1024 + 100


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash for job control")
def test_ctrl_z_suspends_the_command_with_the_workbook_and_fg_brings_both_back(
    incident: tuple[Path, str], tmp_path: Path
) -> None:
    db, slug = incident
    env = {**os.environ, "TERM": "xterm", "PS1": "$ ", "XDG_STATE_HOME": str(tmp_path / "s")}
    env.pop("WORKBOOK_NOW", None)
    shell = PtyScreen(["bash", "--norc", "--noprofile", "-i"], env=env)
    try:
        shell.settle(quiet=0.3)
        command = f"{sys.executable} -m tui --db {db} run {slug} -- sh -c 'echo started; sleep 1'"
        shell.type(command + "\r")
        shell.wait_until(lambda lines: any(line.strip() == "started" for line in lines))
        shell.settle(quiet=0.2)
        shell.type("\x1a")
        shell.wait_for("Stopped")
        shell.type("fg\r")
        assert wait_for_entries(db, 2)[-1].text.startswith("$ sh -c 'echo started; sleep 1'")
        shell.type("echo ended=$?\r")
        shell.wait_for("ended=0", timeout=20)
    finally:
        shell.close()
