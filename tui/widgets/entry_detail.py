"""The highlighted entry in full, under the timeline: time with seconds, author, tags, text."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.widgets import Static

from models.attachments import AttachmentInfo, format_size
from models.tables import TimelineEntry
from models.timeparse import format_local
from tui.text import literal, tag_badges


class EntryDetail(Static):
    def show_entry(
        self,
        entry: TimelineEntry | None,
        zone: ZoneInfo,
        *,
        filtered: bool,
        attachments: Sequence[AttachmentInfo] = (),
    ) -> None:
        """Show ``entry`` and what is attached to it; None says why there is no entry
        (``filtered``: the filter hides all)."""
        if entry is None:
            if filtered:
                self.update(Text("No entry matches the filter: Esc in the filter shows all."))
            else:
                self.update(Text("No entries yet: type what happened below and press Enter."))
            return
        line = Text(end="")
        line.append(format_local(entry.at, zone, seconds=True) + "  ")
        line.append_text(literal(entry.author, style="bold"))
        if entry.tags:
            line.append("  ")
            line.append_text(tag_badges(entry.tags))
        line.append("\n")
        if attachments:
            line.append("attached: ", style="bold")
            for number, attachment in enumerate(attachments):
                if number:
                    line.append(", ")
                line.append_text(literal(attachment.name, style="underline"))
                line.append(f" ({format_size(attachment.bytes)})", style="dim")
            line.append("  ctrl+o: open\n", style="dim")
        line.append_text(literal(entry.text))
        self.update(line)
