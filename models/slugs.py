"""Slugs: ``YYYY-MM-DD-title-words`` from the incident's local start date."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

MAX_WORDS = 8
MAX_LENGTH = 80


def slugify_title(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())[:MAX_WORDS]
    slug = "-".join(words)[:MAX_LENGTH].strip("-")
    return slug or "incident"


def make_slug(title: str, started: date) -> str:
    return f"{started.isoformat()}-{slugify_title(title)}"
