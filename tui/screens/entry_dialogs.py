"""Dialogs for one timeline entry: edit (with its history) and the tag picker."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, SelectionList, Static
from textual.widgets.selection_list import Selection

from models.tables import EntryRevision, TimelineEntry
from models.vocabulary import KNOWN_TAGS, VocabularyError, normalize_tag, normalize_tags
from tui.errors import workbook
from tui.screens.form import FormField, FormScreen
from tui.text import literal

EDIT_TIME_PATTERN = "%Y-%m-%d %H:%M:%S"


def parse_tag_words(raw: str) -> list[str]:
    words = raw.replace(",", " ").split()
    try:
        return normalize_tags(words)
    except VocabularyError as exc:
        raise ValueError(str(exc)) from exc


def history_text(revisions: Sequence[EntryRevision], zone: ZoneInfo) -> str:
    if not revisions:
        return "No earlier versions."
    lines = ["Earlier versions (oldest first):"]
    for number, rev in enumerate(revisions, start=1):
        when = rev.at.astimezone(zone).strftime("%H:%M")
        replaced = rev.replaced_at.astimezone(zone).strftime("%m-%d %H:%M")
        tags = " ".join("#" + t for t in rev.tags)
        lines.append(
            f"v{number} {when} {literal(rev.text).plain} {tags}"
            f"  (replaced {replaced} by {literal(rev.replaced_by).plain})"
        )
    return "\n".join(lines)


class EditEntryScreen(FormScreen):
    """Time, text and tags of an entry; the version it replaces is kept by the store."""

    def __init__(
        self,
        entry: TimelineEntry,
        *,
        zone: ZoneInfo,
        parse_time: Callable[[str], datetime],
        revisions: Sequence[EntryRevision],
        draft: dict[str, str] | None = None,
    ) -> None:
        super().__init__(
            f"Edit entry {entry.id}",
            [
                FormField(
                    "at",
                    "Time",
                    entry.at.astimezone(zone).strftime(EDIT_TIME_PATTERN),
                    check=parse_time,
                ),
                FormField("text", "Text", entry.text),
                FormField("tags", "Tags", " ".join(entry.tags), check=parse_tag_words),
            ],
            note=history_text(revisions, zone),
            draft=draft,
        )


class TagPickerScreen(ModalScreen[list[str] | None]):
    """Space ticks a tag, Enter applies; a new tag can be typed below the list."""

    HELP_GROUP: ClassVar[str] = "Tag picker"
    DEFAULT_CSS = """
    TagPickerScreen { align: center middle; }
    TagPickerScreen #tag-dialog {
        width: 50; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    TagPickerScreen SelectionList { height: auto; max-height: 14; }
    TagPickerScreen Input { margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter,ctrl+s",
            "apply",
            "Apply",
            id="tags.apply",
            tooltip="Set the ticked tags",
            priority=True,
        ),
        Binding("escape", "cancel", "Cancel", id="tags.cancel", tooltip="Leave tags as they were"),
    ]

    def __init__(self, current: Sequence[str]) -> None:
        super().__init__()
        self.current_tags = list(current)

    def compose(self) -> ComposeResult:
        choices = list(dict.fromkeys([*KNOWN_TAGS, *self.current_tags]))
        with Vertical(id="tag-dialog"):
            yield Static(Text("Tags: Space ticks, Enter applies, Esc cancels"))
            yield SelectionList[str](
                *(Selection(tag, tag, tag in self.current_tags) for tag in choices),
                id="tag-choices",
            )
            yield Input(placeholder="another tag, like db-failover", id="tag-new", compact=True)
            yield Static("", id="tag-error", classes="field-error")

    def on_mount(self) -> None:
        workbook(self).quiet_cursors(self)

    def chosen(self) -> list[str] | None:
        tags = list(self.query_one("#tag-choices", SelectionList).selected)
        extra = self.query_one("#tag-new", Input).value
        error = self.query_one("#tag-error", Static)
        try:
            tags += [normalize_tag(word) for word in extra.replace(",", " ").split()]
        except VocabularyError as exc:
            error.update(Text(str(exc)))
            return None
        return list(dict.fromkeys(tags))

    def action_apply(self) -> None:
        tags = self.chosen()
        if tags is not None:
            self.dismiss(tags)

    def action_cancel(self) -> None:
        self.dismiss(None)
