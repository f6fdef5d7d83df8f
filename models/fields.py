"""Validating incident and action item fields by their JSON names.

Two doors lead here: ``workbook set`` / ``action-update`` hand over ``FIELD=VALUE`` text,
and readers hand over typed values. Both are checked completely before anything is written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from models.tables import NARRATIVE_FIELDS
from models.vocabulary import (
    VocabularyError,
    normalize_action_status,
    normalize_action_type,
    normalize_priority,
    normalize_severity,
    normalize_status,
)


class FieldError(ValueError):
    """A field name or value that cannot be accepted."""


_NULL_WORDS = {"", "none", "null", "-"}
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _is_null(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in _NULL_WORDS)


def _number(name: str, value: Any, *, integer: bool) -> float | int:
    if isinstance(value, bool):
        raise FieldError(f"{name} must be a number, not {value!r}")
    if isinstance(value, int | float):
        number: float | int = value
    else:
        text = str(value).strip().replace(",", "").replace("_", "")
        try:
            number = int(text) if integer else float(text)
        except ValueError:
            kind = "a whole number" if integer else "a number"
            raise FieldError(f"{name} must be {kind}, like 1200; got {value!r}") from None
    if isinstance(number, float) and not math.isfinite(number):
        raise FieldError(f"{name} must be a finite number; got {value!r}")
    if integer and isinstance(number, float):
        if not number.is_integer():
            raise FieldError(f"{name} must be a whole number; got {value!r}")
        number = int(number)
    if number < 0:
        raise FieldError(f"{name} cannot be negative; got {value!r}")
    return number


def _percent(name: str, value: Any, *, allow_100: bool = True) -> float:
    number = float(
        _number(name, str(value).rstrip("% ") if isinstance(value, str) else value, integer=False)
    )
    if number > 100 or (not allow_100 and number >= 100):
        limit = "0 to 100" if allow_100 else "0 up to (not including) 100"
        raise FieldError(f"{name} is a percentage from {limit}; got {value!r}")
    return number


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise FieldError(f"{name} must be text")
    return value


def _optional_text(name: str, value: Any) -> str | None:
    return None if _is_null(value) else _text(name, value).strip()


def _bool(name: str, value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"yes", "true", "1", "y"}:
        return True
    if text in {"no", "false", "0", "n"}:
        return False
    if text in _NULL_WORDS:
        return None
    raise FieldError(f"{name} must be yes or no; got {value!r}")


def _title(name: str, value: Any) -> str:
    title = _text(name, value).strip()
    if not title:
        raise FieldError("the title cannot be empty")
    if "\n" in title or "\r" in title:
        raise FieldError("the title must be one line")
    return title


def _zone(name: str, value: Any) -> str:
    from models.timeparse import TimeParseError, resolve_zone

    try:
        return resolve_zone(_text(name, value).strip()).key
    except TimeParseError as exc:
        raise FieldError(str(exc)) from exc


def _services(name: str, value: Any) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(s, str) for s in items):
        raise FieldError("services must be a list of names, like api,db")
    return list(dict.fromkeys(s.strip() for s in items if s.strip()))


def _currency(name: str, value: Any) -> str | None:
    if _is_null(value):
        return None
    code = _text(name, value).strip().upper()
    if not _CURRENCY.match(code):
        raise FieldError(f"currency must be a three-letter code such as USD or EUR; got {value!r}")
    return code


def _vocabulary(normalize: Callable[[str], str]) -> Callable[[str, Any], str]:
    def check(name: str, value: Any) -> str:
        try:
            return normalize(_text(name, value))
        except VocabularyError as exc:
            raise FieldError(str(exc)) from exc

    return check


def _optional(check: Callable[[str, Any], Any]) -> Callable[[str, Any], Any]:
    return lambda name, value: None if _is_null(value) else check(name, value)


def _window(name: str, value: Any) -> int:
    days = int(_number(name, value, integer=True))
    if not 1 <= days <= 366:
        raise FieldError(f"{name} is a number of days from 1 to 366; got {value!r}")
    return days


def _narrative(name: str, value: Any) -> str:
    return "" if value is None else _text(name, value)


INCIDENT_FIELDS: dict[str, Callable[[str, Any], Any]] = {
    "title": _title,
    "severity": _vocabulary(normalize_severity),
    "status": _vocabulary(normalize_status),
    "timezone": _zone,
    "services": _services,
    "commander": _optional_text,
    **dict.fromkeys(NARRATIVE_FIELDS, _narrative),
    "users_affected_pct": _optional(lambda n, v: _percent(n, v)),
    "users_affected": _optional(lambda n, v: _number(n, v, integer=True)),
    "transactions_lost": _optional(lambda n, v: _number(n, v, integer=True)),
    "revenue_lost": _optional(lambda n, v: float(_number(n, v, integer=False))),
    "currency": _currency,
    "data_loss": _bool,
    "data_loss_note": _optional_text,
    "slo_target_pct": _optional(lambda n, v: _percent(n, v, allow_100=False)),
    "slo_window_days": _window,
}
TIME_FIELDS = ("started_at", "resolved_at")
SETTABLE_INCIDENT_FIELDS = (*INCIDENT_FIELDS, *TIME_FIELDS)


def _unknown(name: str, known: Iterable[str]) -> FieldError:
    return FieldError(f"unknown field {name!r}; fields are: {', '.join(known)}")


def split_assignments(assignments: Iterable[str]) -> list[tuple[str, str]]:
    pairs = []
    for item in assignments:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise FieldError(f"{item!r} is not FIELD=VALUE, e.g. severity=SEV-2")
        if value.startswith("@@"):
            value = value[1:]
        elif value.startswith("@") and len(value) > 1:
            path = Path(value[1:]).expanduser()
            try:
                value = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise FieldError(f"cannot read {path} for {name}: {exc}") from exc
        pairs.append((name.strip(), value))
    return pairs


def parse_incident_assignments(
    assignments: Iterable[str], *, zone: ZoneInfo, now: datetime
) -> dict[str, Any]:
    """``FIELD=VALUE`` strings from the CLI into validated incident changes."""
    from models.timeparse import TimeParseError, parse_time

    changes: dict[str, Any] = {}
    for name, value in split_assignments(assignments):
        if name in TIME_FIELDS:
            try:
                changes[name] = None if _is_null(value) else parse_time(value, zone=zone, now=now)
            except TimeParseError as exc:
                raise FieldError(f"{name}: {exc}") from exc
        elif name in INCIDENT_FIELDS:
            changes[name] = INCIDENT_FIELDS[name](name, value)
        else:
            raise _unknown(name, SETTABLE_INCIDENT_FIELDS)
    if not changes:
        raise FieldError("nothing to set: give FIELD=VALUE, e.g. severity=SEV-2")
    return changes


def validate_incident_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Typed values from a reader, checked by the same rules as the CLI's."""
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "slug":
            clean[name] = value
        elif name in TIME_FIELDS:
            if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
                raise FieldError(f"{name} must be a timezone-aware time")
            clean[name] = value
        elif name in INCIDENT_FIELDS:
            if value is None and name in ("services", "slo_window_days", "timezone"):
                continue
            clean[name] = INCIDENT_FIELDS[name](name, value)
        else:
            raise _unknown(name, SETTABLE_INCIDENT_FIELDS)
    return clean


def _due(name: str, value: Any) -> date | None:
    from models.timeparse import TimeParseError, parse_date

    if _is_null(value):
        return None
    if isinstance(value, date):
        return value
    try:
        return parse_date(_text(name, value))
    except TimeParseError as exc:
        raise FieldError(f"due: {exc}") from exc


ACTION_FIELDS: dict[str, Callable[[str, Any], Any]] = {
    "title": _title,
    "owner": _optional_text,
    "priority": _vocabulary(normalize_priority),
    "type": _vocabulary(normalize_action_type),
    "status": _vocabulary(normalize_action_status),
    "due": _due,
    "link": _optional_text,
}


def parse_action_assignments(assignments: Iterable[str]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name, value in split_assignments(assignments):
        if name not in ACTION_FIELDS:
            raise _unknown(name, ACTION_FIELDS)
        changes[name] = ACTION_FIELDS[name](name, value)
    if not changes:
        raise FieldError("nothing to change: give FIELD=VALUE, e.g. status=done")
    return changes
