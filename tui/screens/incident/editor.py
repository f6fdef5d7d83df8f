"""Handing a write-up section to ``$VISUAL``/``$EDITOR`` and taking the terminal back."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from textual.app import App, SuspendNotSupported

from tui.errors import describe


def edit_in_editor(app: App[Any], field: str, text: str) -> str | None:
    """The section as the editor left it, or None (no editor, or it could not run: said)."""
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not command:
        app.notify(
            "set $EDITOR (for example EDITOR=vim) to write sections in your editor",
            severity="warning",
        )
        return None
    with tempfile.NamedTemporaryFile(
        "w", suffix=".md", prefix=f"workbook-{field}-", delete=False, encoding="utf-8"
    ) as handle:
        handle.write(text)
        path = Path(handle.name)
    try:
        with app.suspend():
            subprocess.run([*shlex.split(command), str(path)], check=False)
        return path.read_text(encoding="utf-8")
    except SuspendNotSupported:
        app.notify("this terminal cannot hand over to an editor", severity="error")
        return None
    except (OSError, ValueError) as exc:
        app.notify(f"the editor did not run: {describe(exc)}", severity="error")
        return None
    finally:
        path.unlink(missing_ok=True)
