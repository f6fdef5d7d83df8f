"""Where the database lives and which schema this release writes: no SQLAlchemy here.

Kept apart from :mod:`models.db` so the incident list can be read with the standard
library's ``sqlite3`` while the heavier libraries are still loading.
"""

from __future__ import annotations

import os
from pathlib import Path

# The newest migration this release knows. A test checks it against the migration scripts;
# comparing with it spares every CLI call the cost of loading Alembic.
SCHEMA_REVISION = "0007_attachments"


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("incident-workbook")) / "workbook.db"


def database_url(location: str | os.PathLike[str]) -> str:
    """A SQLAlchemy URL for a file path, or the location itself when it already is a URL."""
    loc = os.fspath(location)
    if "://" in loc:
        scheme, rest = loc.split("://", 1)
        if scheme in {"postgresql", "postgres"}:
            # SQLAlchemy's default PostgreSQL driver is psycopg2; the workbook ships psycopg 3.
            return f"postgresql+psycopg://{rest}"
        return loc
    return f"sqlite:///{Path(loc).expanduser().absolute()}"


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL; None for other databases and in-memory ones."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url or ":memory:" in url:
        return None
    return Path(url.removeprefix(prefix))


def is_postgres(location: str | os.PathLike[str]) -> bool:
    return database_url(location).startswith("postgresql")


def shown_location(location: str | os.PathLike[str]) -> str:
    """The location as it may be printed: a URL's password (in it or its query) masked."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    loc = os.fspath(location)
    if "://" not in loc:
        return loc
    try:
        parts = urlsplit(loc)
        netloc = parts.netloc
        if "@" in netloc:
            credentials, host = netloc.rsplit("@", 1)
            if ":" in credentials:
                netloc = credentials.split(":", 1)[0] + ":***@" + host
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            query = urlencode([(k, "***" if k.lower() == "password" else v) for k, v in pairs])
        return urlunsplit(parts._replace(netloc=netloc, query=query))
    except ValueError:
        # Unparseable: show nothing after the scheme rather than risk a password.
        return loc.split("://", 1)[0] + "://…"
