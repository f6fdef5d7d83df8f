"""What counts as an expected failure of a write, and how to say it in one line."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from sqlalchemy.exc import SQLAlchemyError

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from tui.app import WorkbookApp

# Bad input (ValueError covers StoreError, FieldError, TimeParseError), a refusing database
# or a full disk: reported where it happened, never a crash.
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (ValueError, SQLAlchemyError, OSError)


def describe(exc: BaseException, *, reading: bool = False) -> str:
    """One line for a failure; ``reading`` for a failed read, where nothing was being written."""
    if isinstance(exc, SQLAlchemyError):
        orig = getattr(exc, "orig", None) or exc
        text = " ".join(str(orig).split())
        if "locked" in text or "busy" in text:
            return f"the database is busy ({text}); try again in a moment"
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
