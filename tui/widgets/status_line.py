"""A one-line status that repaints only itself when its text changes."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


class StatusLine(Widget):
    """Like a one-line Static, but a new text never asks for a new layout.

    Static.update re-lays out the screen, which repaints every scrollbar on it: over a slow
    SSH link that is hundreds of bytes per keystroke for a line that only changed its words.
    """

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
    }
    """

    def __init__(self, text: Text, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._text = text

    @property
    def text(self) -> Text:
        return self._text

    def render(self) -> Text:
        return self._text

    def show(self, text: Text) -> None:
        if text == self._text:
            return
        self._text = text
        self.refresh()
