"""The workbook as a responder on SSH meets it, measured in a pseudo-terminal at 80×24.

Baseline in the same run: a bare Textual app with one Input, started the same way (same
Python, same environment, bytecode cache warmed by one run of each program first).
Run with ``uv run python tests/benchmarks/bench_terminal.py``; exits 1 on a miss.

Data: 1,000 incidents of 100 entries each for the list, one incident of 10,000 entries
for everything else. Latencies are read to the chunk of output that shows the result
(``PtyScreen.wait_until`` wakes on every chunk), not to a polling interval.
"""

from __future__ import annotations

import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from models.db import open_database  # noqa: E402
from models.record import EntryRecord, IncidentRecord  # noqa: E402
from models.store import Store  # noqa: E402
from models.timeline import EntryFilter  # noqa: E402
from tests.benchmarks.run import Figure  # noqa: E402
from tests.e2e.terminal import PtyScreen  # noqa: E402

BARE_APP = """
from textual.app import App
from textual.widgets import Input, Static

class Bare(App):
    def compose(self):
        yield Static("bare app ready")
        yield Input()

    def on_mount(self):
        self.query_one(Input).focus()

Bare().run()
"""

NOW = datetime(2026, 3, 2, 23, 55, tzinfo=UTC)
RUNS = 7
STEPS = 12
# Seconds of quiet before each Enter. A responder types for seconds between entries; by
# then the reload that the previous entry set off (other screens see it through the same
# PRAGMA data_version poll, every 0.5 s) is over. HURRIED is an Enter that can land in it.
PACED, HURRIED = 0.8, 0.2
TAGS: list[list[str]] = [[], ["note"], ["false-lead"], ["escalation"], ["comms"]]
# A timeline row; one that starts with … is shown but not written yet (pending).
ROW = re.compile(r"^[ …](\d\d-\d\d )?\d\d:\d\d(:\d\d)? ")
WRITTEN = re.compile(r"^ (\d\d-\d\d )?\d\d:\d\d(:\d\d)? ")
Lines = list[str]


def build(folder: Path) -> tuple[Path, Path, str, Store]:
    """The list database (1,000 × 100 entries) and the big one (1 × 10,000)."""
    many = Store(open_database(folder / "list.db"), author="bench", clock=lambda: NOW)
    for number in range(1000):
        start = NOW - timedelta(days=1000 - number)
        entries = [
            EntryRecord(
                at=start + timedelta(minutes=n),
                text=f"entry {n} of incident {number}",
                tags=["impact-start"] if n == 0 else ["resolved"] if n == 99 else TAGS[n % 5],
                author="bench",
            )
            for n in range(100)
        ]
        fields = {"title": f"Incident number {number}", "timezone": "Europe/Berlin"}
        many.import_record(IncidentRecord(fields=fields, entries=entries))
    big = Store(open_database(folder / "big.db"), author="bench")
    entries = [
        EntryRecord(
            at=NOW - timedelta(minutes=10_000 - n),
            text=f"Entry {n}: checked the dashboards for shard {n % 17}",
            tags=TAGS[n % 5],
            author="bench",
        )
        for n in range(10_000)
    ]
    fields = {"title": "Big incident", "timezone": "UTC"}
    incident = big.import_record(IncidentRecord(fields=fields, entries=entries))
    return folder / "list.db", folder / "big.db", incident.slug, big


def environment(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        TERM="xterm-256color",
        XDG_STATE_HOME=str(folder / "state"),
        XDG_CONFIG_HOME=str(folder / "config"),
    )
    return env


def has(text: str) -> Callable[[Lines], bool]:
    return lambda lines: any(text in line for line in lines)


def anything(lines: Lines) -> bool:
    return any(line.strip() for line in lines)


def launch(argv: list[str], env: dict[str, str]) -> PtyScreen:
    return PtyScreen(argv, env=env)


