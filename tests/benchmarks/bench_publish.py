"""Publishing into a docs repo that already holds 1,000 postmortems, against `export`.

Run with ``uv run python tests/benchmarks/bench_publish.py [RUNS]``. Both commands run as
whole ``workbook`` processes on the same incident, interleaved (export, publish, publish
from cold, export, …) so that machine noise hits all of them alike. Each publish goes to a
new branch, so every run makes a real commit and rebuilds the folder's index over all
1,001 postmortems:

- *publish* is the usual case, a machine that published into this folder before: the
  index rows of blobs it has seen come from the cache in the user's cache folder;
- *first publish* starts with an empty cache, so it reads and indexes all 1,000 files.

The figures are medians of the per-run differences (publish minus the export just before
it), in wall-clock time and in CPU time (the process and its git children: a busy machine
inflates that far less). The target, 0.3 s more than export, is judged on the wall clock
of the usual case and shown for all four.
Python's bytecode cache is on (in a private folder) and one untimed round goes first, as
on an installed workbook: otherwise each process would compile its modules from source.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

POSTMORTEMS = 1_000
RUNS = 9
TARGET = 0.3


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def _docs_repo(folder: Path, samples: list[Path]) -> Path:
    docs = folder / "docs"
    (docs / "postmortems").mkdir(parents=True)
    _git(docs, "init", "-q", "-b", "main")
    texts = [p.read_text(encoding="utf-8") for p in samples]
    for n in range(POSTMORTEMS):
        text = texts[n % len(texts)]
        other = f"2020-01-01-archived-{n:04d}"
        text = text.replace(samples[n % len(samples)].stem, other, 1)
        (docs / "postmortems" / f"{other}.md").write_text(text, encoding="utf-8")
    _git(docs, "add", ".")
    _git(docs, "-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-qm", "x")
    _git(docs, "gc", "-q")  # packed, as a clone of a real docs repo is
    return docs


def _summary(name: str, extras: list[float], totals: list[float], exports: list[float]) -> str:
    extra = statistics.median(extras)
    verdict = "ok  " if extra <= TARGET else "MISS"
    return (
        f"{verdict} {name} into {POSTMORTEMS:,} postmortems, beyond export: {extra:.3f} s "
        f"median (min {min(extras):.3f}, max {max(extras):.3f}; target ≤ {TARGET:g} s; "
        f"baseline: workbook export {statistics.median(exports):.3f} s, this publish "
        f"{statistics.median(totals):.3f} s, medians of {len(extras)})"
    )


def main(runs: int = RUNS) -> int:
    from sample_incidents import sample_paths

    script = shutil.which("workbook", path=str(Path(sys.executable).parent)) or "workbook"
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp:
        folder = Path(tmp)
        env = {
            **os.environ,
            "WORKBOOK_DB": str(folder / "w.db"),
            "WORKBOOK_NOW": "2026-11-01T12:00:00+00:00",
            "WORKBOOK_EMAIL": "bench@example.com",
            "GIT_CONFIG_GLOBAL": str(folder / "gitconfig"),
            "XDG_CACHE_HOME": str(folder / "cache"),
            "PYTHONPYCACHEPREFIX": str(folder / "pycache"),
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        samples = sample_paths()
        subprocess.run(
            [script, "import", *map(str, samples)], env=env, check=True, capture_output=True
        )
        slug = samples[0].stem
        docs = _docs_repo(folder, samples)

        def timed(argv: list[str], **extra: str) -> tuple[float, float]:
            """Wall-clock seconds, and the CPU seconds of the process and its git children
            (which a busy machine inflates far less than the wall clock)."""
            start = time.perf_counter()
            proc = subprocess.Popen(
                argv, env={**env, **extra}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            assert proc.stderr is not None
            error = proc.stderr.read()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            wall = time.perf_counter() - start
            if proc.returncode != 0:
                raise SystemExit(f"{' '.join(argv[1:3])} failed: {error.decode()}")
            return wall, usage.ru_utime + usage.ru_stime

        def publish(branch: str, **extra: str) -> tuple[float, float]:
            argv = [script, "publish", slug, "--repo", str(docs), "--branch", branch]
            return timed(argv, **extra)

        timed([script, "export", slug])  # untimed round: bytecode written, cache filled
        publish("warm-up")
        exports, warm, cold = [], [], []
        for run in range(runs):
            exports.append(timed([script, "export", slug]))
            warm.append(publish(f"b{run}"))
            cold.append(publish(f"c{run}", XDG_CACHE_HOME=str(folder / f"cold-{run}")))
    lines, verdict = [], True
    for name, series in (("publish", warm), ("first publish (empty index cache)", cold)):
        for kind, index in (("wall clock", 0), ("CPU time", 1)):
            base = [e[index] for e in exports]
            total = [p[index] for p in series]
            extra = [p - e for p, e in zip(total, base, strict=True)]
            lines.append(_summary(f"{name}, {kind},", extra, total, base))
            if name == "publish" and index == 0:
                verdict = statistics.median(extra) <= TARGET
    print("\n".join(lines))
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else RUNS))
