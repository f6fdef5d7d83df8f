"""A real bracketed paste (ESC[200~ … ESC[201~) into the quick-entry bar of the real program."""

from __future__ import annotations

from pathlib import Path

from models.db import open_database
from models.store import Store
from tests.e2e.terminal import PtyScreen, wait_for_entries

CTRL_T = "\x14"


def paste(term: PtyScreen, text: str) -> None:
    term.type("\x1b[200~" + text + "\x1b[201~")


def _opened(launch, incident: tuple[Path, str]) -> PtyScreen:  # type: ignore[no-untyped-def]
    db, slug = incident
    term: PtyScreen = launch("--db", str(db), "open", slug)
    term.wait_for("Errors rising")
    term.settle()
    return term


def test_two_pasted_lines_are_logged_whole(launch, incident: tuple[Path, str]) -> None:
    """What a new user saw: only the first line was logged, the second dropped."""
    db, _ = incident
    term = _opened(launch, incident)
    paste(term, "ERROR 2026-12-04T10:00:01Z db timeout\rERROR 2026-12-04T10:00:02Z db timeout\r")
    term.wait_for("2 lines")
    term.wait_for("ctrl+t: 2 entries")
    term.type("\r")
    entries = wait_for_entries(db, 2)
    assert "ERROR 2026-12-04T10:00:01Z db timeout\nERROR 2026-12-04T10:00:02Z db timeout" in [
        e.text for e in entries
    ]


def test_a_hundred_log_lines_become_a_timeline(launch, incident: tuple[Path, str]) -> None:
    db, _ = incident
    term = _opened(launch, incident)
    lines = [f"2026-12-04T09:{n // 60:02d}:{n % 60:02d}Z worker {n} restarted" for n in range(100)]
    paste(term, "\r\n".join(lines) + "\r\n")
    term.wait_for("100 lines")
    term.wait_for("ctrl+t: 100 entries")
    term.type(CTRL_T)
    entries = wait_for_entries(db, 101)
    restarted = [e for e in entries if e.text.startswith("worker")]
    assert [e.text for e in restarted] == [f"worker {n} restarted" for n in range(100)]
    assert restarted[0].at.isoformat() == "2026-12-04T09:00:00+00:00"


def test_mixed_lines_and_control_characters(launch, incident: tuple[Path, str]) -> None:
    """Terminals take ESC out of a paste (xterm, alacritty: else a paste could end the
    bracket early), so the control characters that arrive are the others: a tab, a bell."""
    db, _ = incident
    term = _opened(launch, incident)
    paste(
        term,
        "pasted from db-1:\r\n"
        "Dec 04 09:30:00 db-1 postgres[812]: [bold]FATAL[/bold] connections\r\n"
        "  detail: max_connections=100\r\n"
        "[04/Dec/2026:09:31:00 +0000] GET /checkout [red]502[/red]\x07\tbell\r\n",
    )
    term.wait_for("4 lines")
    term.wait_for("GET /checkout [red]502[/red]␇␉bell")
    term.type(CTRL_T)
    entries = wait_for_entries(db, 3)
    texts = {e.at.strftime("%H:%M"): e.text for e in entries if e.text != "Errors rising"}
    assert texts["09:30"] == (
        "pasted from db-1:\ndb-1 postgres[812]: [bold]FATAL[/bold] connections\n"
        "  detail: max_connections=100"
    )
    assert texts["09:31"] == "GET /checkout [red]502[/red]\x07\tbell"
    # Shown literally in the timeline: markup as typed, the bell never rung.
    term.wait_for("GET /checkout [red]502[/red]\\x07\\tbell")
    assert len(Store(open_database(db)).entries(1)) == 3


def test_log_dash_from_a_terminal_says_to_pipe(launch, incident: tuple[Path, str]) -> None:
    """Typed at a prompt with nothing piped in, `log REF -` says so instead of waiting."""
    db, slug = incident
    term = launch("--db", str(db), "log", slug, "-")
    term.wait_for("error: nothing is piped in")
    assert term.wait_exit() == 1
