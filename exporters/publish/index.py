"""``<dir>/README.md``: the index of every postmortem published to a folder, newest first.

Rebuilt on every publish from the postmortems in the folder on the target branch, so it
also picks up reviewers' changes to titles or statuses. Only the head of each document is
read (its front matter and the line under its title), never the whole timeline, which is
what keeps a folder of a thousand postmortems cheap to index.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from exporters.render.escaping import escape_inline, unescape_inline
from exporters.render.workbook_format import FORMAT_KEY, NO_VALUE, date_text, local_time

README: Final = "README.md"
# Bump whenever index_row would read the same document differently: rows remembered by
# exporters.publish.index_cache under another number are worked out afresh.
ROW_FORMAT: Final = 1
HEADER: Final = (
    "# Postmortems",
    "",
    "Every postmortem in this folder, newest first. Incident Workbook rewrites this list on "
    "each `workbook publish`: edit the postmortems, not the list.",
    "",
    "| Date | Postmortem | Severity | Duration | Status |",
    "|---|---|---|---|---|",
)
_DURATION: Final = re.compile(r"\*\*Duration:\*\* (.+?)(?: \(ongoing\))?(?: · |\r?$)")
_IMPACT_STARTED: Final = re.compile(r"^- \*\*Impact started:\*\* (\d{4}-\d{2}-\d{2}) ", re.M)
_SLUG_DATE: Final = re.compile(r"(\d{4}-\d{2}-\d{2})-")


@dataclass(frozen=True)
class IndexRow:
    name: str  # the file name inside the folder
    date: str
    title: str
    severity: str
    duration: str
    status: str

    def line(self) -> str:
        link = f"[{escape_inline(self.title) or escape_inline(self.name)}]({quote(self.name)})"
        cells = [
            self.date,
            link,
            escape_inline(self.severity),
            escape_inline(self.duration),
            escape_inline(self.status),
        ]
        return "| " + " | ".join(cell or NO_VALUE for cell in cells) + " |"


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


_WANTED: Final = ("title", "severity", "status", "timezone", "started_at")


def _front_matter_value(raw: str) -> object:
    """One value of the front matter (JSON); a plain string skips the JSON decoder."""
    value = raw.strip()
    inner = value[1:-1]
    if (
        len(value) >= 2
        and value[0] == value[-1] == '"'
        and "\\" not in inner
        and '"' not in inner
        and inner.isprintable()
    ):
        return inner
    return json.loads(value)


def index_row(name: str, text: str) -> IndexRow | None:
    """The row of one document, or None when it is not in the workbook's format.

    Only the front matter keys the row needs are decoded, and the two header lines are
    found by search from where the front matter ends (nothing is copied), so a folder of
    a thousand postmortems indexes in a few tens of milliseconds.
    """
    text = text.removeprefix("\ufeff")
    if not text.startswith("---\n") and not text.startswith("---\r\n"):
        return None
    close = text.find("\n---", 3)
    if close == -1:
        return None
    fields: dict[str, object] = {}
    format_seen = False
    for raw in text[4:close].split("\n"):
        key, sep, value = raw.rstrip("\r").partition(":")
        if not sep:
            continue
        key = key.strip()
        if key == FORMAT_KEY:
            format_seen = True
        elif key in _WANTED:
            try:
                fields[key] = _front_matter_value(value)
            except ValueError:
                continue
    if not format_seen:
        return None
    body = close + 4
    duration = NO_VALUE
    at = text.find("**Duration:** ", body)
    if at != -1:
        end = text.find("\n", at)
        about = _DURATION.match(text[at:] if end == -1 else text[at:end])
        if about:
            duration = about.group(1)
    started = ""
    explicit = _text(fields.get("started_at"))
    if explicit:
        try:
            zone = ZoneInfo(_text(fields.get("timezone")) or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        with contextlib.suppress(ValueError):
            started = date_text(local_time(datetime.fromisoformat(explicit), zone))
    if not started:
        impact = _IMPACT_STARTED.search(text, body)
        if impact:
            started = impact.group(1)
    if not started:
        slug_date = _SLUG_DATE.match(name)
        started = slug_date.group(1) if slug_date else NO_VALUE
    return IndexRow(
        name=name,
        date=started,
        title=_text(fields.get("title")),
        severity=_text(fields.get("severity")),
        duration=unescape_inline(duration) if duration != NO_VALUE else NO_VALUE,
        status=_text(fields.get("status")),
    )


def render_index(rows: Iterable[IndexRow]) -> str:
    """The README, newest first (ties by file name, so the order never wobbles)."""
    ordered = sorted(rows, key=lambda r: (r.date, r.name), reverse=True)
    lines = [*HEADER]
    if ordered:
        lines += [row.line() for row in ordered]
    else:
        lines = [*HEADER[:4], "_Nothing published yet._"]
    return "\n".join(lines) + "\n"
