"""The house rules: which code may import which, and where the database is opened.

- ``models`` imports neither ``exporters`` nor ``tui``;
- ``exporters/render`` imports neither ``exporters/ingest`` nor ``exporters/publish``;
- only ``tui/`` imports Textual: the record and the exporters work on a headless box;
- only ``models/`` opens sessions, connections and transactions or runs SQL; the rest asks
  the store (or a write module beside it), so every write takes the same path.

The source is read with ``ast``, so imports inside functions count as much as those at the
top of a module.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.paths import REPO

# Catching the database's errors to describe them to the user is not using the database.
ALLOWED_OUTSIDE_MODELS = ("sqlalchemy.exc",)
DATABASE_LIBRARIES = ("sqlalchemy", "sqlmodel", "sqlite3", "alembic", "models.sessions")
# Calls that open a session, a connection or a transaction, or run SQL.
OPENING_FUNCTIONS = frozenset({"Session", "sessionmaker", "create_engine"})
OPENING_METHODS = frozenset({"begin", "connect", "execute", "exec", "exec_driver_sql"})


def _modules(*folders: str) -> list[tuple[str, Path]]:
    paths = sorted(path for folder in folders for path in (REPO / folder).rglob("*.py"))
    return [(".".join(path.relative_to(REPO).with_suffix("").parts), path) for path in paths]


def _imports(module: str, tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, module or module.name) of every import, wherever it sits in the source."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[: -node.level]
                base = ".".join([*package, base] if base else package)
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def forbidden_imports(module: str, source: str, forbidden: tuple[str, ...]) -> list[str]:
    """One line per import of a module under one of ``forbidden``."""
    return [
        f"{module} (line {line}) imports {name}"
        for line, name in _imports(module, ast.parse(source))
        if any(_within(name, prefix) for prefix in forbidden)
        and not any(_within(name, allowed) for allowed in ALLOWED_OUTSIDE_MODELS)
    ]


def database_use(module: str, source: str) -> list[str]:
    """One line per database library imported or session, connection or SQL call made."""
    tree = ast.parse(source)
    found = forbidden_imports(module, source, DATABASE_LIBRARIES)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in OPENING_FUNCTIONS:
            found.append(f"{module} (line {node.lineno}) calls {func.id}()")
        elif isinstance(func, ast.Attribute) and func.attr in OPENING_METHODS:
            found.append(f"{module} (line {node.lineno}) calls .{func.attr}()")
    return found


def _violations(folders: tuple[str, ...], check: Callable[[str, str], list[str]]) -> list[str]:
    modules = _modules(*folders)
    assert modules, f"no modules found under {folders}"
    found: list[str] = []
    for module, path in modules:
        found += check(module, path.read_text(encoding="utf-8"))
    return found


def test_models_import_neither_exporters_nor_tui() -> None:
    found = _violations(
        ("models",), lambda module, source: forbidden_imports(module, source, ("exporters", "tui"))
    )
    assert not found, "models/ must not import exporters or tui:\n" + "\n".join(found)


def test_render_imports_neither_ingest_nor_publish() -> None:
    forbidden = ("exporters.ingest", "exporters.publish")
    found = _violations(
        ("exporters/render",), lambda module, source: forbidden_imports(module, source, forbidden)
    )
    assert not found, "exporters/render must not import ingest or publish:\n" + "\n".join(found)


def test_only_tui_imports_textual() -> None:
    found = _violations(
        ("models", "exporters"),
        lambda module, source: forbidden_imports(module, source, ("textual", "tui")),
    )
    assert not found, "only tui/ may import Textual (or tui):\n" + "\n".join(found)


def test_only_models_open_sessions_or_run_sql() -> None:
    found = _violations(("exporters", "tui"), database_use)
    assert not found, (
        "only models/ may open a session, a connection or a transaction, or run SQL; "
        "ask the Store (or a write module in models/) instead:\n" + "\n".join(found)
    )


@pytest.mark.parametrize(
    ("module", "source", "forbidden", "expected"),
    [
        (
            "models.x",
            "from exporters.render.markdown import render_markdown\n",
            ("exporters", "tui"),
            "models.x (line 1) imports exporters.render.markdown.render_markdown",
        ),
        (
            "models.x",
            "def f() -> None:\n    import tui.app\n",
            ("exporters", "tui"),
            "models.x (line 2) imports tui.app",
        ),
        (
            "exporters.render.x",
            "from ..publish import plan\n",
            ("exporters.ingest", "exporters.publish"),
            "exporters.render.x (line 1) imports exporters.publish.plan",
        ),
        (
            "exporters.render.x",
            "from exporters import ingest\n",
            ("exporters.ingest", "exporters.publish"),
            "exporters.render.x (line 1) imports exporters.ingest",
        ),
        (
            "exporters.x",
            "if TYPE_CHECKING:\n    from textual.app import App\n",
            ("textual", "tui"),
            "exporters.x (line 2) imports textual.app.App",
        ),
    ],
)
def test_the_import_check_catches_a_forbidden_import(
    module: str, source: str, forbidden: tuple[str, ...], expected: str
) -> None:
    assert forbidden_imports(module, source, forbidden) == [expected]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from sqlmodel import Session\n", "tui.x (line 1) imports sqlmodel.Session"),
        ("import sqlite3\n", "tui.x (line 1) imports sqlite3"),
        ("from sqlalchemy import text\n", "tui.x (line 1) imports sqlalchemy.text"),
        ("from models.sessions import writing\n", "tui.x (line 1) imports models.sessions.writing"),
        ("Session(store.engine)\n", "tui.x (line 1) calls Session()"),
        ("factory = sessionmaker(engine)\n", "tui.x (line 1) calls sessionmaker()"),
        ("with store.engine.begin() as conn:\n    pass\n", "tui.x (line 1) calls .begin()"),
        ("conn = engine.connect()\n", "tui.x (line 1) calls .connect()"),
        ("conn.execute(query)\n", "tui.x (line 1) calls .execute()"),
        (
            "conn.exec_driver_sql('DELETE FROM incident')\n",
            "tui.x (line 1) calls .exec_driver_sql()",
        ),
    ],
)
def test_the_session_check_catches_database_use(source: str, expected: str) -> None:
    assert database_use("tui.x", source) == [expected]


def test_the_session_check_lets_the_database_errors_through() -> None:
    source = "from sqlalchemy.exc import SQLAlchemyError\nimport sqlalchemy.exc\n"
    assert database_use("tui.x", source) == []


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
