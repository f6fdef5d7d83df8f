"""A small modal form: one line per field, checked as it is typed, errors shown inline."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from tui.errors import workbook


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    value: str = ""
    check: Callable[[str], Any] | None = None
    placeholder: str = ""
    suggestions: tuple[str, ...] = ()


RECOVERED = " (your unsent changes, recovered)"


class FormScreen(ModalScreen[dict[str, Any] | None]):
    """Returns the checked values by field name, or None when cancelled.

    ``draft`` (raw text by field name, kept from an earlier session) is typed over the
    fields' own values; ``on_draft`` hears what to keep after every change.
    """

    HELP_GROUP: ClassVar[str] = "Form"
    DEFAULT_CSS = """
    FormScreen {
        align: center middle;
    }
    FormScreen #form-dialog {
        width: 90%;
        max-width: 84;
        height: auto;
        max-height: 100%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    FormScreen #form-title {
        text-style: bold;
        height: auto;
    }
    FormScreen .form-row {
        height: 1;
    }
    FormScreen .form-row Label {
        width: 14;
        height: 1;
    }
    FormScreen .form-row Input {
        width: 1fr;
    }
    FormScreen .field-error {
        display: none;
        padding: 0 0 0 14;
    }
    FormScreen .field-error.-shown {
        display: block;
    }
    FormScreen #form-note {
        height: auto;
        max-height: 8;
        color: $text-muted;
    }
    FormScreen #form-hint {
        color: $text-muted;
        height: 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Save", id="form.save", tooltip="Check every field and save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel", tooltip="Close without saving"),
    ]

    def __init__(
        self,
        title: str,
        fields: list[FormField],
        *,
        note: str = "",
        draft: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.pristine = {spec.name: spec.value for spec in fields}
        if draft:
            fields = [replace(spec, value=draft.get(spec.name, spec.value)) for spec in fields]
        self.recovered = any(spec.value != self.pristine[spec.name] for spec in fields)
        self.form_title = title + (RECOVERED if self.recovered else "")
        self.fields = fields
        self.note = note
        # Called on each change with the text to keep as a draft: the fields' raw text as a
        # JSON object, or "" when they are back to what the form opened with.
        self.on_draft: Callable[[str], None] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="form-dialog"):
            yield Static(Text(self.form_title), id="form-title")
            for spec in self.fields:
                with Horizontal(classes="form-row"):
                    yield Label(spec.label)
                    yield Input(
                        spec.value,
                        placeholder=spec.placeholder,
                        id=f"field-{spec.name}",
                        compact=True,
                        select_on_focus=False,
                        suggester=SuggestFromList(spec.suggestions, case_sensitive=False)
                        if spec.suggestions
                        else None,
                    )
                yield Static("", id=f"error-{spec.name}", classes="field-error")
            if self.note:
                yield Static(Text(self.note), id="form-note")
            yield Static(
                Text("Enter: next field, save on the last · Ctrl+S: save · Esc: cancel"),
                id="form-hint",
            )

    def on_mount(self) -> None:
        workbook(self).quiet_cursors(self)

    def _check(self, spec: FormField) -> tuple[bool, Any]:
        raw = self.query_one(f"#field-{spec.name}", Input).value
        error = self.query_one(f"#error-{spec.name}", Static)
        try:
            value = spec.check(raw) if spec.check else raw
        except ValueError as exc:
            error.update(Text(str(exc)))
            error.add_class("-shown")
            return False, None
        if error.has_class("-shown"):
            error.update("")
            error.remove_class("-shown")
        return True, value

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("field-")
        for spec in self.fields:
            if spec.name == name:
                self._check(spec)
        if self.on_draft is not None:
            self.on_draft(self.draft_text())

    def draft_text(self) -> str:
        values = self.raw_values()
        if values == self.pristine:
            return ""
        return json.dumps(values, ensure_ascii=False)

    def raw_values(self) -> dict[str, str]:
        return {
            spec.name: self.query_one(f"#field-{spec.name}", Input).value for spec in self.fields
        }

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        ids = [f"field-{spec.name}" for spec in self.fields]
        current = next((f for f in self.fields if f"field-{f.name}" == event.input.id), None)
        if current is not None and not self._check(current)[0]:
            return  # the error is shown under the field; stay on it
        if event.input.id in ids and event.input.id != ids[-1]:
            self.focus_next()
        else:
            self.action_submit()

    def action_submit(self) -> None:
        values: dict[str, Any] = {}
        for spec in self.fields:
            ok, value = self._check(spec)
            if not ok:
                self.query_one(f"#field-{spec.name}", Input).focus()
                return
            values[spec.name] = value
        self.closing(values)
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.closing(None)
        self.dismiss(None)

    def closing(self, values: dict[str, Any] | None) -> None:
        """Called just before the form closes with ``values`` (None: cancelled)."""
