"""Helpers for the store's hot paths: long timelines read and written at once, and the
single logged entry that must be on disk and back on screen within a couple of
milliseconds.

Reading or writing a long timeline allocates an object or three per entry. CPython's
cyclic garbage collector runs every few hundred allocations and, every so often, walks
every object the process holds (all of SQLAlchemy, and Textual in the app), although
nothing made here is garbage yet. On a 10,000-entry incident that walking cost about a
third of the time of loading it, so the bulk paths pause the collector while they build.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Connection, Dialect, Table, inspect

T = TypeVar("T")


def unsaved_copy(table_class: type[T], values: Mapping[str, Any]) -> T:
    """An instance of a table class holding ``values``, as if made by its constructor.

    SQLModel's constructor runs every value through SQLAlchemy's attribute events and
    costs over a tenth of a millisecond on these machines: a tenth of the budget of a
    logged entry. This makes the instance the way SQLAlchemy does when it loads a row
    (its class manager's ``new_instance``, then the instance dict); the result is a
    transient instance that reads, compares and accepts changes like a constructed one
    (``tests/models/test_bulk.py`` holds it to that). ``values`` must name every column.
    """
    instance: T = inspect(table_class).class_manager.new_instance()
    instance.__dict__.update(values)
    # What pydantic records for a constructed model (model_dump(exclude_unset=True)).
    object.__setattr__(instance, "__pydantic_fields_set__", set(values))
    return instance


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block; reference counting goes on.

    Another thread that allocates meanwhile is only spared collections for as long. The
    collector is turned back on only if it was on, so blocks nest, and a caller that
    keeps it off (a test, a profiler) is left alone.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def insert_many(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT ``rows`` (dicts with the same keys) into ``table`` with one executemany.

    The statement is SQLAlchemy's, compiled for the connection's dialect, and every value
    goes through its column type's own bind processor, so the rows stored are exactly
    those ``conn.execute(table.insert(), rows)`` stores. What is left out is that call's
    bookkeeping per row, which costs more than the insert itself on a long timeline.
    """
    if not rows:
        return
    dialect = conn.dialect
    keys = tuple(rows[0])
    plan = _insert_plan(table, keys, dialect)
    if plan is None:  # a column default or a renamed bind: be ordinary
        conn.execute(table.insert(), list(rows))
        return
    sql, names, converters = plan
    # Column by column: one tight loop per column, then zip() makes the rows in C.
    columns = []
    for name, convert in zip(names, converters, strict=True):
        values = map(itemgetter(name), rows)
        columns.append(list(values if convert is None else map(convert, values)))
    parameters: list[Any] = list(zip(*columns, strict=True))
    if not dialect.positional:
        parameters = [dict(zip(names, values, strict=True)) for values in parameters]
    conn.exec_driver_sql(sql, parameters)


_Plan = tuple[str, tuple[str, ...], tuple[Any, ...]]
_PLANS: dict[tuple[Table, tuple[str, ...], str, bool], _Plan | None] = {}


def _insert_plan(table: Table, keys: tuple[str, ...], dialect: Dialect) -> _Plan | None:
    """The compiled INSERT for these columns and each column's converter, made once.

    Compiling costs more than storing a short document; an import of a folder stores one
    incident (and its few action items) per file, so the plan is kept per table and set
    of columns.
    """
    cache_key = (table, keys, dialect.name, dialect.positional)
    if cache_key in _PLANS:
        return _PLANS[cache_key]
    compiled = table.insert().compile(dialect=dialect, column_keys=list(keys))
    names = tuple(compiled.positiontup or ()) if dialect.positional else keys
    plan: _Plan | None = None
    if sorted(names) == sorted(keys):
        converters = tuple(
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
        )
        plan = (str(compiled), names, converters)
    _PLANS[cache_key] = plan
    return plan
