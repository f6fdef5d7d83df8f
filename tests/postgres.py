"""A throwaway PostgreSQL database per test, on the server the suite was pointed at.

The server is ``WORKBOOK_TEST_POSTGRES`` (a URL to any database on it) or the local default
``postgresql://root@127.0.0.1:5432/test``. Each test gets a database of its own, created
empty and dropped afterwards, so no run depends on what another left behind. With no server
the tests skip and say why; ``WORKBOOK_REQUIRE_POSTGRES=1`` (set by ``.ci/run``) makes that a
failure instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

DEFAULT_SERVER = "postgresql://root@127.0.0.1:5432/test"


def server_url() -> str:
    return os.environ.get("WORKBOOK_TEST_POSTGRES") or DEFAULT_SERVER


def _admin_connection():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(_libpq(server_url()), autocommit=True, connect_timeout=3)


def _libpq(url: str) -> str:
    """psycopg takes ``postgresql://`` URLs; SQLAlchemy's driver suffix is dropped."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgres") else url


def _with_database(url: str, name: str) -> str:
    head, _, tail = _libpq(url).partition("://")
    authority = tail.split("/", 1)[0]
    query = tail.partition("?")[2]
    return f"{head}://{authority}/{name}" + (f"?{query}" if query else "")


def unavailable_reason() -> str | None:
    """Why there is no server to test against, or None when there is one."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with _admin_connection():
            return None
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"no PostgreSQL server at {_with_database(server_url(), '…')}: {first}"


def require_server() -> None:
    """Skip (or fail, when CI requires PostgreSQL) unless a server answers."""
    reason = unavailable_reason()
    if reason is None:
        return
    if os.environ.get("WORKBOOK_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"WORKBOOK_REQUIRE_POSTGRES=1 but {reason}")
    pytest.skip(f"{reason} (set WORKBOOK_TEST_POSTGRES to a server URL to run these)")


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL (``postgresql://…``, as a user writes it) of a new, empty database."""
    require_server()
    name = f"workbook_test_{uuid.uuid4().hex[:12]}"
    with _admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(server_url(), name)
    finally:
        with _admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
