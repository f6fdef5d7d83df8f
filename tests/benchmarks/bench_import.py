"""Benchmark: importing a folder of 1,000 foreign postmortems, for time and for memory.

Run with ``uv run python tests/benchmarks/bench_import.py``.
The documents come from a seeded generator below, written for this benchmark: titles as
``#`` headings, bold lines, capitals, front matter or a plain first line; timelines as
bullets, pipe and tab tables, ``### HH:MM`` headings, bold or backticked times and plain
sentences; dates, time zones, impact figures and action items in many styles. Every figure
stands beside a baseline measured in the same run: reading the same files and handing each
to markdown-it-py, which is the floor any token-based importer stands on.

Pass ``--profile`` to print where the import spends its time (cProfile, top 25).
"""

from __future__ import annotations

import gc
import itertools
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.benchmarks.run import Figure  # noqa: E402

DOCUMENTS = 1_000
EARLY = 200  # memory is compared after this many documents and after all of them
NOW = datetime(2026, 3, 2, 23, 55, tzinfo=UTC)

# -- the generator ---------------------------------------------------------------------------

_SYSTEMS = (
    "checkout",
    "search",
    "login",
    "billing API",
    "image proxy",
    "job queue",
    "primary database",
    "DNS resolver",
    "CDN edge",
    "mobile push",
    "reporting cluster",
    "webhook sender",
)
_CAUSES = (
    "a schema migration locked the orders table",
    "an expired TLS certificate on the internal load balancer",
    "a runaway cron job that filled the root disk",
    "a feature flag enabled for every customer at once",
    "connection pool exhaustion after a config change",
    "a bad deploy that doubled the cache key size",
    "a replica that fell behind and was promoted anyway",
)
_ZONES = (
    ("UTC", "UTC"),
    ("UTC+0", "UTC+0"),
    ("PST", "PST"),
    ("WAT", "WAT"),
    ("EAT", "EAT"),
    ("SAST", "SAST"),
    ("US/Pacific", "US/Pacific"),
    ("", ""),
)
_OWNERS = ("alice", "bob", "Chidi", "Dana", "Emeka", "Farah", "the SRE team", "")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# What happens in an incident, in order: (kind, sentences to pick from).
_STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "start",
        (
            "Deploy {v} of the {s} goes out",
            "Error rate on the {s} starts climbing",
            "OUTAGE BEGINS: the {s} returns 502s",
        ),
    ),
    (
        "detect",
        (
            "Monitoring alert fires for {s} latency",
            "Pager goes off for the {s}; on-call acknowledges",
            "Customer support reports users cannot reach the {s}",
        ),
    ),
    (
        "lead",
        (
            "Initial assumption was a network blip; restarted the pods, which did not resolve it",
            "Dashboards were misleading and pointed at the cache",
            "Rolled back the front end, but it did not resolve the errors",
        ),
    ),
    (
        "escalate",
        (
            "Escalated to the database team",
            "Paged the platform lead and opened an incident bridge",
            "Incident escalated to SEV-1, status page updated",
        ),
    ),
    (
        "note",
        (
            "Checked the {s} logs; nothing unusual in the last hour",
            "Posted an update in the status channel",
            "Queue depth at {n} and rising",
            "Found {c}",
        ),
    ),
    (
        "mitigate",
        (
            "Rolled back to the previous release; errors dropping",
            "Failed traffic over to the standby region",
            "Disabled the feature flag; mitigation in place",
        ),
    ),
    (
        "resolve",
        (
            "Service fully restored and error rate back to normal",
            "All clear: the {s} is healthy again",
            "OUTAGE ENDS, monitoring confirms recovery",
        ),
    ),
)


def _clock(rng: random.Random, at: datetime, style: int) -> str:
    """One of the ways people write a time of day."""
    if style == 0:
        return at.strftime("%H:%M")
    if style == 1:
        hour = at.hour % 12 or 12
        return f"{hour}:{at.minute:02d} {'AM' if at.hour < 12 else 'PM'}"
    if style == 2:
        return at.strftime("%H:%M:%S")
    if style == 3:
        return at.strftime("%H%MHRS")
    hour = at.hour % 12 or 12
    suffix = "am" if at.hour < 12 else "pm"
    return f"{hour}{suffix}" if at.minute == 0 else f"{hour}:{at.minute:02d}{suffix}"


def _day(rng: random.Random, day: date) -> str:
    style = rng.randrange(5)
    if style == 0:
        return day.isoformat()
    if style == 1:
        return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"
    if style == 2:
        n = day.day
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{_MONTHS[day.month - 1]} {n}{suffix}, {day.year}"
    if style == 3:
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    return f"{day.month}-{day.day}-{day.year}"


