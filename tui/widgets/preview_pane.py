"""The postmortem as `workbook export` writes it, rendered, with the warnings on top."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from tui.text import literal


def displayable(markdown: str) -> str:
    """The export with its front matter shown verbatim (as a YAML block) instead of reflowed."""
    if markdown.startswith("---\n"):
        end = markdown.find("\n---\n", 4)
        if end != -1:
            front = markdown[4:end]
            rest = markdown[end + 5 :]
            longest = max((len(run) for run in re.findall("`+", front)), default=0)
            fence = "`" * max(3, longest + 1)
            return f"{fence}yaml\n{front}\n{fence}\n{rest}"
    return markdown


class PreviewPane(VerticalScroll):
    DEFAULT_CSS = """
    PreviewPane #preview-warnings { height: auto; padding: 0 1; color: $warning; }
    PreviewPane Markdown { height: auto; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[str, tuple[str, ...]] | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Rendering…"), id="preview-warnings")
        yield Markdown("", id="preview-markdown", open_links=False)

    async def show(self, markdown: str, warnings: Sequence[str]) -> None:
        if self._shown == (markdown, tuple(warnings)):
            return
        self._shown = (markdown, tuple(warnings))
        notes = Text(end="")
        if warnings:
            for warning in warnings:
                notes.append("⚠ ", style="bold")
                notes.append_text(literal(warning))
                notes.append("\n")
        else:
            notes.append("No warnings: the postmortem has what a reader needs.\n")
        self.query_one("#preview-warnings", Static).update(notes)
        await self.query_one("#preview-markdown", Markdown).update(displayable(markdown))
