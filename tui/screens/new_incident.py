"""The small form behind `n` on the incident list; what is typed in it is kept as a draft."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from models.fields import INCIDENT_FIELDS
from models.vocabulary import DEFAULT_SEVERITY, SEVERITIES
from tui.drafts import NEW_INCIDENT_DRAFT, NO_INCIDENT, Drafts
from tui.errors import workbook
from tui.screens.form import FormField, FormScreen


def field_check(name: str) -> Callable[[str], Any]:
    validator = INCIDENT_FIELDS[name]
    return lambda raw: validator(name, raw)


class NewIncidentScreen(FormScreen):
    def __init__(self, *, default_zone: str, drafts: Drafts | None = None) -> None:
        self.drafts = drafts
        super().__init__(
            "New incident",
            [
                FormField("title", "Title", check=field_check("title"), placeholder="what broke"),
                FormField(
                    "severity",
                    "Severity",
                    DEFAULT_SEVERITY,
                    check=field_check("severity"),
                    suggestions=SEVERITIES,
                ),
                FormField("timezone", "Time zone", default_zone, check=field_check("timezone")),
                FormField(
                    "services",
                    "Services",
                    check=field_check("services"),
                    placeholder="comma-separated, like api,db",
                ),
            ],
            draft=drafts.load_form(NO_INCIDENT, NEW_INCIDENT_DRAFT) if drafts else None,
        )
        if drafts is not None:
            self.on_draft = self._keep

    def on_mount(self) -> None:
        super().on_mount()
        if self.recovered:
            self.notify(
                "Recovered the new incident you were typing: Enter or ctrl+s creates it, "
                "Esc throws it away.",
                title="Draft recovered",
                timeout=10,
            )

    def _keep(self, text: str) -> None:
        workbook(self).keep_draft(
            NO_INCIDENT,
            NEW_INCIDENT_DRAFT,
            text,
            or_else="create the incident soon, it is not on disk yet",
        )

    def closing(self, values: dict[str, Any] | None) -> None:
        # Created or thrown away with Esc: either way the draft has done its job.
        if self.drafts is None:
            return
        with contextlib.suppress(OSError):  # at worst the same text is offered back next time
            self.drafts.discard(NO_INCIDENT, NEW_INCIDENT_DRAFT)
