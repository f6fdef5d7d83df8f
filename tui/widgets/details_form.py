"""The incident's fields, each checked as it is typed and saved on Enter or on leaving it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from models.fields import INCIDENT_FIELDS
from models.tables import Incident
from models.vocabulary import SEVERITIES, STATUSES

TIME_PATTERN = "%Y-%m-%d %H:%M"

DETAIL_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("title", "Title", ""),
    ("severity", "Severity", "SEV-1 … SEV-5"),
    ("status", "Status", ", ".join(STATUSES[:4]) + ", …"),
    ("services", "Services", "comma-separated"),
    ("commander", "Commander", "name"),
    ("timezone", "Time zone", "IANA name, like Europe/Berlin"),
    ("started_at", "Impact start", "YYYY-MM-DD HH:MM (blank: first entry)"),
    ("resolved_at", "Resolved", "YYYY-MM-DD HH:MM (blank: #resolved entry)"),
    ("users_affected_pct", "Users hit %", "0 to 100"),
    ("users_affected", "Users hit", "a whole number"),
    ("transactions_lost", "Tx lost", "a whole number"),
    ("revenue_lost", "Revenue lost", "a number"),
    ("currency", "Currency", "USD, EUR, …"),
    ("data_loss", "Data loss", "yes or no"),
    ("data_loss_note", "Data loss note", ""),
    ("slo_target_pct", "SLO target %", "like 99.9"),
    ("slo_window_days", "SLO window", "days, 1 to 366"),
)
SUGGESTIONS: dict[str, tuple[str, ...]] = {
    "severity": SEVERITIES,
    "status": STATUSES,
    "data_loss": ("yes", "no"),
}


def shown_value(incident: Incident, name: str, zone: ZoneInfo) -> str:
    value = getattr(incident, name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime(TIME_PATTERN)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def field_checker(
    name: str, *, zone: Callable[[], ZoneInfo], now: Callable[[], datetime]
) -> Callable[[str], Any]:
    """A function from typed text to the stored value, raising ValueError with the reason."""
    if name in ("started_at", "resolved_at"):

        def check_time(raw: str) -> datetime | None:
            from models.timeparse import parse_time

            if raw.strip().lower() in ("", "none", "-"):
                return None
            return parse_time(raw, zone=zone(), now=now())

        return check_time
    validator = INCIDENT_FIELDS[name]
    return lambda raw: validator(name, raw)


class DetailsForm(VerticalScroll):
    HELP_GROUP: ClassVar[str] = "Details"
    DEFAULT_CSS = """
    DetailsForm .form-row { height: 1; }
    DetailsForm .form-row Label { width: 16; }
    DetailsForm .form-row Input { width: 1fr; }
    DetailsForm .field-error { display: none; padding: 0 0 0 16; }
    DetailsForm .field-error.-shown { display: block; }
    """

    @dataclass
    class Edited(Message):
        """A field was changed to a valid value: save it."""

        changes: dict[str, Any]

    @dataclass
    class Unsaved(Message):
        """What is typed but not saved (refused, or not yet Enter), by field: keep it."""

        values: dict[str, str]

    def __init__(
        self, *, zone: Callable[[], ZoneInfo], now: Callable[[], datetime], **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self._checkers = {
            name: field_checker(name, zone=zone, now=now) for name, *_ in DETAIL_FIELDS
        }
        self._zone = zone
        self._saved: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Static(
            Text("Enter or leaving a field saves it; a value that is refused is never saved."),
            classes="hint",
        )
        for name, label, placeholder in DETAIL_FIELDS:
            suggestions = SUGGESTIONS.get(name)
            with Horizontal(classes="form-row"):
                yield Label(label)
                yield Input(
                    placeholder=placeholder,
                    id=f"detail-{name}",
                    compact=True,
                    select_on_focus=False,
                    suggester=SuggestFromList(suggestions, case_sensitive=False)
                    if suggestions
                    else None,
                )
            yield Static("", id=f"detail-error-{name}", classes="field-error")

    def show_incident(self, incident: Incident) -> None:
        """Show the stored values, leaving alone a field the user is changing."""
        zone = self._zone()
        for name, *_ in DETAIL_FIELDS:
            value = shown_value(incident, name, zone)
            field = self.query_one(f"#detail-{name}", Input)
            editing = field.has_focus or field.value != self._saved.get(name, field.value)
            self._saved[name] = value
            if not editing and field.value != value:
                field.value = value

    def unsaved(self) -> dict[str, str]:
        """The raw text of every field that differs from the stored value."""
        values: dict[str, str] = {}
        for name, *_ in DETAIL_FIELDS:
            field = self.query_one(f"#detail-{name}", Input)
            if field.value != self._saved.get(name, ""):
                values[name] = field.value
        return values

    def restore(self, values: dict[str, str]) -> list[str]:
        """Type kept text back into its fields; returns the labels of the fields changed."""
        labels = {name: label for name, label, _ in DETAIL_FIELDS}
        restored: list[str] = []
        for name, text in values.items():
            if name not in labels or text == self._saved.get(name, ""):
                continue
            field = self.query_one(f"#detail-{name}", Input)
            field.value = text
            restored.append(labels[name])
            self._check(name)
        return restored

    def _check(self, name: str) -> tuple[bool, Any]:
        field = self.query_one(f"#detail-{name}", Input)
        error = self.query_one(f"#detail-error-{name}", Static)
        try:
            value = self._checkers[name](field.value)
        except ValueError as exc:
            error.update(Text(str(exc)))
            error.add_class("-shown")
            field.add_class("-invalid")
            return False, None
        if error.has_class("-shown"):
            error.update("")
            error.remove_class("-shown")
        field.remove_class("-invalid")
        return True, value

    @staticmethod
    def _field_name(field: Input) -> str:
        return (field.id or "").removeprefix("detail-")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        name = self._field_name(event.input)
        if name in self._checkers:
            self._check(name)
            if self._saved:  # an incident is shown: only then is there anything unsaved
                self.post_message(self.Unsaved(self.unsaved()))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._save(event.input)

    @on(Input.Blurred)
    def _blurred(self, event: Input.Blurred) -> None:
        self._save(event.input)

    def _save(self, field: Input) -> None:
        name = self._field_name(field)
        if name not in self._checkers or field.value == self._saved.get(name):
            return
        ok, value = self._check(name)
        if ok:
            self._saved[name] = field.value
            self.post_message(self.Edited({name: value}))
            self.post_message(self.Unsaved(self.unsaved()))
