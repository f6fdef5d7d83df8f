"""The incident screen and the pieces it is composed of."""

from tui.screens.incident.screen import IncidentScreen

__all__ = ["IncidentScreen"]
