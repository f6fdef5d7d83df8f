"""The commands that open the workbook, up to the screen (tests/e2e/ takes it from there).

Here stdin and stdout are not a terminal (click's runner), as in a script, a pipe or cron:
the full-screen commands refuse on one line, exit 2 and create nothing; `demo --print`
still works. The same refusal from the real program is in tests/e2e/test_terminal_loss.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import failed_with, succeeded, workbook


def test_demo_loads_the_five_samples(db: Path) -> None:
    out = succeeded(workbook(db, "demo", "--print"))
    assert len(out.strip().splitlines()) == 5
    assert "2024-06-20-storefront-down" in out
    assert not db.exists(), "the demo works on a throwaway database"


@pytest.mark.parametrize("args", [[], ["open", "1"], ["demo"]], ids=["list", "open", "demo"])
def test_without_a_terminal_the_full_screen_commands_refuse(db: Path, args: list[str]) -> None:
    result = workbook(db, *args)
    failed_with(result, "the workbook needs a terminal; ", code=2)
    assert result.out == ""
    for command in ("list", "show", "log"):
        assert command in result.err
    assert not db.exists(), "a refused start leaves no database behind"


def test_without_a_terminal_open_refuses_before_reading_its_incident(db: Path, slug: str) -> None:
    # The incident exists or not, the answer is the same: nothing is read first.
    # (An unknown incident in a terminal: tests/e2e/test_cli_screens.py.)
    failed_with(workbook(db, "open", "no-such-incident"), "needs a terminal", code=2)
    failed_with(workbook(db, "open", slug), "needs a terminal", code=2)
