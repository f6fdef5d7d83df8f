"""The action item form: title, owner, priority, type, status, due, link."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from models.fields import ACTION_FIELDS
from models.tables import ActionItem
from models.vocabulary import ACTION_STATUSES, ACTION_TYPES, PRIORITIES
from tui.screens.form import FormField, FormScreen


def _check(name: str) -> Callable[[str], Any]:
    validator = ACTION_FIELDS[name]
    return lambda raw: validator(name, raw)


class ActionFormScreen(FormScreen):
    def __init__(
        self,
        title: str,
        item: ActionItem | None,
        *,
        default_title: str = "",
        draft: dict[str, str] | None = None,
    ) -> None:
        def value(name: str, default: str = "") -> str:
            if item is None:
                return default
            current = getattr(item, name)
            return "" if current is None else str(current)

        super().__init__(
            title,
            [
                FormField("title", "Title", value("title", default_title), check=_check("title")),
                FormField("owner", "Owner", value("owner"), check=_check("owner")),
                FormField(
                    "priority",
                    "Priority",
                    value("priority", "medium"),
                    check=_check("priority"),
                    suggestions=PRIORITIES,
                ),
                FormField(
                    "type",
                    "Type",
                    value("type", "prevent"),
                    check=_check("type"),
                    suggestions=ACTION_TYPES,
                ),
                FormField(
                    "status",
                    "Status",
                    value("status", "open"),
                    check=_check("status"),
                    suggestions=ACTION_STATUSES,
                ),
                FormField(
                    "due", "Due", value("due"), check=_check("due"), placeholder="2026-03-20 or +2w"
                ),
                FormField("link", "Link", value("link"), check=_check("link")),
            ],
            draft=draft,
        )
