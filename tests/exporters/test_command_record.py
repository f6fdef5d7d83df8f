"""What the record keeps of a command: its line quoted and redacted, how it ended, and the
last part of what it printed."""

from __future__ import annotations

import shlex

from hypothesis import given
from hypothesis import strategies as st

from exporters.command_record import command_line, entry_text, output_name, output_text

words = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="'\""),
    min_size=1,
    max_size=12,
)


def test_the_line_is_shell_quoted() -> None:
    assert command_line(["psql", "-c", "select 1"]) == "psql -c 'select 1'"


def test_secrets_on_a_command_line_are_redacted() -> None:
    line = command_line(["env", "PGPASSWORD=hunter2x", "psql", "-h", "db-1"])
    assert line == "env 'PGPASSWORD=[REDACTED]' psql -h db-1"
    assert "S3cr3t" not in command_line(["mysql", "-uroot", "-pS3cr3t!", "shop"])
    token = "ghp_" + "a1B2" * 9
    assert token not in command_line(["curl", "-H", f"Authorization: token {token}", "x"])


@given(st.lists(words, max_size=5), st.lists(words, max_size=5))
def test_a_password_among_any_words_is_never_kept(before: list[str], after: list[str]) -> None:
    password = "Zq7!vR2kLp9"
    line = command_line([*before, f"PGPASSWORD={password}", *after])
    assert password not in line
    assert "[REDACTED]" in line


@given(st.lists(st.text(min_size=1, max_size=10).filter(lambda w: "\x00" not in w), max_size=6))
def test_a_line_without_secrets_reads_back_as_the_words(argv: list[str]) -> None:
    line = command_line(argv)
    if "[REDACTED]" not in line:
        assert shlex.split(line) == argv


def test_how_it_ended() -> None:
    assert entry_text("true", status=0, seconds=0.04) == "$ true\nexit 0, after 0.0 s"
    assert entry_text("sleep 30", status=130, seconds=3.2, died_of=2) == (
        "$ sleep 30\nkilled by SIGINT (exit 130), after 3.2 s"
    )
    assert entry_text("x", status=1, seconds=3725).endswith("after 1 h 2 min")


def test_the_output_is_plain_redacted_and_cut_to_the_limit_at_a_line() -> None:
    raw = b"".join(f"\x1b[32mline {n}\x1b[0m\r\n".encode() for n in range(1000))
    text = output_text(raw + b"PGPASSWORD=abcdef123\n", dropped=0, limit=100)
    first, *rest = text.split("\n")
    assert first.startswith("[earlier output not kept")
    assert rest[0].startswith("line ") and rest[-2:] == ["PGPASSWORD=[REDACTED]", ""]
    assert len("\n".join(rest).encode()) <= 100


def test_output_cut_while_running_loses_its_partial_first_line() -> None:
    assert output_text(b"ne 7\nline 8\n", dropped=5, limit=1000).split("\n")[1:] == ["line 8", ""]


def test_the_attachment_is_named_for_the_program() -> None:
    assert output_name(["/usr/bin/kubectl", "get", "pods"]) == "kubectl-output.txt"
    assert output_name(["./run me.sh"]) == "run-me-sh-output.txt"
