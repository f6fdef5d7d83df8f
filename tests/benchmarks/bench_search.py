"""Benchmark: search over 1,000 incidents and 100,000 timeline entries, on each backend.

Run with ``uv run python tests/benchmarks/bench_search.py``. The
record is made by bulk inserts (not through the CLI) from a seeded generator: words drawn
with a Zipf-like skew, so common words match tens of thousands of rows and rare ones a few,
with tags, services, narrative sections and action items. The target is the 90th
percentile of one call of :func:`models.search.search` (the CLI's and the workbook's path:
rank, read the texts, cut the snippets) over a mix of queries, each run several times.
The baseline, measured in the same run on the same data, is what finding one common word
costs without the index: a ``LIKE '%word%'`` scan of the entries.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import Engine, text  # noqa: E402

from models.bulk import insert_many  # noqa: E402
from models.db import open_database  # noqa: E402
from models.search import search  # noqa: E402
from models.sessions import write_connection  # noqa: E402
from models.tables import NARRATIVE_FIELDS, ActionItem, Incident, TimelineEntry  # noqa: E402
from tests.benchmarks.run import Figure  # noqa: E402

INCIDENTS = 1_000
ENTRIES_EACH = 100
ACTIONS_EACH = 3
RUNS = 7
TARGET_MS = 50.0
NOW = datetime(2026, 3, 2, 23, 55, tzinfo=UTC)

_COMMON = [
    "checked",
    "the",
    "error",
    "rate",
    "dashboard",
    "latency",
    "users",
    "requests",
    "database",
    "replica",
    "timeout",
    "connection",
    "pool",
    "deploy",
    "rollback",
    "cache",
    "region",
    "traffic",
    "alert",
    "paged",
    "restarted",
    "service",
    "queue",
    "workers",
    "disk",
    "memory",
    "cpu",
    "config",
    "flag",
    "certificate",
    "dns",
    "load",
    "balancer",
    "nodes",
    "retry",
    "customers",
    "payments",
    "orders",
    "login",
    "api",
    "gateway",
    "kafka",
    "consumer",
    "lag",
    "index",
    "query",
    "slow",
]
_RARE = [f"zq{n:04d}" for n in range(2_000)]
_SERVICES = ("checkout", "payments", "search", "login", "api", "billing", "cdn", "queue")
_TAGS = ([], [], [], ["note"], ["false-lead"], ["escalation"], ["comms"], ["mitigated"])

QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("timeout", {}),
    ("replica lag", {}),
    ('"connection pool"', {}),
    ("gateway -deploy", {}),
    ("tag:false-lead dns", {}),
    ("service:payments latency", {}),
    ("db-07", {}),
    ("certif", {}),
    ("rollback", {"since": date(2025, 12, 1)}),
    ("error", {"severity": "SEV-1"}),
    ("zq0042", {}),
    ("tag:false-lead", {}),
    ("service:checkout", {}),
    ("re", {}),
]


def _words(rng: random.Random, n: int) -> str:
    words = []
    for _ in range(n):
        pick = rng.random()
        if pick < 0.03:
            words.append(rng.choice(_RARE))
        elif pick < 0.05:
            words.append(f"db-{rng.randrange(20):02d}")
        else:
            words.append(_COMMON[min(int(rng.paretovariate(1.1)) - 1, len(_COMMON) - 1)])
    return " ".join(words)


def fill(engine: Engine, seed: int = 14) -> None:
    rng = random.Random(seed)
    incidents, entries, actions = [], [], []
    entry_id = 0
    for n in range(1, INCIDENTS + 1):
        started = NOW - timedelta(hours=9 * (INCIDENTS - n))
        row: dict[str, Any] = {c.name: None for c in Incident.__table__.columns}
        row.update(
            id=n,
            slug=f"{started:%Y-%m-%d}-incident-{n}",
            title=_words(rng, 5).capitalize(),
            severity=f"SEV-{rng.randrange(1, 6)}",
            status="resolved",
            timezone="UTC",
            services=rng.sample(_SERVICES, 2),
            slo_window_days=30,
            next_action_number=ACTIONS_EACH + 1,
            started_at=started,
            resolved_at=started + timedelta(hours=2),
            created_at=started,
            updated_at=started,
        )
        for name in NARRATIVE_FIELDS:
            row[name] = _words(rng, 30) if name in ("summary", "root_cause") else ""
        incidents.append(row)
        for m in range(ENTRIES_EACH):
            entry_id += 1
            at = started + timedelta(minutes=m)
            entries.append(
                {
                    "id": entry_id,
                    "incident_id": n,
                    "at": at,
                    "author": "bench",
                    "text": _words(rng, rng.randrange(6, 25)),
                    "tags": rng.choice(_TAGS),
                    "deleted_at": None,
                    "created_at": at,
                    "updated_at": at,
                }
            )
        for m in range(1, ACTIONS_EACH + 1):
            actions.append(
                {
                    "incident_id": n,
                    "number": m,
                    "title": _words(rng, 6).capitalize(),
                    "owner": None,
                    "priority": "medium",
                    "type": "prevent",
                    "status": "open",
                    "due": None,
                    "link": None,
                    "source_entry_id": None,
                    "created_at": started,
                    "updated_at": started,
                }
            )
    with write_connection(engine) as conn:
        insert_many(conn, Incident.__table__, incidents)  # type: ignore[attr-defined]
        for start in range(0, len(entries), 10_000):
            insert_many(conn, TimelineEntry.__table__, entries[start : start + 10_000])  # type: ignore[attr-defined]
        insert_many(conn, ActionItem.__table__, actions)  # type: ignore[attr-defined]
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()


def _like_scan(engine: Engine, word: str) -> None:
    with engine.connect() as conn:
        conn.execute(
            text("SELECT count(*) FROM timeline_entry WHERE lower(text) LIKE :w"),
            {"w": f"%{word}%"},
        ).scalar()


def measure(engine: Engine, label: str) -> Figure:
    fill(engine)
    samples: list[float] = []
    per_query: dict[str, float] = {}
    for query, options in QUERIES:
        search(engine, query, **options)  # warm-up: caches and the first plan
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            search(engine, query, **options)
            times.append(time.perf_counter() - start)
        samples += times
        per_query[query] = statistics.median(times) * 1000
    scans = []
    for _ in range(RUNS):
        start = time.perf_counter()
        _like_scan(engine, "timeout")
        scans.append(time.perf_counter() - start)
    p90 = statistics.quantiles(samples, n=10)[8] * 1000
    slowest = max(per_query, key=per_query.__getitem__)
    return Figure(
        f"search p90 over {INCIDENTS:,} incidents / {INCIDENTS * ENTRIES_EACH:,} entries, {label}",
        p90,
        TARGET_MS,
        "ms",
        f"baseline: LIKE scan of the entries for one word {statistics.median(scans) * 1000:.1f} ms;"
        f" median {statistics.median(samples) * 1000:.1f} ms; slowest query {slowest!r} "
        f"{per_query[slowest]:.1f} ms",
    )


@contextmanager
def _postgres() -> Iterator[str | None]:
    from tests.postgres import fresh_database, unavailable_reason

    why = unavailable_reason()
    if why is not None:
        print(f"skip PostgreSQL: {why}", flush=True)
        yield None
        return
    with fresh_database() as url:
        yield url


def bench_search(folder: Path) -> list[Figure]:
    figures = [measure(open_database(folder / "search.db"), "SQLite")]
    with _postgres() as url:
        if url is not None:
            engine = open_database(url)
            try:
                figures.append(measure(engine, "PostgreSQL"))
            finally:
                engine.dispose()
    return figures


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-search-") as folder:
        figures = bench_search(Path(folder))
    for figure in figures:
        print(figure.line(), flush=True)
    return 0 if all(f.ok for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
