"""Benchmark: how much later a command starts through ``workbook run`` than typed directly.

Run with ``uv run python tests/benchmarks/bench_run.py``. The command is ``date +%s%N``: it
prints the moment it started, so the figure is the time from launching the process to the
command running, which is what a responder waits for; writing the entry comes after. The
baseline, measured in the same run, is the same interpreter starting the same command and
nothing else (``python -c 'os.execvp(…)'``); the figure is the median difference, through a
pipe and in a terminal (a pseudo-terminal, where ``run`` gives the command one of its own).
The whole process of ``workbook run -- true`` (with the entry written) is printed beside it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.benchmarks.run import Figure  # noqa: E402

RUNS = 15
TARGET_MS = 30.0
CLOCK = ["date", "+%s%N"]
BARE = [sys.executable, "-c", "import os, sys; os.execvp(sys.argv[1], sys.argv[1:])"]


def _workbook() -> list[str]:
    script = Path(sys.executable).with_name("workbook")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui"]


def _started_after(argv: Sequence[str], env: dict[str, str], *, terminal: bool) -> float:
    """Milliseconds from launching ``argv`` to ``date`` running (it prints the time)."""
    if terminal:
        master, slave = os.openpty()
        launched = time.time_ns()
        proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env)
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        proc.wait()
        os.close(master)
        out = b"".join(chunks).decode()
    else:
        launched = time.time_ns()
        out = subprocess.run(argv, capture_output=True, text=True, env=env, check=False).stdout
    stamp = next(int(line) for line in out.split() if line.strip().isdigit())
    return (stamp - launched) / 1e6


def measure(folder: Path) -> list[Figure]:
    db = folder / "run.db"
    env = {**os.environ, "XDG_STATE_HOME": str(folder / "state"), "WORKBOOK_AUTHOR": "bench"}
    env.pop("WORKBOOK_NOW", None)
    workbook = [*_workbook(), "--db", str(db)]
    subprocess.run(
        [*workbook, "new", "Bench", "--tz", "UTC"], env=env, check=True, capture_output=True
    )
    run = [*workbook, "run", "1", "--"]
    figures = []
    for terminal in (False, True):
        bare, ours = [], []
        for _ in range(RUNS):
            bare.append(_started_after([*BARE, *CLOCK], env, terminal=terminal))
            ours.append(_started_after([*run, *CLOCK], env, terminal=terminal))
        overhead = statistics.median(ours) - statistics.median(bare)
        where = "a terminal" if terminal else "a pipe"
        figures.append(
            Figure(
                f"workbook run: command starts later than typed, through {where}",
                overhead,
                TARGET_MS,
                "ms",
                f"median start {statistics.median(ours):.1f} ms vs bare interpreter "
                f"{statistics.median(bare):.1f} ms",
            )
        )
    whole, direct = [], []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([*run, "true"], env=env, check=True, capture_output=True)
        whole.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run([*BARE, "true"], env=env, check=True, capture_output=True)
        direct.append(time.perf_counter() - start)
    print(
        f"info workbook run -- true, whole process with the entry written: "
        f"{statistics.median(whole) * 1000:.0f} ms (true via the bare interpreter: "
        f"{statistics.median(direct) * 1000:.0f} ms)",
        flush=True,
    )
    return figures


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-run-") as folder:
        figures = measure(Path(folder))
    for figure in figures:
        print(figure.line(), flush=True)
    return 0 if all(f.ok for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
