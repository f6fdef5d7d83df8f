"""The incident list's rows from SQL agree with the metrics, and the fast read is careful."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.db import database_url, make_engine, open_database
from models.listing import read_list_rows, rows_from_snapshots
from models.store import Store

NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
T0 = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)
TAGS = ["impact-start", "resolved", "false-lead", "note", "escalation", "detected"]

entry_plans = st.lists(
    st.tuples(
        st.integers(min_value=-30, max_value=300),  # minutes from T0
        st.lists(st.sampled_from(TAGS), max_size=3),
        st.booleans(),  # deleted afterwards
    ),
    max_size=12,
)
incident_plans = st.lists(
    st.tuples(
        entry_plans,
        st.sampled_from([None, T0 - timedelta(minutes=5)]),  # recorded start
        st.sampled_from([None, T0 + timedelta(hours=2)]),  # recorded resolution
        st.lists(st.sampled_from(["open", "in-progress", "done", "wont-do"]), max_size=3),
    ),
    min_size=1,
    max_size=4,
)


def _comparable(rows: list) -> list[tuple]:
    return [
        (
            r.id,
            r.slug,
            r.started_at,
            r.ongoing,
            r.duration_minutes(NOW),
            r.open_actions,
            r.false_leads,
            r.search_text,
        )
        for r in rows
    ]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "w.db"
    open_database(path).dispose()
    return path


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plans=incident_plans)
def test_sql_rows_agree_with_the_metrics(
    tmp_path_factory: pytest.TempPathFactory, migrated: Path, plans: list
) -> None:
    folder = tmp_path_factory.mktemp("listing")
    shutil.copy(migrated, folder / "w.db")
    store = Store(open_database(folder / "w.db"), author="ana", clock=lambda: NOW)
    for number, (entries, started, resolved, actions) in enumerate(plans):
        incident = store.create_incident(
            f"Outage {number}", timezone="Europe/Berlin", services=["api", "db"]
        )
        assert incident.id is not None
        store.update_incident(incident.id, {"started_at": started, "resolved_at": resolved})
        for minutes, tags, deleted in entries:
            made = store.log_entry(
                incident.id, f"entry at {minutes}", at=T0 + timedelta(minutes=minutes), tags=tags
            )
            if deleted:
                store.delete_entry(incident.id, made.id)  # type: ignore[arg-type]
        for title_number, status in enumerate(actions):
            item = store.add_action(incident.id, f"Fix {title_number}")
            store.update_action(incident.id, str(item.number), {"status": status})
    expected = rows_from_snapshots(store.all_snapshots(), now=NOW)
    assert _comparable(store.list_rows()) == _comparable(expected)
    fast = read_list_rows(folder / "w.db")
    assert fast is not None and _comparable(fast) == _comparable(expected)


def test_the_fast_read_declines_what_it_cannot_vouch_for(tmp_path: Path) -> None:
    assert read_list_rows(tmp_path / "missing.db") is None
    assert not (tmp_path / "missing.db").exists()  # nothing created
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE notes (x)").connection.commit()
    assert read_list_rows(other) is None
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    assert read_list_rows(tmp_path / "junk.db") is None
    path = tmp_path / "older.db"
    open_database(path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001_initial_schema'")
    assert read_list_rows(path) is None


def test_drafts_key_the_same_database_the_same_way(tmp_path: Path) -> None:
    # The list (started without SQLAlchemy) and `open` (through the engine) find one draft.
    path = tmp_path / "w.db"
    assert database_url(path) == str(make_engine(path).url)
