"""What counts as an expected failure of a write, and how to say it in one line."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, cast

import click

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from tui.app import WorkbookApp


def expected_errors() -> tuple[type[BaseException], ...]:
    """Bad input (ValueError covers StoreError, FieldError, TimeParseError), a refusing
    or unusable database or a full disk: reported where it happened, never a crash.

    A function, not a constant, so the incident list can be drawn before SQLAlchemy is
    loaded (importing its exceptions loads most of it).
    """
    from sqlalchemy.exc import SQLAlchemyError

    from models.db import DatabaseProblem

    return (ValueError, SQLAlchemyError, OSError, DatabaseProblem)


def _database_error(exc: BaseException) -> bool:
    # Nothing can be a SQLAlchemy error before SQLAlchemy is loaded.
    module = sys.modules.get("sqlalchemy.exc")
    return module is not None and isinstance(exc, module.SQLAlchemyError)


def is_busy(exc: BaseException) -> bool:
    """Another connection holds the database's lock: worth trying again, not a refusal."""
    if not _database_error(exc):
        return False
    text = str(getattr(exc, "orig", None) or exc)
    return "locked" in text or "busy" in text


# What a driver says when the server is not there (restarting, network gone), as opposed
# to one that answered and refused: worth waiting for, never a reason to drop a write.
_UNREACHABLE = (
    "connection refused",
    "could not connect",
    "server closed the connection",
    "terminating connection",
    "connection is closed",
    "connection is lost",
    "consuming input failed",
    "sending query failed",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "no route to host",
    "network is unreachable",
    "timeout expired",
    "connection timed out",
    "ssl syscall error",
    "broken pipe",
)


def is_unreachable(exc: BaseException) -> bool:
    """The database server could not be reached or dropped the connection: it may come back."""
    if not _database_error(exc):
        return False
    if getattr(exc, "connection_invalidated", False):
        return True
    text = str(getattr(exc, "orig", None) or exc).lower()
    return any(phrase in text for phrase in _UNREACHABLE)


def describe(exc: BaseException, *, reading: bool = False) -> str:
    """One line for a failure; ``reading`` for a failed read, where nothing was being written."""
    if isinstance(exc, UnicodeEncodeError) and exc.reason == "surrogates not allowed":
        # Bytes that were not UTF-8 on the command line (Python keeps them as surrogates).
        return (
            "the text is not valid UTF-8: set the terminal to UTF-8 (e.g. LANG=C.UTF-8) "
            "and type it again"
        )
    if isinstance(exc, click.ClickException):
        # Its message alone leaves out what click adds: the option at fault, suggestions.
        return " ".join(exc.format_message().split())
    if _database_error(exc):
        orig = getattr(exc, "orig", None) or exc
        text = " ".join(str(orig).split())
        if is_busy(exc):
            return f"the database is busy ({text}); try again in a moment"
        if getattr(exc, "connection_invalidated", False) or "server closed" in text:
            return (
                f"lost the connection to the database server ({text}); nothing was written: "
                "try again once it is back"
            )
        if "statement timeout" in text:
            return f"the database server did not answer in time ({text}); try again"
        if reading:
            return f"the database could not be read ({text})"
        if "disk" in text or "full" in text:
            return f"the disk refused the write ({text}); free some space and try again"
        return f"the database refused it ({text}); nothing was written"
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror.lower()}{where}"
    return " ".join(str(exc).split())


def workbook(node: DOMNode) -> WorkbookApp:
    """The running app, typed as the workbook (every screen here runs inside it)."""
    return cast("WorkbookApp", node.app)
