"""The incident screen's own keys. Their ids feed the footer, F1 and the command palette."""

from __future__ import annotations

from textual.binding import Binding, BindingType

INCIDENT_BINDINGS: list[BindingType] = [
    Binding("ctrl+l", "back", "Incidents", id="incident.back", tooltip="Back to the incident list"),
    Binding(
        "ctrl+f",
        "filter",
        "Filter",
        id="incident.filter",
        tooltip="Show only timeline entries matching words or #tags",
        show=False,
    ),
    Binding(
        "f2",
        "show_tab('tab-log')",
        "Log",
        id="incident.log",
        tooltip="The timeline",
        show=False,
    ),
    Binding(
        "f3",
        "show_tab('tab-metrics')",
        "Metrics",
        id="incident.metrics",
        tooltip="Durations, time to detect/mitigate/resolve, false leads",
        show=False,
    ),
    Binding(
        "f4",
        "show_tab('tab-details')",
        "Details",
        id="incident.details",
        tooltip="Severity, status, services, impact, SLO",
        show=False,
    ),
    Binding(
        "f5",
        "show_tab('tab-writeup')",
        "Write-up",
        id="incident.writeup",
        tooltip="The narrative sections of the postmortem",
        show=False,
    ),
    Binding(
        "f6",
        "show_tab('tab-actions')",
        "Actions",
        id="incident.actions",
        tooltip="Action items",
        show=False,
    ),
    Binding(
        "f7",
        "show_tab('tab-preview')",
        "Preview",
        id="incident.preview",
        tooltip="The postmortem as `workbook export` writes it",
        show=False,
    ),
    Binding(
        "f8",
        "publish",
        "Publish",
        id="incident.publish",
        tooltip="Commit and push the postmortem for review",
        show=False,
    ),
    Binding(
        "f9",
        "related",
        "Related",
        id="incident.related",
        tooltip="Earlier incidents like this one",
        show=False,
    ),
    Binding(
        "ctrl+o",
        "attachments",
        "Attachments",
        id="incident.attachments",
        tooltip="View, save or page the entry's attachments (else the incident's)",
        show=False,
    ),
    Binding(
        "ctrl+u",
        "undo_delete",
        "Undo delete",
        id="incident.undo",
        tooltip="Bring back the entry deleted last",
        show=False,
    ),
]
