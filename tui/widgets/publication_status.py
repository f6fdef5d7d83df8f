"""One line on the incident screen, shown only while the review branch is ahead of its
remote (a publish was committed but not pushed: offline, or the push was refused)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class PublicationStatus(Static):
    DEFAULT_CSS = """
    PublicationStatus {
        display: none;
        height: 1;
        padding: 0 1;
        background: $warning-muted;
        color: $text;
    }
    PublicationStatus.-ahead {
        display: block;
    }
    """

    def show_warning(self, warning: str | None) -> None:
        """The "ahead of its remote" sentence, or None to hide the line."""
        self.set_class(warning is not None, "-ahead")
        self.update(Content("⚠ " + warning) if warning else Content(""))