def first_frames(argv: list[str], ready: str, env: dict[str, str]) -> tuple[float, float]:
    """Median seconds from start to any text on screen, and to ``ready`` on screen."""
    first, shown = [], []
    for _ in range(RUNS):
        term = launch(argv, env)
        try:
            first.append(term.wait_until(anything, timeout=30) - term.started)
            shown.append(term.wait_until(has(ready), timeout=30) - term.started)
        finally:
            term.close()
    return statistics.median(first), statistics.median(shown)


def step_times(
    term: PtyScreen, steps: list[tuple[str, Callable[[Lines], bool]]], *, quiet: float = 0.2
) -> list[float]:
    """Seconds from each key to the screen that shows its result, each after ``quiet``."""
    times = []
    for keys, done in steps:
        term.settle(quiet=quiet)
        start = time.perf_counter()
        term.type(keys)
        times.append(term.wait_until(done, timeout=10) - start)
    return times


def changed_from(term: PtyScreen) -> Callable[[Lines], bool]:
    before = term.text().splitlines()
    return lambda lines: lines != before


def p90(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=10)[-1] if len(samples) > 1 else samples[0]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def typing_bytes(term: PtyScreen) -> float:
    line = "restarted the api pods #mit"
    term.settle()
    before = term.bytes_written
    for ch in line:
        term.type(ch)
        term.settle(quiet=0.15)
    return (term.bytes_written - before) / len(line)


