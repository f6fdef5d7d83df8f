"""Migration 0002 and the publication table: old databases gain it and keep their data."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import models.publications  # noqa: F401  (the table must be on the metadata)
from models.db import SCHEMA_REVISION, open_database
from models.publications import Publication, Publications
from models.store import Store
from tests.paths import FIXTURES

FIXTURE = FIXTURES / "schema-0001.db"
WHEN = datetime(2026, 3, 2, 23, 55, tzinfo=UTC)


def _rows(path: Path, table: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as con:
        return con.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


def test_a_first_release_database_is_migrated_to_0002_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.write_bytes(FIXTURE.read_bytes())
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (
            "0001_initial",
        )
    before = {t: _rows(path, t) for t in ("incident", "timeline_entry", "action_item")}
    before["entry_revision"] = _rows(path, "entry_revision")
    assert before["incident"] and before["timeline_entry"]

    engine = open_database(path)

    with sqlite3.connect(path) as con:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (
            SCHEMA_REVISION,
        )
        assert con.execute("SELECT count(*) FROM publication").fetchone() == (0,)
    for table, rows in before.items():
        assert _rows(path, table) == rows, table

    # The old incident can be published: its row takes a publication.
    store = Store(engine)
    incident = store.resolve_ref("2026-01-10-fixture-outage")
    assert incident.id is not None
    publications = Publications(engine)
    publications.save(
        Publication(
            incident_id=incident.id,
            repo="/srv/docs",
            branch="postmortem/2026-01-10-fixture-outage",
            blob_sha="a" * 40,
            commit_sha="b" * 40,
            entry_ids=[1, 2, None],
            published_at=WHEN,
        )
    )
    latest = publications.latest(incident.id)
    assert latest is not None and latest.entry_ids == [1, 2, None]


def test_save_replaces_the_row_for_the_same_place_and_latest_is_the_newest(
    tmp_path: Path,
) -> None:
    engine = open_database(tmp_path / "w.db")
    store = Store(engine, clock=lambda: WHEN)
    incident = store.create_incident("Checkout down", timezone="UTC")
    assert incident.id is not None
    publications = Publications(engine)
    first = Publication(incident_id=incident.id, repo="/a", branch="b", commit_sha="1" * 40)
    publications.save(first)
    publications.save(
        Publication(
            incident_id=incident.id,
            repo="/a",
            branch="b",
            commit_sha="2" * 40,
            remote="origin",
            pushed_commit="1" * 40,
            published_at=WHEN,
        )
    )
    found = publications.find(incident.id, "/a", "postmortems", "b")
    assert found is not None and found.commit_sha == "2" * 40
    assert found.ahead
    assert len(_rows(tmp_path / "w.db", "publication")) == 1
    later = datetime(2026, 3, 3, tzinfo=UTC)
    publications.save(
        Publication(incident_id=incident.id, repo="/b", branch="b", published_at=later)
    )
    latest = publications.latest(incident.id)
    assert latest is not None and latest.repo == "/b"
    assert not latest.ahead  # never pushed anywhere: no remote to be ahead of


def test_mark_pushed_changes_only_the_row_of_that_place(tmp_path: Path) -> None:
    engine = open_database(tmp_path / "w.db")
    store = Store(engine, clock=lambda: WHEN)
    incident = store.create_incident("Checkout down", timezone="UTC")
    assert incident.id is not None
    publications = Publications(engine)
    for branch in ("b", "c"):
        publications.save(
            Publication(incident_id=incident.id, repo="/a", branch=branch, commit_sha="1" * 40)
        )
    row = publications.mark_pushed(incident.id, "/a", "postmortems", "b", "1" * 40, remote="up")
    assert row is not None and row.remote == "up" and row.pushed_commit == "1" * 40
    found = publications.find(incident.id, "/a", "postmortems", "b")
    assert found is not None and found.remote == "up" and not found.ahead
    other = publications.find(incident.id, "/a", "postmortems", "c")
    assert other is not None and other.remote is None and other.pushed_commit is None

    # Without a remote named, the one remembered stays.
    publications.mark_pushed(incident.id, "/a", "postmortems", "b", "2" * 40)
    found = publications.find(incident.id, "/a", "postmortems", "b")
    assert found is not None and found.remote == "up" and found.pushed_commit == "2" * 40
    assert publications.mark_pushed(incident.id, "/a", "elsewhere", "b", "3" * 40) is None
