"""A team on one workbook, on SQLite and PostgreSQL: concurrent writers, live latency, first frame.

Run with ``uv run python tests/benchmarks/bench_team.py [writers|live|first-frame …]``
(PostgreSQL from ``WORKBOOK_TEST_POSTGRES`` or the local default, as the tests find it;
without a server only the SQLite figures are measured). Exits 1 on a miss. Each figure
has its baseline from the same run:

- writers: 4 processes × 500 entries, each entry its own transaction (insert+commit),
  next to one process writing alone on the same backend;
- live: seconds from another responder's commit to its row on a workbook's screen (the
  real program in a pseudo-terminal), next to the same screen echoing a typed key;
- first frame: the incident list on PostgreSQL next to the same data on SQLite.
"""

from __future__ import annotations

import multiprocessing
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from models.db import open_database  # noqa: E402
from models.record import EntryRecord, IncidentRecord  # noqa: E402
from models.store import Store  # noqa: E402
from tests.benchmarks.bench_terminal import environment, first_frames, has  # noqa: E402
from tests.benchmarks.run import Figure, p99  # noqa: E402
from tests.e2e.terminal import PtyScreen  # noqa: E402

NOW = datetime(2026, 3, 2, 23, 55, tzinfo=UTC)
WRITERS, PER_WRITER = 4, 500
LIVE_SAMPLES = 20


def _writer(location: str, incident_id: int, number: int, count: int) -> tuple[list[float], int]:
    store = Store(open_database(location), author=f"writer-{number}")
    times, errors = [], 0
    for n in range(count):
        start = time.perf_counter()
        try:
            store.log_entry(incident_id, f"writer {number} entry {n}", tags=["note"])
        except Exception:  # counted: the figure is how many there were
            errors += 1
        times.append(time.perf_counter() - start)
    return times, errors


def _write_together(location: str, writers: int, per_writer: int) -> tuple[float, int, int, float]:
    """p99 seconds, entries lost, errors, entries per second."""
    store = Store(open_database(location), author="bench")
    incident = store.create_incident(f"{writers} writers", timezone="UTC")
    assert incident.id is not None
    context = multiprocessing.get_context("spawn")
    with context.Pool(writers) as pool:
        start = time.perf_counter()
        results = pool.starmap(
            _writer, [(location, incident.id, w, per_writer) for w in range(writers)]
        )
        elapsed = time.perf_counter() - start
    times = [t for result, _ in results for t in result]
    errors = sum(e for _, e in results)
    found = {e.text for e in store.entries(incident.id)}
    wanted = {f"writer {w} entry {n}" for w in range(writers) for n in range(per_writer)}
    return p99(times), len(wanted - found), errors, writers * per_writer / elapsed


def bench_writers(name: str, location: str) -> list[Figure]:
    alone_p99, _, _, alone_rate = _write_together(location, 1, PER_WRITER)
    p, lost, errors, rate = _write_together(location, WRITERS, PER_WRITER)
    baseline = f"one writer alone: p99 {alone_p99 * 1000:.1f} ms, {alone_rate:.0f} entries/s"
    return [
        Figure(f"{name}: {WRITERS} writers × {PER_WRITER}, entries lost", lost, 0, "", baseline),
        Figure(f"{name}: {WRITERS} writers × {PER_WRITER}, errors", errors, 0, "", baseline),
        Figure(
            f"{name}: {WRITERS} writers × {PER_WRITER}, insert+commit p99",
            p * 1000,
            250.0,
            "ms",
            f"{rate:.0f} entries/s together; {baseline}",
        ),
    ]


def _big_list(location: str, incidents: int = 200, entries: int = 50) -> tuple[Store, str]:
    store = Store(open_database(location), author="bench")
    slug = ""
    for number in range(incidents):
        start = NOW - timedelta(days=incidents - number)
        records = [
            EntryRecord(at=start + timedelta(minutes=n), text=f"entry {n}", author="bench")
            for n in range(entries)
        ]
        fields = {"title": f"Incident number {number}", "timezone": "UTC"}
        slug = store.import_record(IncidentRecord(fields=fields, entries=records)).slug
    return store, slug


