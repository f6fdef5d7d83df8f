"""The small form behind `n` on the incident list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from models.fields import INCIDENT_FIELDS
from models.vocabulary import DEFAULT_SEVERITY, SEVERITIES
from tui.screens.form import FormField, FormScreen


def field_check(name: str) -> Callable[[str], Any]:
    validator = INCIDENT_FIELDS[name]
    return lambda raw: validator(name, raw)


class NewIncidentScreen(FormScreen):
    def __init__(self, *, default_zone: str) -> None:
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
        )
