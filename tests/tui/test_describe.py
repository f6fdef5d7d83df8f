"""One line for every expected failure, the same words in the app and on the command line."""

from __future__ import annotations

import click
import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from tui.errors import describe


def test_text_that_was_not_utf8_says_how_to_fix_the_terminal() -> None:
    try:
        "bad \udcff byte".encode()
    except UnicodeEncodeError as exc:
        assert describe(exc) == (
            "the text is not valid UTF-8: set the terminal to UTF-8 (e.g. LANG=C.UTF-8) "
            "and type it again"
        )
    else:
        pytest.fail("a lone surrogate encoded")


def test_other_encoding_errors_keep_their_own_words() -> None:
    exc = UnicodeEncodeError("ascii", "é", 0, 1, "ordinal not in range(128)")
    assert "ordinal not in range" in describe(exc)


def test_click_failures_keep_what_click_adds_to_the_message() -> None:
    missing = click.NoSuchOption("--tgs", possibilities=["--tag"])
    assert describe(missing) == "No such option '--tgs'. Did you mean '--tag'?"
    bad = click.BadParameter("'pdf' is not\none of them", param_hint="'--format'")
    assert describe(bad) == "Invalid value for '--format': 'pdf' is not one of them"


@pytest.mark.parametrize(
    ("exc", "said"),
    [
        (
            FileNotFoundError(2, "No such file or directory", "/srv/x"),
            "no such file or directory: /srv/x",
        ),
        (ValueError("two\n  lines"), "two lines"),
        (
            OperationalError("INSERT", {}, Exception("database is locked")),
            "the database is busy (database is locked); try again in a moment",
        ),
        (
            IntegrityError("INSERT", {}, Exception("no entries today")),
            "the database refused it (no entries today); nothing was written",
        ),
    ],
)
def test_what_the_app_already_said_is_unchanged(exc: BaseException, said: str) -> None:
    assert describe(exc) == said
