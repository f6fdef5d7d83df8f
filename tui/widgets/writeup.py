"""The narrative sections of the postmortem, one Markdown editor each, saved as you pause."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import ContentSwitcher, OptionList, TextArea
from textual.widgets.option_list import Option

from models.tables import NARRATIVE_FIELDS, Incident

SECTION_TITLES: dict[str, str] = {
    "summary": "Summary",
    "impact_narrative": "Impact",
    "root_cause": "Root cause",
    "trigger": "Trigger",
    "resolution": "Resolution",
    "detection": "Detection",
    "went_well": "Went well",
    "went_wrong": "Went wrong",
    "got_lucky": "Got lucky",
    "supporting_info": "Supporting info",
}
AUTOSAVE_SECONDS = 0.8


class WriteUp(Horizontal):
    """Section list on the left, the chosen section's editor on the right."""

    HELP_GROUP: ClassVar[str] = "Write-up"
    DEFAULT_CSS = """
    WriteUp #writeup-sections { width: 19; height: 1fr; }
    WriteUp ContentSwitcher { width: 1fr; height: 1fr; }
    WriteUp TextArea { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+o",
            "external_editor",
            "$EDITOR",
            id="writeup.editor",
            tooltip="Write the current section in $EDITOR; the workbook waits and resumes",
        ),
    ]

    @dataclass
    class SectionEdited(Message):
        """A section's text changed (every keystroke): keep it as a draft."""

        field: str
        text: str

    @dataclass
    class SectionPaused(Message):
        """The user paused typing in a section: save it."""

        field: str
        text: str

    @dataclass
    class EditorRequested(Message):
        field: str
        text: str

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._saved: dict[str, str] = {}
        self._unsaved: set[str] = set()
        self._autosave_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield OptionList(
            *(Option(SECTION_TITLES[name], id=name) for name in NARRATIVE_FIELDS),
            id="writeup-sections",
        )
        with ContentSwitcher(initial=f"section-{NARRATIVE_FIELDS[0]}"):
            for name in NARRATIVE_FIELDS:
                yield TextArea("", id=f"section-{name}", soft_wrap=True, tab_behavior="focus")

    @property
    def current_field(self) -> str:
        current = self.query_one(ContentSwitcher).current or f"section-{NARRATIVE_FIELDS[0]}"
        return current.removeprefix("section-")

    def editor(self, field: str) -> TextArea:
        return self.query_one(f"#section-{field}", TextArea)

    def show_incident(self, incident: Incident) -> None:
        """Show stored text, except in a section with unsaved typing."""
        for name in NARRATIVE_FIELDS:
            stored = getattr(incident, name) or ""
            self._saved[name] = stored
            area = self.editor(name)
            if name not in self._unsaved and area.text != stored:
                area.load_text(stored)

    def set_text(self, field: str, text: str) -> None:
        """Put text into a section as if typed (a recovered draft, an external edit)."""
        self.editor(field).load_text(text)
        self._mark_pending(field, text)

    @on(OptionList.OptionHighlighted, "#writeup-sections")
    def _section_chosen(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id:
            self.query_one(ContentSwitcher).current = f"section-{event.option.id}"

    @on(OptionList.OptionSelected, "#writeup-sections")
    def _section_entered(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.editor(event.option.id).focus()

    @on(TextArea.Changed)
    def _typed(self, event: TextArea.Changed) -> None:
        event.stop()
        field = (event.text_area.id or "").removeprefix("section-")
        self._mark_pending(field, event.text_area.text)

    def _mark_pending(self, field: str, text: str) -> None:
        if text == self._saved.get(field):
            if field in self._unsaved:
                self._unsaved.discard(field)
                self.post_message(self.SectionEdited(field, text))
            return
        self._unsaved.add(field)
        self.post_message(self.SectionEdited(field, text))
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
        self._autosave_timer = self.set_timer(AUTOSAVE_SECONDS, self.flush, name="writeup-autosave")

    def flush(self) -> None:
        """Save every section with unsaved typing now."""
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
            self._autosave_timer = None
        for field in sorted(self._unsaved):
            self.post_message(self.SectionPaused(field, self.editor(field).text))

    def pending_texts(self) -> dict[str, str]:
        return {field: self.editor(field).text for field in self._unsaved}

    def saved(self, field: str, text: str) -> None:
        """The screen stored ``text``: the section is clean unless typing went on."""
        self._saved[field] = text
        if self.editor(field).text == text:
            self._unsaved.discard(field)

    def action_external_editor(self) -> None:
        field = self.current_field
        self.post_message(self.EditorRequested(field, self.editor(field).text))
