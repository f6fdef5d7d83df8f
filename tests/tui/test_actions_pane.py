"""The action items table: titles that do not fit end in an ellipsis, at any width."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text

from models.store import Store
from models.tables import Incident
from tests.tui.support import build_app, screen_text
from tui.widgets.actions_pane import fit_title

LONG = "Page the database on-call when disk usage passes 80 percent"  # 59 cells


def test_a_title_that_fits_is_left_whole() -> None:
    title = Text("Alert on DB disk usage at 80%", style="strike")
    assert fit_title(title, 29) is title
    assert fit_title(title, 40).plain == "Alert on DB disk usage at 80%"


def test_a_long_title_is_cut_at_a_word_and_keeps_its_style() -> None:
    cut = fit_title(Text(LONG, style="strike"), 30)
    assert cut.plain == "Page the database on-call…"
    assert cut.cell_len <= 30
    assert cut.style == "strike"


def test_a_long_word_is_cut_inside_rather_than_leave_the_room_empty() -> None:
    cut = fit_title(Text("Rotate credentials-for-every-payment-gateway"), 20)
    assert cut.plain == "Rotate credentials-…"
    assert cut.cell_len == 20


def test_wide_characters_are_counted_by_the_cells_they_take() -> None:
    cut = fit_title(Text("障害対応の手順書を更新する"), 9)  # two cells a character
    assert cut.plain == "障害対応…"
    assert cut.cell_len == 9


@pytest.mark.parametrize("width", [80, 120])
async def test_titles_end_in_an_ellipsis_only_when_they_do_not_fit(
    tmp_path: Path, world: tuple[Store, Incident], width: int
) -> None:
    store, incident = world
    assert incident.id is not None
    store.add_action(incident.id, LONG, owner="bob", type="prevent")
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(width, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("f6")
        await pilot.pause()
        lines = screen_text(app).splitlines()
    short = next(line for line in lines if line.lstrip().startswith("AI-1 "))
    long = next(line for line in lines if line.lstrip().startswith("AI-2 "))
    assert short.endswith("Alert on DB disk usage at 80%")  # fits: whole, no ellipsis
    assert len(long) <= width
    if width == 80:
        assert long.endswith(" Page the database on-call when…")
    else:
        assert long.endswith(LONG)


async def test_a_resized_terminal_fits_the_titles_again(
    tmp_path: Path, world: tuple[Store, Incident]
) -> None:
    store, incident = world
    assert incident.id is not None
    store.add_action(incident.id, LONG, owner="bob", type="prevent")
    app = build_app(store, tmp_path, incident_id=incident.id)

    def long_row() -> str:
        return next(x for x in screen_text(app).splitlines() if x.lstrip().startswith("AI-2 "))

    async with app.run_test(size=(120, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("f6")
        await pilot.pause()
        assert long_row().endswith(LONG)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert long_row().endswith(" Page the database on-call when…")
        await pilot.resize_terminal(120, 24)
        await pilot.pause()
        assert long_row().endswith(LONG)
