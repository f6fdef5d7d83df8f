"""Column types that keep the record's promises on every database SQLAlchemy speaks to.

Both types change nothing in the schema (their DDL is their ``impl``'s). On SQLite they
also convert values in one step instead of two: a 10,000-entry timeline passes through
these functions 40,000 times on every read, and the generic path (the implementation's
processor, then ours) costs more than the query. ``tests/models/test_types.py`` checks that the
short cuts store and read exactly what the generic path does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# What SQLAlchemy's SQLite DATETIME writes: text that sorts in time order.
_SQLITE_STORAGE: str = "%04d-%02d-%02d %02d:%02d:%02d.%06d"
# Zones whose utcoffset() is never None, so the awareness check can skip calling it.
_ALWAYS_AWARE: frozenset[type] = frozenset({timezone, ZoneInfo})
# Distinct JSON texts remembered per column type; tag lists repeat endlessly.
_CACHE_LIMIT = 2048


def _naive_refused() -> ValueError:
    return ValueError("timestamps must be timezone-aware")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and always handed back timezone-aware.

    SQLite has no time zone type, so the value is normalised on the way in: a naive
    datetime is refused, because guessing its zone is how timelines go wrong.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise _naive_refused()
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        storage, aware_zones = _SQLITE_STORAGE, _ALWAYS_AWARE
        # The last value and its text: a bulk insert gives every row the same created_at
        # and updated_at object. Datetimes are immutable, and holding the object keeps
        # the identity test sound.
        last: tuple[datetime | None, str] = (None, "")

        def to_text(value: datetime | None) -> str | None:
            nonlocal last
            if value is None:
                return None
            before, text = last
            if value is before:
                return text
            zone = value.tzinfo
            if zone is None or (zone.__class__ not in aware_zones and value.utcoffset() is None):
                raise _naive_refused()
            u = value.astimezone(UTC)
            text = storage % (u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond)
            last = (value, text)
            return text

        return to_text

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any] | None:
        generic = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite" or generic is None:
            return generic
        parse = datetime.fromisoformat
        # The last text and its value: rows written together share created_at/updated_at.
        last: tuple[str | None, datetime | None] = (None, None)

        def from_text(value: Any) -> datetime | None:
            nonlocal last
            if value is None:
                return None
            if value.__class__ is str:
                before, at = last
                if value == before:
                    return at
                try:
                    # Reading the text as UTC directly spares a replace() per value.
                    at = parse(value + "+00:00")
                except ValueError:
                    return generic(value)
                if at.tzinfo is None:  # a date alone, where the offset is not read
                    return generic(value)
                last = (value, at)
                return at
            return generic(value)

        return from_text


class StringList(TypeDecorator[list[str]]):
    """A list of strings (tags, services) stored as a JSON array.

    Serialised and parsed texts are remembered, so the handful of distinct tag lists in a
    timeline are converted once each. Every read still hands out a fresh list.
    """

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        generic = super().bind_processor(dialect)
        if generic is None:
            return None
        known: dict[tuple[str, ...], Any] = {}

        def to_json(value: Any) -> Any:
            if value.__class__ is not list:
                return generic(value)
            try:
                key = tuple(value)
                found = known.get(key)
            except TypeError:  # an element that cannot be a dict key: not a string list
                return generic(value)
            if found is None:
                found = generic(value)
                if len(known) >= _CACHE_LIMIT:
                    known.clear()
                known[key] = found
            return found

        return to_json

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any] | None:
        generic = super().result_processor(dialect, coltype)
        if generic is None:
            return None
        known: dict[str, tuple[str, ...]] = {}

        def from_json(value: Any) -> Any:
            if value.__class__ is not str:
                return generic(value)
            found = known.get(value)
            if found is not None:
                return list(found)
            loaded = generic(value)
            if loaded.__class__ is list and all(item.__class__ is str for item in loaded):
                if len(known) >= _CACHE_LIMIT:
                    known.clear()
                known[value] = tuple(loaded)
            return loaded

        return from_json
