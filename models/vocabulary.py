"""The fixed vocabularies of the record: severities, statuses, tags, action-item fields."""

from __future__ import annotations

import functools
import re
from typing import Final

SEVERITIES: Final = ("SEV-1", "SEV-2", "SEV-3", "SEV-4", "SEV-5")
DEFAULT_SEVERITY: Final = "SEV-3"

STATUSES: Final = (
    "investigating",
    "identified",
    "monitoring",
    "resolved",
    "postmortem",
    "in-review",
    "published",
)
DEFAULT_STATUS: Final = "investigating"

# Tags with a meaning the metrics know about, in the order a timeline usually meets them.
MILESTONE_TAGS: Final = (
    "impact-start",
    "detected",
    "responded",
    "escalation",
    "false-lead",
    "cause-identified",
    "mitigated",
    "resolved",
)
KNOWN_TAGS: Final = (*MILESTONE_TAGS, "action", "comms", "note")

# Short forms a responder can type at 3 a.m.; the stored tag is always the long one.
TAG_ALIASES: Final = {
    "start": "impact-start",
    "impact": "impact-start",
    "det": "detected",
    "detect": "detected",
    "resp": "responded",
    "ack": "responded",
    "esc": "escalation",
    "escalated": "escalation",
    "fl": "false-lead",
    "cause": "cause-identified",
    "rc": "cause-identified",
    "mit": "mitigated",
    "mitigate": "mitigated",
    "res": "resolved",
    "resolve": "resolved",
    "fixed": "resolved",
}

PRIORITIES: Final = ("high", "medium", "low")
ACTION_TYPES: Final = ("mitigate", "prevent", "detect", "process")
ACTION_STATUSES: Final = ("open", "in-progress", "done", "wont-do")
OPEN_ACTION_STATUSES: Final = ("open", "in-progress")

_FREE_TAG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TAG_LENGTH: Final = 40


class VocabularyError(ValueError):
    """A value outside one of the fixed vocabularies."""


@functools.lru_cache(maxsize=4096)
def normalize_tag(raw: str) -> str:
    """Return the stored form of a tag typed by a person, or raise VocabularyError.

    Accepts a leading ``#``, any case and the short aliases; a free tag must be lowercase
    words (letters and digits) joined by single hyphens.
    """
    tag = raw.strip()
    if tag.startswith("#"):
        tag = tag[1:]
    tag = tag.lower()
    tag = TAG_ALIASES.get(tag, tag)
    if not tag or len(tag) > MAX_TAG_LENGTH or not _FREE_TAG.match(tag):
        raise VocabularyError(
            f"tag {raw!r} is not valid: use a known tag ({', '.join(KNOWN_TAGS)}) "
            "or lowercase words joined by hyphens, like db-failover"
        )
    return tag


def normalize_tags(raw_tags: list[str] | tuple[str, ...]) -> list[str]:
    """Normalise a list of tags, dropping duplicates and keeping the first order."""
    seen: dict[str, None] = {}
    for raw in raw_tags:
        seen.setdefault(normalize_tag(raw), None)
    return list(seen)


def _choose(value: str, allowed: tuple[str, ...], what: str) -> str:
    cleaned = value.strip().lower()
    for option in allowed:
        if option.lower() == cleaned:
            return option
    raise VocabularyError(f"{what} {value!r} is not one of: {', '.join(allowed)}")


def normalize_severity(value: str) -> str:
    cleaned = value.strip().upper().replace(" ", "-")
    if cleaned.isdigit():
        cleaned = f"SEV-{cleaned}"
    if cleaned.startswith("SEV") and not cleaned.startswith("SEV-"):
        cleaned = "SEV-" + cleaned[3:]
    return _choose(cleaned, SEVERITIES, "severity")


def normalize_status(value: str) -> str:
    return _choose(value, STATUSES, "status")


def normalize_priority(value: str) -> str:
    aliases = {"p0": "high", "p1": "high", "p2": "medium", "p3": "low", "p4": "low"}
    return _choose(aliases.get(value.strip().lower(), value), PRIORITIES, "priority")


def normalize_action_type(value: str) -> str:
    return _choose(value, ACTION_TYPES, "action type")


def normalize_action_status(value: str) -> str:
    aliases = {
        "todo": "open",
        "in_progress": "in-progress",
        "wontdo": "wont-do",
        "wont_do": "wont-do",
    }
    return _choose(aliases.get(value.strip().lower(), value), ACTION_STATUSES, "action status")