def bench_live(name: str, location: str, folder: Path) -> list[Figure]:
    store, slug = _big_list(location)
    incident = store.resolve_ref(slug)
    assert incident.id is not None
    env = environment(folder)
    python = sys.executable
    term = PtyScreen([python, "-m", "tui", "--db", location, "open", slug], env=env)
    latencies, echoes = [], []
    try:
        term.wait_until(has("entry 49"), timeout=60)
        term.settle()
        other = Store(open_database(location), author="bob")
        for n in range(LIVE_SAMPLES):
            term.settle(quiet=0.3)
            text = f"bob says {n:02d}"
            other.log_entry(incident.id, text, at=NOW)
            committed = time.perf_counter()
            latencies.append(term.wait_until(has(text), timeout=10) - committed)
            typed = f"zqx{n:02d}"  # text no row holds, so what shows it is the bar
            term.settle(quiet=0.2)
            start = time.perf_counter()
            term.type(typed)
            echoes.append(term.wait_until(has(typed), timeout=10) - start)
            term.type("\x15")  # ctrl+u: clear the bar again
    finally:
        term.close()
    p50 = statistics.median(latencies)
    p90 = statistics.quantiles(latencies, n=10)[-1]
    echo = statistics.median(echoes)
    baseline = f"baseline: the same screen echoing typed keys, median {echo:.3f} s"
    return [
        Figure(f"{name}: commit to row on another screen, p50", p50, 1.0, "s", baseline),
        Figure(f"{name}: commit to row on another screen, p90", p90, 1.0, "s", baseline),
    ]


def bench_first_frame(sqlite_db: Path, pg_url: str, folder: Path) -> Figure:
    env = environment(folder)
    python = sys.executable
    ready = "200 incidents"  # the count line, once the rows are read
    sqlite_first, sqlite_shown = first_frames(
        [python, "-m", "tui", "--db", str(sqlite_db)], ready, env
    )
    pg_first, pg_shown = first_frames([python, "-m", "tui", "--db", pg_url], ready, env)
    return Figure(
        "PostgreSQL: incident list with its rows (200 incidents × 50 entries)",
        pg_shown,
        2 * sqlite_shown,
        "s",
        f"target: 2 × SQLite's {sqlite_shown:.3f} s; first frame {pg_first:.3f} s, "
        f"SQLite's {sqlite_first:.3f} s",
    )


@contextmanager
def postgres() -> Iterator[str | None]:
    from tests.postgres import fresh_database, unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        print(f"skip PostgreSQL: {reason}", flush=True)
        yield None
        return
    with fresh_database() as url:
        yield url


def main(names: list[str]) -> int:
    """``names``: some of ``writers``, ``live``, ``first-frame`` (default: all)."""
    chosen = set(names or ["writers", "live", "first-frame"])
    figures: list[Figure] = []

    def say(result: list[Figure]) -> None:
        for figure in result:
            print(figure.line(), flush=True)
        figures.extend(result)

    with tempfile.TemporaryDirectory(prefix="bench-team-") as name:
        folder = Path(name)
        if "writers" in chosen:
            say(bench_writers("SQLite", str(folder / "writers.db")))
            with postgres() as url:
                if url is not None:
                    say(bench_writers("PostgreSQL", url))
        if chosen & {"live", "first-frame"}:
            sqlite_db = folder / "live.db"
            if "live" in chosen:
                say(bench_live("SQLite", str(sqlite_db), folder))
            else:
                _big_list(str(sqlite_db))
            with postgres() as url:
                if url is not None:
                    if "live" in chosen:
                        say(bench_live("PostgreSQL", url, folder))
                    else:
                        _big_list(url)
                    if "first-frame" in chosen:
                        say([bench_first_frame(sqlite_db, url, folder)])
    return 0 if all(f.ok for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
