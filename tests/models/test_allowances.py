"""Allowed findings: stored per incident and text, replaced when allowed again, on SQLite
and PostgreSQL, and built by migration 0003 exactly as the code declares them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from models.allowances import Allowance, Allowances
from models.db import open_database
from models.store import Store

WHEN = datetime(2026, 3, 2, 23, 55, tzinfo=UTC)


def _check(engine: Engine) -> None:
    store = Store(engine, clock=lambda: WHEN)
    first = store.create_incident("Checkout down", timezone="UTC")
    second = store.create_incident("Search slow", timezone="UTC")
    assert first.id is not None and second.id is not None
    allowances = Allowances(engine, clock=lambda: WHEN)
    assert allowances.for_incident(first.id) == {}
    allowances.allow(first.id, [Allowance("a1b2c3d4", "1" * 64, "JSON web token")])
    allowances.allow(second.id, [Allowance("a1b2c3d4", "2" * 64)])
    assert allowances.for_incident(first.id) == {"a1b2c3d4": "1" * 64}
    # Allowed again for an edited text: the mark follows the new text, one row still.
    allowances.allow(first.id, [Allowance("a1b2c3d4", "3" * 64), Allowance("e5f6a7b8", "4" * 64)])
    assert allowances.for_incident(first.id) == {"a1b2c3d4": "3" * 64, "e5f6a7b8": "4" * 64}
    assert allowances.for_incident(second.id) == {"a1b2c3d4": "2" * 64}


def test_allowances_on_sqlite(tmp_path: Path) -> None:
    _check(open_database(tmp_path / "w.db"))


def test_allowances_on_postgresql(postgres_url: str) -> None:
    _check(open_database(postgres_url))
