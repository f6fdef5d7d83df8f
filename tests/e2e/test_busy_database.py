"""Another process holds the write lock: the real program in a terminal keeps answering.

A second connection takes SQLite's write lock with ``BEGIN IMMEDIATE`` and keeps it. The
responder logs an entry and goes on typing: every key must echo at once, the entry shows
as pending, the screen says the database is busy, and the entry is on disk as soon as the
lock is let go.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

from models.db import open_database
from models.store import Store
from tests.e2e.terminal import wait_for_entries

F2, F3 = "\x1bOQ", "\x1bOR"
ECHO_LIMIT = 0.2  # seconds; the target is 50 ms (bench_terminal.py), this allows a busy CI


def _echo_time(term, text: str) -> float:
    """Seconds from writing ``text`` to the terminal until it shows on the screen."""
    start = time.perf_counter()
    term.type(text)
    seen = term.wait_until(lambda lines: any(text in line for line in lines), timeout=10)
    return seen - start


def test_typing_goes_on_while_another_process_holds_the_lock(
    launch, incident: tuple[Path, str]
) -> None:
    db, slug = incident
    term = launch("--db", str(db), "open", slug)
    term.wait_for("Errors rising")
    term.settle(quiet=0.3)

    holder = sqlite3.connect(db, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        term.type("rolled back the deploy #mit\r")
        # The row at once, marked pending (…) while its write waits.
        term.wait_until(lambda ls: any(s.startswith("…") and "rolled back" in s for s in ls))
        echoes = [_echo_time(term, word) for word in ("zq", "xv", "kj")]
        assert max(echoes) < ECHO_LIMIT, echoes
        term.type(F3)  # the tabs still switch
        term.wait_for("False leads")
        term.type(F2)  # back to the log
        term.wait_for("database busy")
        # Nothing is on disk while the lock is held.
        peek = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        count = peek.execute("SELECT count(*) FROM timeline_entry").fetchone()[0]
        peek.close()
        assert count == 1
    finally:
        holder.rollback()
        holder.close()

    entries = wait_for_entries(db, 2)
    assert entries[-1].text == "rolled back the deploy"
    assert entries[-1].tags == ["mitigated"]
    term.wait_until(lambda lines: not any("database busy" in line for line in lines))


def test_a_logged_row_turns_solid_at_the_end_of_a_long_timeline(
    launch, incident: tuple[Path, str]
) -> None:
    """More rows than fit, scrolled to the end: the line redrawn when the write lands is the
    row's own (a terminal shows only what is redrawn, unlike a screenshot)."""
    db, slug = incident
    store = Store(open_database(db), author="tester")
    for n in range(40):
        store.log_entry(1, f"filler {n}")
    term = launch("--db", str(db), "open", slug)
    term.wait_for("filler 39")
    term.settle(quiet=0.3)
    for n in range(3):
        term.type(f"landed {n}\r")
        written = re.compile(rf"^ \d\d:\d\d .* landed {n}\b")  # a row, and not pending
        term.wait_until(lambda ls, w=written: any(w.match(s) for s in ls), timeout=10)
    assert not any(line.startswith("…") for line in term.text().splitlines()), term.text()
