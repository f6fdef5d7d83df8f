"""Five sample incidents in the workbook's own Markdown, for `workbook demo` and the tests."""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).parent


def sample_paths() -> list[Path]:
    return sorted(FOLDER.glob("*.md"))
