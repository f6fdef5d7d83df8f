"""The workbook as a responder on SSH meets it: time to a usable screen, bytes per keystroke.

Baseline in the same run: a bare Textual app showing one line, started the same way.
Run with ``uv run python tests/benchmarks/bench_terminal.py``.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from models.db import open_database  # noqa: E402
from models.store import Store  # noqa: E402
from tests.benchmarks.run import Figure  # noqa: E402
from tests.terminal import PtyScreen  # noqa: E402

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

RUNS = 5


def _env(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TERM": "xterm-256color",
        "XDG_STATE_HOME": str(folder / "state"),
        "XDG_CONFIG_HOME": str(folder / "config"),
    }


def time_to_screen(argv: list[str], needle: str, env: dict[str, str]) -> float:
    samples = []
    for _ in range(RUNS):
        term = PtyScreen(argv, env=env)
        try:
            samples.append(term.wait_for(needle, timeout=30))
        finally:
            term.close()
    return statistics.median(samples)


def typing_cost(argv: list[str], needle: str, env: dict[str, str]) -> tuple[int, float]:
    """Bytes an idle screen sends in 3 s, and bytes sent per typed character."""
    term = PtyScreen(argv, env=env)
    try:
        term.wait_for(needle)
        term.settle()
        idle = term.bytes_during(3.0)
        before = term.bytes_written
        line = "restarted the api pods #mit"
        for ch in line:
            term.type(ch)
            term.settle(quiet=0.15)
        return idle, (term.bytes_written - before) / len(line)
    finally:
        term.close()


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-terminal-") as name:
        folder = Path(name)
        db = folder / "bench.db"
        store = Store(open_database(db), author="bench")
        incident = store.create_incident("Bench outage", timezone="UTC")
        for n in range(200):
            store.log_entry(incident.id, f"entry {n}", tags=["note"])  # type: ignore[arg-type]
        env = _env(folder)
        workbook = [sys.executable, "-m", "tui", "--db", str(db), "open", incident.slug]
        bare = time_to_screen([sys.executable, "-c", BARE_APP], "bare app ready", env)
        ours = time_to_screen(workbook, "entry 199", env)

        idle, per_key = typing_cost(workbook, "entry 199", env)
        _, bare_per_key = typing_cost([sys.executable, "-c", BARE_APP], "bare app ready", env)

    figures = [
        Figure(
            "time until an incident with 200 entries is on screen",
            ours,
            round(bare + 2.5, 2),
            "s",
            f"target: bare Textual app + 2.5 s (SQLAlchemy's import alone is ~0.9 s); "
            f"bare app {bare:.3f} s",
        ),
        Figure("bytes sent by an idle screen in 3 s", idle, 0, "bytes", "baseline: none"),
        Figure(
            "bytes sent per typed character in the quick-entry bar",
            per_key,
            round(bare_per_key * 1.25),
            "bytes",
            f"target: a bare Textual Input + 25 %; bare Input {bare_per_key:.0f} bytes",
        ),
    ]
    for figure in figures:
        print(figure.line(), flush=True)
    return 0 if all(f.ok for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
