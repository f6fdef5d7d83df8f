"""One place that turns a stored incident into each export format."""

from __future__ import annotations

from datetime import datetime

from exporters.render.json_text import json_text
from models.store import IncidentSnapshot

FORMATS = ("markdown", "json", "html")


def render_incident(snapshot: IncidentSnapshot, fmt: str, *, now: datetime) -> str:
    if fmt == "markdown":
        from exporters.render.markdown import render_markdown

        return render_markdown(
            snapshot.incident,
            snapshot.entries,
            snapshot.action_items,
            now=now,
            attachments=snapshot.attached(),
        )
    if fmt == "json":
        from exporters.render.json_view import incident_dict

        data = incident_dict(
            snapshot.incident,
            snapshot.entries,
            snapshot.action_items,
            now=now,
            attachments=snapshot.attachments,
        )
        return json_text(data)
    if fmt == "html":
        from exporters.render.html import render_html

        return render_html(snapshot.incident, snapshot.entries, snapshot.action_items, now=now)
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
