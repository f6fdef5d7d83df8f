"""Fixtures of the TUI tests; the helpers they share are in support.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.store import Store
from models.tables import Incident
from tests.tui.support import make_store, sample_incident


@pytest.fixture
def world(tmp_path: Path) -> tuple[Store, Incident]:
    store = make_store(tmp_path / "w.db")
    return store, sample_incident(store)
