"""Textual stays inside tui/: the record and the exporters must work on a headless box."""

from __future__ import annotations

import subprocess
import sys

from tests.paths import REPO


def test_models_and_exporters_import_without_textual() -> None:
    modules = sorted(
        ".".join(path.relative_to(REPO).with_suffix("").parts)
        for folder in ("models", "exporters")
        for path in (REPO / folder).rglob("*.py")
        if path.name != "__init__.py" and "migrations" not in path.parts
    )
    assert "models.store" in modules
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules)
    code += "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'tui')))"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_help_does_not_load_the_database_layer() -> None:
    code = (
        "import sys\n"
        "from tui.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('sqlalchemy', 'sqlmodel', 'textual', 'alembic')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "print(heavy, file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert proc.stderr.strip().splitlines()[-1] == "[]"
