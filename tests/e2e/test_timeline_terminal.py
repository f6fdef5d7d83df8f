"""The timeline in a real terminal, scrolled past its first screen: what is redrawn is right.

A screenshot renders every line afresh; a terminal shows only the lines the app redraws, so
a line refreshed at the wrong place shows here and nowhere else.
"""

from __future__ import annotations

from pathlib import Path

from models.db import open_database
from models.store import Store

UP = "\x1b[A"


def _highlighted(term, text: str) -> bool:  # type: ignore[no-untyped-def]
    """The row holding ``text`` is drawn with the cursor's background."""
    for y, line in enumerate(term.screen.display):
        if text in line and line.startswith(" "):
            return term.screen.buffer[y][3].bg != "default"
    raise AssertionError(f"no row holds {text!r}:\n{term.text()}")


def test_the_cursor_moves_on_screen_in_a_scrolled_timeline(
    launch, incident: tuple[Path, str]
) -> None:
    db, slug = incident
    store = Store(open_database(db), author="tester")
    for n in range(40):
        store.log_entry(1, f"filler {n}")
    term = launch("--db", str(db), "open", slug)
    term.wait_for("filler 39")
    term.settle(quiet=0.3)
    term.type(UP)  # from the bar into the timeline: the cursor on the last row
    term.wait_for("Edit")  # the footer shows the timeline's keys: it has the focus
    term.wait_until(lambda _: _highlighted(term, "filler 39"))
    term.type(UP)
    # The detail under the timeline follows the cursor, and so must the highlight.
    term.wait_until(lambda lines: any(line.strip() == "filler 38" for line in lines))
    term.wait_until(lambda _: _highlighted(term, "filler 38"), timeout=5)
    assert not _highlighted(term, "filler 39")
