"""What the CLI prints for a person, byte for byte: the list, an entry's history, the settings."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from exporters.render.plain_text import render_config, render_history, render_list
from models.tables import EntryRevision, TimelineEntry
from tests.paths import REPO


def test_the_list_aligns_its_columns_and_marks_what_is_unknown() -> None:
    rows: list[dict[str, Any]] = [
        {
            "id": 12,
            "started_at": "2026-03-02T21:00:00Z",
            "severity": "SEV-2",
            "status": "investigating",
            "duration_minutes": 175.0,
            "slug": "2026-03-02-checkout-down",
        },
        {
            "id": 3,
            "started_at": None,
            "severity": "SEV-3",
            "status": "resolved",
            "duration_minutes": None,
            "slug": "x",
        },
    ]
    assert render_list(rows) == (
        "  12  2026-03-02 21:00  SEV-2  investigating     2h 55m  2026-03-02-checkout-down\n"
        "   3  —                 SEV-3  resolved               —  x\n"
    )


def test_an_empty_list_says_how_to_start() -> None:
    assert render_list([]) == 'No incidents yet. Start one with: workbook new "Short title"\n'


def test_history_in_the_incidents_zone_with_user_text_made_visible() -> None:
    current = TimelineEntry(
        id=1,
        incident_id=1,
        at=datetime(2026, 3, 2, 21, 6, tzinfo=UTC),
        text="better \x1b[31mwords",
        tags=["note", "detected"],
        deleted_at=datetime(2026, 3, 2, 22, 0, tzinfo=UTC),
    )
    earlier = EntryRevision(
        entry_id=1,
        at=datetime(2026, 3, 2, 21, 5, tzinfo=UTC),
        text="first [b]words",
        tags=[],
        replaced_at=datetime(2026, 3, 2, 21, 30, tzinfo=UTC),
        replaced_by="ana\x07",
    )
    assert render_history(current, [earlier], timezone="Europe/Berlin") == (
        "v1  2026-03-02 22:05 CET  first [b]words    (replaced 2026-03-02 22:30 CET by ana\\x07)\n"
        "now 2026-03-02 22:06 CET  better \\e[31mwords  #note #detected (deleted)\n"
    )


def test_settings_with_their_sources() -> None:
    text = render_config(
        {"author": "ada", "cursor_blink": True, "quiet": False, "docs_repo": None},
        {"author": "c.toml, line 1"},
        config_file=Path("/x/c.toml"),
        present=False,
    )
    assert text == (
        "config file: /x/c.toml (not present)\n"
        "author        = ada    (c.toml, line 1)\n"
        "cursor_blink  = true    (default)\n"
        "quiet         = false    (default)\n"
        "docs_repo     = None    (default)\n"
    )
    present = render_config({}, {}, config_file=Path("/x/c.toml"), present=True)
    assert present == "config file: /x/c.toml\n"


def test_loading_the_text_does_not_load_the_database_layer() -> None:
    """`workbook config` prints from here; it must stay as quick as it was."""
    code = (
        "import sys, exporters.render.plain_text\n"
        "print([m for m in ('sqlalchemy', 'sqlmodel') if m in sys.modules])"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert proc.stdout.strip() == "[]", proc.stderr
