"""Publishing into a docs repo that already holds 1,000 postmortems, against `export`.

Run with ``uv run python tests/benchmarks/bench_publish.py``. Both commands run as whole
``workbook`` processes on the same incident, interleaved (export, publish, export, …) so
that machine noise hits both; the figure is the best publish minus the best export, and
the target is 0.3 s. Each publish goes to a new branch, so every run makes a real commit
and rebuilds the folder's index from all 1,001 postmortems.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

POSTMORTEMS = 1_000
RUNS = 7
TARGET = 0.3


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def main() -> int:
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
        }
        samples = sample_paths()
        subprocess.run(
            [script, "import", *map(str, samples)], env=env, check=True, capture_output=True
        )
        slug = samples[0].stem
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

        def timed(argv: list[str]) -> float:
            start = time.perf_counter()
            subprocess.run(argv, env=env, check=True, capture_output=True)
            return time.perf_counter() - start

        exports, publishes = [], []
        for run in range(RUNS):
            exports.append(timed([script, "export", slug]))
            publishes.append(
                timed([script, "publish", slug, "--repo", str(docs), "--branch", f"b{run}"])
            )
    export, publish = min(exports), min(publishes)
    extra = publish - export
    verdict = "ok  " if extra <= TARGET else "MISS"
    print(
        f"{verdict} publish into {POSTMORTEMS:,} postmortems, beyond export: {extra:.3f} s "
        f"(target ≤ {TARGET:g} s; baseline: workbook export {export:.3f} s, "
        f"publish {publish:.3f} s, best of {RUNS})"
    )
    return 0 if extra <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
