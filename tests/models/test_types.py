"""The column types' SQLite short cuts store and read exactly what the generic path does."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import DateTime
from sqlalchemy.dialects import sqlite

from models.db import open_database
from models.store import Store
from models.types import StringList, UTCDateTime

DIALECT = sqlite.dialect()
GENERIC_DATETIME = DateTime().dialect_impl(DIALECT)

zones = st.sampled_from(
    [UTC, ZoneInfo("Europe/Berlin"), ZoneInfo("America/St_Johns"), ZoneInfo("Asia/Kathmandu")]
) | st.builds(
    timezone, st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))
)
aware = st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 30), timezones=zones)


def generic_bind(value: datetime | None) -> str | None:
    """What SQLAlchemy would store without the short cut: our param hook, then its own."""
    naive = UTCDateTime().process_bind_param(value, DIALECT)
    return GENERIC_DATETIME.bind_processor(DIALECT)(naive)


def generic_result(text: str | None) -> datetime | None:
    parsed = GENERIC_DATETIME.result_processor(DIALECT, None)(text)
    return UTCDateTime().process_result_value(parsed, DIALECT)


fast_bind = UTCDateTime().bind_processor(DIALECT)
fast_result = UTCDateTime().result_processor(DIALECT, None)


@given(aware)
@example(datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Berlin")))
@example(datetime(2026, 3, 2, 23, 55, 0, 1, tzinfo=UTC))
def test_stored_text_is_the_generic_text(value: datetime) -> None:
    assert fast_bind is not None
    text = fast_bind(value)
    assert text == generic_bind(value)
    # And the same object twice (the cache of the last value) gives the same text.
    assert fast_bind(value) == text


@given(aware)
def test_read_value_is_the_generic_value(value: datetime) -> None:
    assert fast_result is not None
    text = generic_bind(value)
    got = fast_result(text)
    # (Compared as UTC: a time in a DST gap is not equal to itself read back.)
    assert got == generic_result(text) == value.astimezone(UTC)
    assert got is not None and got.tzinfo is UTC
    assert fast_result(text) == got


@pytest.mark.parametrize(
    "text", ["2026-01-01 00:00:00", "2026-01-01", "2026-01-01 08:05:00.250000"]
)
def test_older_or_shorter_texts_read_like_the_generic_path(text: str) -> None:
    assert fast_result is not None
    assert fast_result(text) == generic_result(text)


def test_none_passes_both_ways() -> None:
    assert fast_bind is not None and fast_result is not None
    assert fast_bind(None) is None
    assert fast_result(None) is None


class Opaque(tzinfo):
    """A zone that cannot say its offset: as good as naive."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None


@pytest.mark.parametrize("value", [datetime(2026, 1, 1), datetime(2026, 1, 1, tzinfo=Opaque())])
def test_naive_times_are_refused_by_both_paths(value: datetime) -> None:
    assert fast_bind is not None
    with pytest.raises(ValueError, match="timezone-aware"):
        fast_bind(value)
    with pytest.raises(ValueError, match="timezone-aware"):
        generic_bind(value)


def test_string_lists_are_stored_as_json_and_read_as_fresh_lists() -> None:
    bind = StringList().bind_processor(DIALECT)
    result = StringList().result_processor(DIALECT, None)
    assert bind is not None and result is not None
    for value in ([], ["note"], ["false-lead", "db-failover"], ["é", '"quoted"']):
        assert bind(value) == json.dumps(value)
        assert bind(list(value)) == json.dumps(value)
    first = result('["note"]')
    first.append("changed")
    assert result('["note"]') == ["note"]
    assert result('["note"]') is not result('["note"]')
    # Anything that is not a list of strings is read as JSON, and not remembered.
    assert result("[1, 2]") == [1, 2]
    assert result("null") is None
    assert bind([["nested"]]) == json.dumps([["nested"]])


def test_a_store_writes_what_sqlalchemy_would(tmp_path: Path) -> None:
    """End to end: the rows in the file are the generic texts, and read back the same."""
    path = tmp_path / "w.db"
    store = Store(open_database(path), clock=lambda: datetime(2026, 3, 2, 23, 55, tzinfo=UTC))
    incident = store.create_incident("x", timezone="UTC", services=["api", "db"])
    at = datetime(2026, 3, 2, 23, 50, 30, 125, tzinfo=ZoneInfo("Europe/Berlin"))
    entry = store.log_entry(incident.id, "paged", at=at, tags=["detected", "db-failover"])  # type: ignore[arg-type]
    con = sqlite3.connect(path)
    row = con.execute("SELECT at, tags, created_at FROM timeline_entry").fetchone()
    services = con.execute("SELECT services FROM incident").fetchone()[0]
    con.close()
    assert row == (
        generic_bind(at),
        json.dumps(["detected", "db-failover"]),
        generic_bind(datetime(2026, 3, 2, 23, 55, tzinfo=UTC)),
    )
    assert services == json.dumps(["api", "db"])
    (again,) = store.entries(incident.id)  # type: ignore[arg-type]
    assert (again.id, again.at, again.tags) == (entry.id, at, ["detected", "db-failover"])
    assert again.at.tzinfo is UTC
