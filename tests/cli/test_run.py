"""``workbook run`` from a script: output through pipes, copied and kept; the command's own
exit status; secrets redacted; an entry kept for later when the database is away."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from models.attachments import list_attachments, read_attachment
from models.db import open_database
from tests.cli.helpers import (
    database_rows,
    failed_with,
    show_json,
    succeeded,
    workbook,
    workbook_process,
)
from tests.conftest import FIXED_NOW

TOKEN = "ghp_" + "Zx9" * 12


def _attachments(db: Path) -> dict[int | None, str]:
    engine = open_database(db)
    return {
        info.entry_id: read_attachment(engine, 1, info.id)[1].decode("utf-8")
        for info in list_attachments(engine, 1)
    }


def test_output_goes_through_and_is_kept_with_the_status_of_the_command(
    db: Path, slug: str
) -> None:
    script = "echo out; echo err >&2; printf '\\033[31mred\\033[0m\\n'; exit 5"
    done = workbook_process("--db", str(db), "run", slug, "--tag", "db", "--", "sh", "-c", script)
    assert done.code == 5
    assert done.out == "out\n\x1b[31mred\x1b[0m\n"  # passed through as printed
    assert done.err == "err\n"
    (entry,) = show_json(db, slug)["timeline"]
    assert entry["text"].startswith("$ sh -c 'echo out; echo err >&2;")
    assert "\nexit 5, after " in entry["text"]
    assert entry["tags"] == ["command", "db"]
    assert entry["at"] == FIXED_NOW.isoformat().replace("+00:00", "Z")
    assert entry["author"] == "tester"
    output = _attachments(db)[entry["id"]]
    assert sorted(output.splitlines()) == ["err", "out", "red"]


def test_a_command_killed_by_a_signal_exits_as_a_shell_says(db: Path, slug: str) -> None:
    done = workbook_process("--db", str(db), "run", slug, "--", "sh", "-c", "kill -TERM $$")
    assert done.code == 143
    (entry,) = show_json(db, slug)["timeline"]
    assert "killed by SIGTERM (exit 143)" in entry["text"]


def test_a_command_that_is_not_there_is_127_and_still_logged(db: Path, slug: str) -> None:
    done = workbook_process("--db", str(db), "run", slug, "--", "no-such-command-here")
    assert done.code == 127
    assert "no-such-command-here: command not found" in done.err
    (entry,) = show_json(db, slug)["timeline"]
    assert entry["text"].startswith("$ no-such-command-here\nexit 127")


def test_no_output_attaches_nothing(db: Path, slug: str) -> None:
    done = workbook_process("--db", str(db), "run", slug, "--no-output", "--", "echo", "hi")
    assert (done.code, done.out) == (0, "hi\n")
    assert _attachments(db) == {}
    assert show_json(db, slug)["timeline"][0]["text"].startswith("$ echo hi\nexit 0")


def test_secrets_on_the_command_line_and_in_the_output_are_never_stored(
    db: Path, slug: str
) -> None:
    done = workbook_process(
        "--db", str(db), "run", slug, "--",
        "env", "PGPASSWORD=hunter2secret",
        "sh", "-c", f"echo token: {TOKEN}; echo mysql -pS3cr3t!x",
    )  # fmt: skip
    assert done.code == 0
    assert TOKEN in done.out  # the terminal shows what the command printed
    rows = repr(database_rows(db))
    for secret in ("hunter2secret", TOKEN, "S3cr3t!x"):
        assert secret not in rows
    (entry,) = show_json(db, slug)["timeline"]
    assert "PGPASSWORD=[REDACTED]" in entry["text"]
    assert "[REDACTED]" in _attachments(db)[entry["id"]]


def test_the_output_kept_is_the_last_part_up_to_the_limit(db: Path, slug: str, monkeypatch) -> None:
    monkeypatch.setenv("WORKBOOK_RUN_OUTPUT_LIMIT", "1KiB")
    done = workbook_process("--db", str(db), "run", slug, "--", "seq", "1", "2000")
    assert done.out.endswith("1999\n2000\n")
    output = next(iter(_attachments(db).values()))
    first, *lines = output.split("\n")
    assert first.startswith("[earlier output not kept")
    assert lines[-2:] == ["2000", ""]
    assert len("\n".join(lines).encode()) <= 1024
    assert lines[0].isdigit()  # cut at the start of a line


def test_a_bad_tag_is_refused_before_the_command_runs(db: Path, slug: str, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    done = workbook_process(
        "--db", str(db), "run", slug, "--tag", "Not A Tag", "--", "touch", str(marker)
    )
    assert done.code == 1 and done.err.startswith("error: ")
    assert not marker.exists()


def test_an_unknown_incident_runs_the_command_and_says_nothing_was_logged(
    db: Path, slug: str
) -> None:
    done = workbook_process("--db", str(db), "run", "no-such-incident", "--", "true")
    failed_with(done, "the command ran, nothing was logged")
    done = workbook_process("--db", str(db), "run", "no-such-incident", "--", "false")
    assert done.code == 1
    done = workbook_process("--db", str(db), "run", "no-such-incident", "--", "sh", "-c", "exit 7")
    assert done.code == 7  # the command's own failure comes first


def test_help_and_a_command_without_the_double_dash_go_through_click(db: Path, slug: str) -> None:
    assert "-- CMD" in succeeded(workbook_process("run", "--help"))
    done = workbook_process("--db", str(db), "run", slug, "echo", "plain")
    assert (done.code, done.out) == (0, "plain\n")
    assert show_json(db, slug)["timeline"][0]["text"].startswith("$ echo plain")
    assert workbook_process("--db", str(db), "run", slug, "false").code == 1


def test_in_process_through_click_as_well(db: Path, slug: str) -> None:
    # CliRunner's stdout is not a terminal: the pipe path, writing to the real fds.
    result = workbook(db, "run", slug, "--", "true")
    assert result.code == 0
    assert show_json(db, slug)["timeline"][0]["text"].startswith("$ true\nexit 0")


def test_an_unavailable_database_keeps_the_entry_and_a_later_command_writes_it_once(
    tmp_path: Path,
) -> None:
    moved = tmp_path / "share"
    moved.mkdir()
    folder_db = moved / "cli.db"
    slug = succeeded(workbook(folder_db, "new", "Checkout down", "--tz", "UTC")).strip()
    away = tmp_path / "away-for-now"
    moved.rename(away)  # the file's folder is gone, as with an unmounted share…
    moved.write_text("")  # …and nothing can be made in its place
    done = workbook_process(
        "--db",
        str(folder_db),
        "run",
        slug,
        "--",
        "sh",
        "-c",
        f"echo PGPASSWORD=pw123456; echo {TOKEN}",
    )
    assert done.code == 0
    assert "not logged yet" in done.err and "kept in" in done.err
    drafts = list((tmp_path / "home" / "xdg_state_home").rglob("*.json"))
    (kept,) = drafts
    stored = kept.read_text()
    assert "pw123456" not in stored and TOKEN not in stored
    assert "run:" in next(iter(json.loads(stored)))
    moved.unlink()
    away.rename(moved)  # back again
    logged = workbook_process("--db", str(folder_db), "log", slug, "Back online")
    assert logged.code == 0
    assert "logged an earlier run" in logged.err
    texts = [e["text"] for e in show_json(folder_db, slug)["timeline"]]
    assert len(texts) == 2 and any(t.startswith("$ sh -c ") for t in texts)
    assert not kept.exists()
    again = workbook_process("--db", str(folder_db), "log", slug, "Again")
    assert again.err == ""
    assert len(show_json(folder_db, slug)["timeline"]) == 3


def test_standard_input_reaches_the_command(db: Path, slug: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tui", "--db", str(db), "run", slug, "--", "cat"],
        input="piped in\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (0, "piped in\n")
    (entry,) = show_json(db, slug)["timeline"]
    assert _attachments(db)[entry["id"]] == "piped in\n"


def test_on_postgresql_too(postgres_url: str) -> None:
    slug = succeeded(workbook_process("--db", postgres_url, "new", "Checkout down")).strip()
    done = workbook_process("--db", postgres_url, "run", slug, "--", "sh", "-c", "echo ok; exit 2")
    assert (done.code, done.out, done.err) == (2, "ok\n", "")
    data = json.loads(succeeded(workbook_process("--db", postgres_url, "show", slug, "--json")))
    (entry,) = data["timeline"]
    assert entry["text"].startswith("$ sh -c 'echo ok; exit 2'\nexit 2")
    assert [a["name"] for a in data["attachments"]] == ["sh-output.txt"]
