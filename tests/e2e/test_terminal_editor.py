"""$EDITOR from the write-up, for real: the app hands the terminal over and takes it back."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from models.db import open_database
from models.store import Store
from tests.e2e.terminal import PtyScreen

F5 = "\x1b[15~"
CTRL_O = "\x0f"
CTRL_Q = "\x11"

EDITOR_SCRIPT = """
import sys
from pathlib import Path

path = Path(sys.argv[1])
print("fake editor running", flush=True)
path.write_text(path.read_text(encoding="utf-8") + "Written in the editor.\\n", encoding="utf-8")
"""


def test_ctrl_o_runs_the_editor_and_saves_what_it_wrote(tmp_path: Path) -> None:
    db = tmp_path / "pty.db"
    store = Store(open_database(db), author="tester")
    made = store.create_incident("Disk full on db-1", timezone="UTC")
    assert made.id is not None
    store.update_incident(made.id, {"summary": "The disk filled up.\n"})
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR_SCRIPT, encoding="utf-8")
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "EDITOR": f"{sys.executable} {editor}",
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    env.pop("VISUAL", None)
    term = PtyScreen([sys.executable, "-m", "tui", "--db", str(db), "open", made.slug], env=env)
    try:
        term.wait_for("Disk full on db-1")
        term.settle()
        term.type(F5)
        term.wait_for("The disk filled up.")
        term.type("\r")
        term.settle()
        term.type(CTRL_O)
        term.wait_for("Written in the editor.")  # back in the app, the text in the editor pane
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline:
            if "Written in the editor." in store.get_incident(made.id).summary:
                break
            time.sleep(0.05)
        assert (
            store.get_incident(made.id).summary == "The disk filled up.\nWritten in the editor.\n"
        )
        term.type(CTRL_Q)
        assert term.wait_exit() == 0
    finally:
        term.close()
