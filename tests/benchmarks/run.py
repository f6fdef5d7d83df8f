"""Benchmarks: each prints its figure, its target and a baseline measured in the same run.

Run with ``uv run python tests/benchmarks/run.py`` (add names to run some: ``insert help``).
Exits 1 when a target is missed. Not part of ``uv run pytest``: these machines are noisy,
which is why every figure stands beside a baseline taken moments before.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from models.db import open_database  # noqa: E402
from models.store import Store  # noqa: E402

NOW = datetime(2026, 3, 2, 23, 55, tzinfo=UTC)
ENTRIES = 10_000


@dataclass
class Figure:
    name: str
    value: float
    target: float
    unit: str
    baseline: str

    @property
    def ok(self) -> bool:
        return self.value <= self.target

    def line(self) -> str:
        verdict = "ok  " if self.ok else "MISS"
        return (
            f"{verdict} {self.name}: {self.value:.3f} {self.unit} "
            f"(target ≤ {self.target:g} {self.unit}; {self.baseline})"
        )


def best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def filled_store(folder: Path, entries: int = ENTRIES) -> tuple[Store, int]:
    store = Store(open_database(folder / "bench.db"), author="bench", clock=lambda: NOW)
    incident = store.create_incident("Benchmark incident", timezone="Europe/Berlin")
    from models.record import EntryRecord, IncidentRecord

    tags = [[], ["note"], ["false-lead"], ["escalation"], ["comms"]]
    record = IncidentRecord(
        fields={"title": "Benchmark incident", "timezone": "Europe/Berlin"},
        entries=[
            EntryRecord(
                at=NOW - timedelta(minutes=entries - n),
                text=f"Entry {n}: checked | the *dashboards* for shard {n % 17}",
                tags=["impact-start"]
                if n == 0
                else ["resolved"]
                if n == entries - 1
                else tags[n % 5],
                author="bench",
            )
            for n in range(entries)
        ],
    )
    imported = store.import_record(record)
    del incident
    return store, imported.id  # type: ignore[return-value]


def bench_insert(folder: Path) -> Figure:
    store, incident_id = filled_store(folder)
    con = sqlite3.connect(folder / "raw.db", isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, at TEXT, text TEXT, tags TEXT)")
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO t (at, text, tags) VALUES (?, ?, ?)",
        [(str(n), "x" * 40, "[]") for n in range(ENTRIES)],
    )
    con.execute("COMMIT")
    ours, raw = [], []
    # Interleaved, so that whatever else the machine does falls on both alike.
    for n in range(1000):
        start = time.perf_counter()
        store.log_entry(incident_id, f"live entry {n}", tags=["note"])
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO t (at, text, tags) VALUES (?, ?, ?)", (str(n), "y" * 40, "[]"))
        con.execute("COMMIT")
        raw.append(time.perf_counter() - start)
    con.close()
    return Figure(
        "entry insert+commit p99 at 10,000 entries",
        p99(ours) * 1000,
        2.0,
        "ms",
        f"bare sqlite3 insert+commit p99 {p99(raw) * 1000:.3f} ms; "
        f"medians ours {statistics.median(ours) * 1000:.3f} ms, "
        f"bare {statistics.median(raw) * 1000:.3f} ms",
    )


def bench_metrics(folder: Path) -> Figure:
    from models.metrics import compute_metrics

    store, incident_id = filled_store(folder)
    snap = store.snapshot(incident_id)
    ours = best_of(7, lambda: compute_metrics(snap.incident, snap.entries, now=NOW))
    baseline = best_of(7, lambda: sorted(snap.entries, key=lambda e: (e.at, e.id)))
    return Figure(
        "metrics for a 10,000-entry incident",
        ours * 1000,
        20.0,
        "ms",
        f"baseline: sorting the entries alone {baseline * 1000:.2f} ms",
    )


def bench_export_import(folder: Path) -> list[Figure]:
    import json

    from exporters.ingest.importing import read_text
    from exporters.render.formats import render_incident
    from exporters.render.json_view import entry_dict

    store, incident_id = filled_store(folder)
    # What `workbook export` does once it has found the incident: read it, render it.
    export_time = best_of(
        5, lambda: render_incident(store.snapshot(incident_id), "markdown", now=NOW)
    )
    snap = store.snapshot(incident_id)
    text = render_incident(snap, "markdown", now=NOW)
    path = folder / "big.md"
    path.write_text(text)
    # What `workbook import` does per file: read it, store it. Each run gets a fresh
    # database, opened (and migrated) beforehand: opening is part of neither figure.
    targets = iter(
        [Store(open_database(folder / f"import-{n}.db"), clock=lambda: NOW) for n in range(5)]
    )
    import_time = best_of(
        5, lambda: next(targets).import_record(read_text(path.read_text(), path).record)
    )
    dumped = json.dumps([entry_dict(e) for e in snap.entries])
    dump = best_of(5, lambda: json.dumps([entry_dict(e) for e in snap.entries]))
    load = best_of(5, lambda: json.loads(dumped))
    return [
        Figure(
            "export of a 10,000-entry incident",
            export_time,
            0.5,
            "s",
            f"baseline: JSON dump of the same entries {dump * 1000:.0f} ms",
        ),
        Figure(
            "import of a 10,000-entry incident",
            import_time,
            0.5,
            "s",
            f"baseline: JSON load of the same entries {load * 1000:.0f} ms",
        ),
    ]


def bench_help(folder: Path) -> Figure:
    script = shutil.which("workbook", path=str(Path(sys.executable).parent)) or "workbook"
    # As a user runs it: Python keeps the compiled bytecode after the first run. (Machines
    # that set PYTHONDONTWRITEBYTECODE recompile every module every time; that "cold"
    # figure is shown too.) The cache goes to a private folder, leaving the install alone.
    cold = {**os.environ, "WORKBOOK_DB": str(folder / "help.db")}
    warm = {**cold, "PYTHONPYCACHEPREFIX": str(folder / "pycache")}
    warm.pop("PYTHONDONTWRITEBYTECODE", None)

    def run(argv: list[str], env: dict[str, str]) -> float:
        subprocess.run(argv, capture_output=True, env=env, check=True)  # warm-up
        return best_of(7, lambda: subprocess.run(argv, capture_output=True, env=env, check=True))

    ours = run([script, "--help"], warm)
    bare = run([sys.executable, "-c", "pass"], warm)
    ours_cold = run([script, "--help"], cold)
    bare_cold = run([sys.executable, "-c", "pass"], cold)
    return Figure(
        "workbook --help, whole process",
        ours,
        0.2,
        "s",
        f"baseline: bare Python start {bare:.3f} s; with no bytecode cache {ours_cold:.3f} s, "
        f"bare {bare_cold:.3f} s",
    )


BENCHMARKS: dict[str, Callable[[Path], Figure | list[Figure]]] = {
    "insert": bench_insert,
    "metrics": bench_metrics,
    "export-import": bench_export_import,
    "help": bench_help,
}


def main(names: list[str]) -> int:
    chosen = names or list(BENCHMARKS)
    figures: list[Figure] = []
    for name in chosen:
        with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as folder:
            result = BENCHMARKS[name](Path(folder))
        for figure in result if isinstance(result, list) else [result]:
            print(figure.line(), flush=True)
            figures.append(figure)
    return 0 if all(f.ok for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