def _words(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    if hours and mins:
        return f"{hours} hours and {mins} minutes"
    if hours:
        return f"{hours} hours" if hours > 1 else "1 hour"
    return f"{mins} minutes"


def _timeline(
    rng: random.Random, moments: Sequence[tuple[datetime, str]], zone: str, day_text: str
) -> list[str]:
    style = rng.randrange(7)
    clock = rng.choice((0, 0, 1, 2, 3, 4)) if style != 3 else 0
    suffix = f" {zone}" if zone and rng.random() < 0.3 else ""
    lines = ["## Timeline", ""]
    if zone and not suffix:
        lines += [f"All times {zone}, {day_text}.", ""]
    elif not zone:
        lines += [f"On {day_text}:", ""]
    for at, text in moments:
        when = _clock(rng, at, clock) + suffix
        if style == 0:
            lines.append(f"- {when} - {text}")
        elif style == 1:
            lines.append(f"- **{when}**: {text}")
        elif style == 2:
            lines.append(f"* `{when}` {text}.")
        elif style == 3:
            lines += [f"### {when}", "", text + ".", ""]
        elif style == 4:
            if len(lines) <= 4:
                lines += ["| Time | Event |", "|------|-------|"]
            lines.append(f"| {when} | {text} |")
        elif style == 5:
            if len(lines) <= 4:
                lines.append("Time\tEvent")
            lines.append(f"{when}\t{text}")
        else:
            lines += [f"At {when}, {text[0].lower()}{text[1:]}.", ""]
    return lines


def _actions(rng: random.Random, count: int) -> list[str]:
    style = rng.randrange(5)
    titles = [
        "Add an alert on disk usage above 80%",
        "Require two reviewers for schema migrations",
        "Automate certificate renewal",
        "Write a runbook for regional failover",
        "Load-test the connection pool settings",
        "Add a canary stage to the deploy pipeline",
        "Document the rollback procedure",
    ]
    rng.shuffle(titles)
    header = rng.choice(("## Action Items", "## Corrective and Preventative Measures", "## TODO"))
    lines = [header, ""]
    if style == 3:
        lines += ["| Action | Owner | Priority | Status |", "|---|---|---|---|"]
    for n, title in enumerate(titles[:count], start=1):
        owner = rng.choice(_OWNERS)
        priority = rng.choice(("P1", "P2", "[High]", "[Low]", ""))
        done = rng.random() < 0.3
        if style == 0:
            by = f" (owner: {owner})" if owner else ""
            lines.append(f"- {priority} {title}{by}".replace("-  ", "- "))
        elif style == 1:
            state = "DONE" if done else "TODO"
            lines.append(f"{n}. {title} - {state}")
        elif style == 2:
            lines.append(f"- [{'x' if done else ' '}] {title}" + (f" @{owner}" if owner else ""))
        elif style == 3:
            status = "Done" if done else "Open"
            lines.append(f"| {title} | {owner or '-'} | {priority or '-'} | {status} |")
        else:
            lines += [f"**{title}.** Owner: {owner or 'TBD'}. Priority: {priority or 'P3'}.", ""]
    return lines


def make_postmortem(rng: random.Random, number: int) -> tuple[str, str]:
    """(file name, text) of one invented postmortem."""
    system = rng.choice(_SYSTEMS)
    cause = rng.choice(_CAUSES)
    zone, _ = rng.choice(_ZONES)
    day = date(2019, 1, 1) + timedelta(days=rng.randrange(6 * 365))
    start = datetime(day.year, day.month, day.day, rng.randrange(24), rng.choice((0, 5, 17, 30)))
    moments: list[tuple[datetime, str]] = []
    at = start
    for kind, sentences in _STEPS:
        repeat = 1 if kind in ("start", "detect", "mitigate", "resolve") else rng.randrange(3)
        for _ in range(repeat + (rng.randrange(4) if kind == "note" else 0)):
            text = rng.choice(sentences).format(
                s=system,
                v=f"v{rng.randrange(1, 40)}.{rng.randrange(10)}",
                n=rng.randrange(9999),
                c=cause,
            )
            moments.append((at, text))
            at += timedelta(minutes=rng.choice((2, 5, 7, 12, 20, 35)))
    minutes = int((moments[-1][0] - start).total_seconds() // 60)
    title = rng.choice(
        (
            f"{system.capitalize()} outage",
            f"{system.capitalize()} down after {cause.split(' that ')[0].removeprefix('a ')}",
            f"Postmortem: {system} errors on {day.isoformat()}",
        )
    )
    day_text = _day(rng, day)

    head: list[str] = []
    title_style = rng.randrange(6)
    if title_style == 0:
        head = [f"# {title}", ""]
    elif title_style == 1:
        head = [
            "---",
            f'title: "{title}"',
            f"date: {day.isoformat()}",
            "---",
            "",
            "# Postmortem",
            "",
        ]
    elif title_style == 2:
        head = [f"**{title}**", ""]
    elif title_style == 3:
        head = [title.upper(), ""]
    elif title_style == 4:
        head = [f"Incident report #{number}", "", f"## {title}", ""]
    else:
        head = [title, "", "=" * min(len(title), 40), ""]

    impact = rng.choice(
        (
            f"About {rng.randrange(5, 100)}% of users were affected.",
            f"Roughly {rng.randrange(100, 90000):,} users could not log in.",
            f"{rng.randrange(50, 5000)} transactions failed, "
            f"about ${rng.randrange(1, 90)},000 lost.",
            "Impact was limited to internal tools.",
        )
    )
    summary = [
        "## Summary",
        "",
        f"On {day_text} the {system} was degraded for {_words(minutes)}"
        + (f" ({zone})" if zone and rng.random() < 0.5 else "")
        + f". {impact}",
        "",
        f"Severity: SEV-{rng.randrange(1, 5)}" if rng.random() < 0.7 else "",
        "",
    ]
    code = []
    if rng.random() < 0.2:
        code = ["```", f"{start:%Y-%m-%d} 03:14:15 ERROR pool exhausted (size=50)", "```", ""]
    body = [
        *head,
        *summary,
        *_timeline(rng, moments, zone, day_text),
        "",
        "## Root Cause",
        "",
        f"The trigger was {cause}.",
        "",
        *code,
        "## Resolution",
        "",
        "We rolled back and watched the error rate for an hour before closing the incident.",
        "",
        *_actions(rng, rng.randrange(1, 7)),
        "",
    ]
    suffix = rng.choice((".md", ".md", ".md", ".markdown", ".txt"))
    return f"{number:04d}-{system.replace(' ', '-')}{suffix}", "\n".join(body)


def write_corpus(folder: Path, count: int = DOCUMENTS, *, seed: int = 5) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        name, text = make_postmortem(rng, number)
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return sorted(paths)


# -- the measurements ------------------------------------------------------------------------


def _fresh_store(path: Path) -> object:
    from models.db import open_database
    from models.store import Store

    return Store(open_database(path), author="bench", clock=lambda: NOW)


def _baseline(files: Sequence[Path]) -> float:
    from markdown_it import MarkdownIt

    parser = MarkdownIt()
    start = time.perf_counter()
    for path in files:
        parser.parse(path.read_text(encoding="utf-8-sig"))
    return time.perf_counter() - start


def _traced_after(work: Callable[[], object]) -> int:
    work()
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def bench_import_folder(folder: Path, *, profile: bool = False) -> list[Figure]:
    from exporters.ingest.importing import collect_files, import_paths, read_document

    files = collect_files([write_corpus(folder / "docs")[0].parent])
    assert len(files) == DOCUMENTS, len(files)
    _baseline(files[:50])  # warm the file cache and markdown-it's own tables

    # Time: the whole folder into a fresh database, the way `workbook import DIR` does it.
    store = _fresh_store(folder / "timed.db")
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    start = time.perf_counter()
    results = import_paths(store, files)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    if profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    failed = [r for r in results if r.error]
    baseline = _baseline(files)
    per_doc = elapsed / len(files) * 1000

    # Memory: what stays allocated after every batch of 100 documents, in a second fresh
    # database, results dropped after each batch as a caller streaming a report would.
    # The growth per document is the median of the batch-to-batch changes from document
    # 200 on: a one-off allocation (a library filling a cache the first time it meets some
    # shape of input) moves one step, not the median; steady growth moves every step.
    del results
    store = _fresh_store(folder / "memory.db")
    gc.collect()
    tracemalloc.start()
    step = 100
    kept: list[int] = []
    for lo in range(0, len(files), step):
        kept.append(_traced_after(lambda lo=lo: import_paths(store, files[lo : lo + step])))  # type: ignore[arg-type, misc]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    steps = [b - a for a, b in itertools.pairwise(kept[EARLY // step - 1 :])]
    growth = statistics.median(steps) / step / 1024
    early, late = kept[EARLY // step - 1], kept[-1]

    # Where the time goes: reading alone, for the same files (the rest is storing them).
    start = time.perf_counter()
    for path in files:
        read_document(path)
    reading = (time.perf_counter() - start) / len(files) * 1000

    return [
        Figure(
            f"import of {len(files):,} foreign postmortems, per document",
            per_doc,
            20.0,
            "ms",
            f"baseline: reading + MarkdownIt().parse {baseline / len(files) * 1000:.2f} ms/doc; "
            f"of ours, reading {reading:.1f} ms/doc; whole folder {elapsed:.1f} s; "
            f"{len(failed)} failed",
        ),
        Figure(
            f"memory kept per document, {EARLY} → {len(files):,} documents (median step)",
            max(growth, 0.0),
            1.0,
            "KiB",
            f"traced after {EARLY}: {early / 2**20:.2f} MiB, after {len(files):,}: "
            f"{late / 2**20:.2f} MiB, per-100 steps {min(steps) / 1024:+.0f}…"
            f"{max(steps) / 1024:+.0f} KiB, peak {peak / 2**20:.1f} MiB",
        ),
    ]


def main(argv: Sequence[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        figures = bench_import_folder(Path(folder), profile="--profile" in argv)
    for figure in figures:
        print(figure.line(), flush=True)
    return 0 if all(f.ok for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