def typing_while_locked(term: PtyScreen, db: Path) -> list[float]:
    """Key-to-echo times while another connection holds the write lock, after an Enter
    whose write is waiting for it; the lock is let go at the end and the write lands."""
    holder = sqlite3.connect(db, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        term.type("logged while locked\r")
        term.wait_until(has("logged while locked"))
        echoes, typed = [], "zqx"  # a prefix no row holds, so the echo is the bar's
        term.type(typed)
        term.wait_until(has(typed), timeout=10)
        for ch in "wxjvkpfgmy" * 2:
            typed += ch
            term.settle(quiet=0.1)
            start = time.perf_counter()
            term.type(ch)
            echoes.append(term.wait_until(has(typed), timeout=10) - start)
    finally:
        holder.rollback()
        holder.close()
    term.wait_until(lambda ls: any(WRITTEN.match(s) and "while locked" in s for s in ls), 30)
    term.type("\x15")  # ctrl+u in the bar: clear what was typed
    term.settle(quiet=0.2)
    return echoes


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-terminal-") as name:
        folder = Path(name)
        list_db, big_db, slug, big = build(folder)
        env = environment(folder)
        python = sys.executable
        bare = [python, "-c", BARE_APP]
        listing = [python, "-m", "tui", "--db", str(list_db)]
        opening = [python, "-m", "tui", "--db", str(big_db), "open", slug]
        for argv, ready in ((bare, "bare app ready"), (listing, "Incident number 999")):
            term = launch(argv, env)  # warm the bytecode cache
            term.wait_until(has(ready), timeout=60)
            term.close()

        bare_first, _ = first_frames(bare, "bare app ready", env)
        _, list_rows = first_frames(listing, "Incident number 999", env)
        open_first, open_rows = first_frames(opening, "Entry 9999", env)

        term = launch(bare, env)
        term.wait_until(has("bare app ready"))
        bare_bytes = typing_bytes(term)
        bare_rss = rss_mb(term.pid)
        term.close()

        term = launch(opening, env)
        try:
            term.wait_until(has("Entry 9999"))
            term.settle()
            idle = term.bytes_during(3.0)
            rss = rss_mb(term.pid)
            per_char = typing_bytes(term)
            term.type("\r")  # log what was typed: the bar is empty again
            term.wait_until(lambda ls: any(ROW.match(s) and "api pods" in s for s in ls))

            enter_times: dict[float, list[float]] = {PACED: [], HURRIED: []}
            written_times: list[float] = []
            for n in range(2 * STEPS):
                quiet = PACED if n % 2 else HURRIED
                text = f"bench line {n} logged"
                term.type(text)
                term.wait_until(has(text))
                term.settle(quiet=quiet)
                start = time.perf_counter()
                term.type("\r")
                shown = term.wait_until(lambda ls, t=text: any(ROW.match(s) and t in s for s in ls))
                enter_times[quiet].append(shown - start)
                landed = term.wait_until(
                    lambda ls, t=text: any(WRITTEN.match(s) and t in s for s in ls)
                )
                if quiet == PACED:
                    written_times.append(landed - start)

            echo_locked = typing_while_locked(term, big_db)

            term.type("\x1b[A")  # up: into the timeline
            term.settle(quiet=0.2)
            scroll: list[float] = []
            for _ in range(STEPS):  # each step's "before" is the screen the last one left
                scroll += step_times(term, [("\x1b[5~", changed_from(term))])

            entries = big.entries(1)
            term.type("\x06")  # ctrl+f
            term.wait_until(has("entries"))
            query, previous, filtering = "", len(entries), []
            for ch in "shard 16 entry 9":
                query += ch
                count = sum(1 for e in entries if EntryFilter(query).matches(e))
                if count == previous or not query.strip():
                    term.type(ch)
                    term.settle(quiet=0.2)
                    continue
                previous = count
                total = f"{len(entries):,}"
                expect = f"{count:,} of {total}" if count else f"none of {total} match"
                filtering += step_times(term, [(ch, has(expect))])
            # After two dozen entries, each followed by a reload of all 10,000.
            rss_after = rss_mb(term.pid)
        finally:
            term.close()

    figures = [
        Figure(
            "first frame with incident rows, 1,000 incidents / 100,000 entries",
            list_rows,
            round(2 * bare_first, 3),
            "s",
            f"target: 2 × the bare app's first frame, {bare_first:.3f} s",
        ),
        Figure(
            "10,000-entry incident: rows visible after the first frame",
            open_rows - open_first,
            0.5,
            "s",
            f"first frame at {open_first:.3f} s, rows at {open_rows:.3f} s; "
            f"bare app's first frame {bare_first:.3f} s",
        ),
        Figure(
            "scrolling the 10,000-entry timeline (page up), p90 per step",
            p90(scroll),
            0.05,
            "s",
            f"median {statistics.median(scroll) * 1000:.1f} ms over {len(scroll)} steps",
        ),
        Figure(
            "filtering 10,000 entries as you type, p90 per key",
            p90(filtering),
            0.05,
            "s",
            f"median {statistics.median(filtering) * 1000:.1f} ms over {len(filtering)} keys",
        ),
        Figure(
            "Enter to row visible, logging into 10,000 entries, p90",
            p90(enter_times[PACED]),
            0.05,
            "s",
            f"median {statistics.median(enter_times[PACED]) * 1000:.1f} ms over "
            f"{len(enter_times[PACED])}; Enter 0.2 s after the last one's screen: "
            f"p90 {p90(enter_times[HURRIED]) * 1000:.0f} ms, "
            f"median {statistics.median(enter_times[HURRIED]) * 1000:.1f} ms",
        ),
        Figure(
            "Enter to row written (on disk, no longer pending), p90",
            p90(written_times),
            0.1,
            "s",
            f"median {statistics.median(written_times) * 1000:.1f} ms over {len(written_times)}",
        ),
        Figure(
            "key echo while another process holds the write lock, p90",
            p90(echo_locked),
            0.05,
            "s",
            f"median {statistics.median(echo_locked) * 1000:.1f} ms over {len(echo_locked)} "
            "keys, an entry waiting for the lock meanwhile",
        ),
        Figure(
            "bytes sent per typed character in the quick-entry bar",
            per_char,
            round(bare_bytes * 1.2, 1),
            "bytes",
            f"target: 1.2 × a bare Textual Input, {bare_bytes:.1f} bytes",
        ),
        Figure("bytes sent by an idle screen in 3 s", idle, 0, "bytes", "baseline: none"),
        Figure(
            "resident memory with the 10,000-entry incident open, after 25 reloads",
            rss_after,
            150,
            "MB",
            f"{rss:.0f} MB once opened; bare app {bare_rss:.0f} MB",
        ),
    ]
    for figure in figures:
        print(figure.line(), flush=True)
    return 0 if all(f.ok for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
