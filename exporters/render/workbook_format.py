"""The workbook's own postmortem Markdown: its markers, and the reader that undoes the export.

The document (written by :mod:`exporters.render.markdown`) is ordinary GitHub Markdown with a few
machine-readable parts, and the reader looks at nothing else:

* **Front matter**: a ``---`` block of ``key: JSON`` lines (JSON scalars, strings, lists
  and null are valid YAML, so GitHub shows the block as a table). ``workbook_format: 1``
  marks the format. Keys are the exact :class:`models.tables.Incident` attribute names;
  ``started_at`` / ``resolved_at`` are ISO 8601 instants (``…Z``) or null.
* **Narratives**: each between ``<!-- workbook:begin NAME [MODE] -->`` and
  ``<!-- workbook:end NAME -->`` lines, NAME being the Incident attribute. With no MODE the
  lines in between are the text, byte for byte (one line per text line, so ``""`` is a
  single empty line and ``"a\\n"`` is ``a`` then an empty line). MODE ``escaped`` means the
  lines went through :func:`exporters.render.escaping.encode_narrative`; MODE ``empty`` means an
  empty text, shown as a placeholder line for the reviewer.
* **Timeline**: the pipe table right after ``<!-- workbook:timeline -->``: ``| # | Time |
  Event | Tags | Author |``, the time being the local date and time with the UTC offset
  (``2024-05-14 02:00 +02:00``; seconds and microseconds only when not zero).
* **Action items**: the pipe table right after ``<!-- workbook:action-items -->``: ``| Ref |
  Action | Owner | Priority | Type | Status | Due | Link | From |``; From is ``entry N`` (the
  timeline's ``#``) or ``—``.

Headings, figures, key times and review notes are for people and are recomputed on import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any, Final

from exporters.render.attachment_blocks import (
    ATTACHMENT_MARKER_PREFIX,
    AttachmentBlockError,
    attached_file_path,
    read_attachment_block,
)
from exporters.render.escaping import decode_narrative, unescape_inline
from models.bulk import collector_paused
from models.record import ActionRecord, AttachmentRecord, EntryRecord, IncidentRecord
from models.tables import IMPACT_FIELDS, NARRATIVE_FIELDS

FORMAT_KEY: Final = "workbook_format"
FORMAT_VERSION: Final = 1
FORMAT_MARKER: Final = f"{FORMAT_KEY}: {FORMAT_VERSION}"

FRONT_MATTER_FIELDS: Final[tuple[str, ...]] = (
    "slug",
    "title",
    "severity",
    "status",
    "timezone",
    "services",
    "commander",
    "started_at",
    "resolved_at",
    *IMPACT_FIELDS,
)
INSTANT_FIELDS: Final = ("started_at", "resolved_at")

MARKER_PREFIX: Final = "<!-- workbook:"
TIMELINE_MARKER: Final = "<!-- workbook:timeline -->"
ACTION_ITEMS_MARKER: Final = "<!-- workbook:action-items -->"
EMPTY_PLACEHOLDER: Final = "_Not written yet._"
NO_VALUE: Final = "—"
# A link written as an autolink: http(s) and only characters a table cell cannot misread.
SAFE_LINK: Final = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
TIMELINE_COLUMNS: Final = 5
ACTION_COLUMNS: Final = 9


class WorkbookFormatError(ValueError):
    """The document claims to be the workbook's format but cannot be read; names a line."""


def begin_marker(name: str, mode: str | None = None) -> str:
    return f"{MARKER_PREFIX}begin {name}{' ' + mode if mode else ''} -->"


def end_marker(name: str) -> str:
    return f"{MARKER_PREFIX}end {name} -->"


# Values ------------------------------------------------------------------------------

# Outside YAML's printable set, or line breaks to some readers: written as \uXXXX.
_YAML_UNSAFE: Final = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def iso_instant(at: datetime) -> str:
    """An aware time as ISO 8601 in UTC (``2024-05-14T02:00:00Z``), microseconds kept."""
    try:
        text = at.astimezone(UTC).isoformat()
    except (OverflowError, ValueError):  # the UTC reading falls outside years 1-9999
        return at.isoformat()
    return text.removesuffix("+00:00") + "Z"


def front_matter_value(value: Any) -> str:
    """A value as one line of JSON that is also valid YAML."""
    if isinstance(value, datetime):
        value = iso_instant(value)
    text = json.dumps(value, ensure_ascii=False)
    # Only possible inside strings, where a \u escape means the same character.
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _offset_text(offset: timedelta) -> str:
    sign = "-" if offset < timedelta(0) else "+"
    seconds, micro = divmod(abs(offset) // timedelta(microseconds=1), 1_000_000)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}"
    if secs or micro:
        text += f":{secs:02d}"
    if micro:
        text += f".{micro:06d}"
    return text


def local_time(at: datetime, zone: tzinfo) -> datetime:
    """``at`` in ``zone``, or as given if that reading falls outside years 1-9999."""
    try:
        return at.astimezone(zone)
    except (OverflowError, ValueError):
        return at


def clock_text(local: datetime) -> str:
    """``14:05``, ``14:05:30`` or ``14:05:30.250000``: seconds only when not zero."""
    text = f"{local.hour:02d}:{local.minute:02d}"
    if local.second or local.microsecond:
        text += f":{local.second:02d}"
    if local.microsecond:
        text += f".{local.microsecond:06d}"
    return text


def date_text(local: datetime | date) -> str:
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d}"


# The time cell is written once per entry, so its parts come from tables: the offsets and
# dates met so far (a timeline has one or two offsets and a few days) and every HH:MM.
_OFFSET_TEXTS: dict[timedelta, str] = {}
_DATE_TEXTS: dict[int, str] = {}
_CLOCK_TEXTS: Final = tuple(f"{h:02d}:{m:02d}" for h in range(24) for m in range(60))
_TABLE_LIMIT: Final = 4096


def timeline_time(at: datetime, zone: tzinfo) -> str:
    """The timeline's time cell: ``2024-05-14 02:00 +02:00``, an exact instant."""
    local = local_time(at, zone)
    offset = local.utcoffset()
    if offset is None:
        raise ValueError(f"entry time {at!r} has no UTC offset")
    offset_text = _OFFSET_TEXTS.get(offset)
    if offset_text is None:
        if len(_OFFSET_TEXTS) >= _TABLE_LIMIT:
            _OFFSET_TEXTS.clear()
        offset_text = _OFFSET_TEXTS[offset] = _offset_text(offset)
    if local.second or local.microsecond:
        return f"{date_text(local)} {clock_text(local)} {offset_text}"
    day = local.toordinal()
    day_text = _DATE_TEXTS.get(day)
    if day_text is None:
        if len(_DATE_TEXTS) >= _TABLE_LIMIT:
            _DATE_TEXTS.clear()
        day_text = _DATE_TEXTS[day] = date_text(local)
    return f"{day_text} {_CLOCK_TEXTS[local.hour * 60 + local.minute]} {offset_text}"


_TIME_CELL: Final = re.compile(
    r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{6}))?)?"
    r" ([+-])(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{6}))?)?"
)
_fromisoformat: Final = datetime.fromisoformat


def parse_timeline_time(text: str) -> datetime:
    """The instant of a timeline time cell, in UTC when that can be represented."""
    match = _TIME_CELL.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a time like 2024-05-14 02:00 +02:00")
    year, month, day, hour, minute, second, micro, sign, oh, om, os_, ou = match.groups()
    offset = timedelta(
        hours=int(oh), minutes=int(om), seconds=int(os_ or 0), microseconds=int(ou or 0)
    )
    if offset >= timedelta(hours=24):
        raise ValueError(f"UTC offset {sign}{oh}:{om} is out of range")
    zone = timezone(-offset if sign == "-" else offset)
    at = datetime(
        int(year),
        int(month),
        int(day),
        int(hour),
        int(minute),
        int(second or 0),
        int(micro or 0),
        tzinfo=zone,
    )
    return local_time(at, UTC)


# Table rows ---------------------------------------------------------------------------


# A cell: anything but an unescaped pipe, where a backslash always takes the next character.
_CELL_TEXT: Final = r"[^|\\]*(?:\\.[^|\\]*)*"
_CELLS: Final = re.compile(rf"(?:{_CELL_TEXT}\|)+", re.DOTALL)
_CELL: Final = re.compile(rf"({_CELL_TEXT})\|", re.DOTALL)


def split_row(line: str) -> list[str] | None:
    """The cells of a ``| a | b |`` row, still escaped, or None if it is not such a row.

    A backslash keeps the next character in the cell, so ``\\|`` never splits it.
    """
    if len(line) < 2 or not line.startswith("|") or not line.endswith("|"):
        return None
    body = line[1:]
    # One pass checks that the row is whole (its closing pipe not escaped), one cuts it.
    if _CELLS.fullmatch(body) is None:
        return None
    return [cell.strip(" ") for cell in _CELL.findall(body)]


def optional_from_cell(cell: str) -> str | None:
    return None if cell == NO_VALUE else unescape_inline(cell)


# Reading ------------------------------------------------------------------------------


def looks_like_workbook(text: str) -> bool:
    """Whether the text starts with front matter carrying the workbook's format marker."""
    lines = text.removeprefix("\ufeff").split("\n", 200)
    if not lines or lines[0].rstrip("\r") != "---":
        return False
    for line in lines[1:]:
        line = line.rstrip("\r")
        if line == "---":
            return False
        if line.startswith(f"{FORMAT_KEY}:"):
            return True
    return False


def _fail(lineno: int, message: str) -> WorkbookFormatError:
    return WorkbookFormatError(f"line {lineno}: {message}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_STRING_FIELDS: Final = ("title", "severity", "status", "timezone")
_FIELD_CHECKS: Final[dict[str, tuple[Callable[[Any], bool], str]]] = {
    **dict.fromkeys(_STRING_FIELDS, (lambda v: isinstance(v, str), "a string")),
    **dict.fromkeys(
        ("slug", "commander", "currency", "data_loss_note"),
        (lambda v: v is None or isinstance(v, str), "a string or null"),
    ),
    "services": (
        lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v),
        "a list of strings",
    ),
    **dict.fromkeys(INSTANT_FIELDS, (lambda v: v is None or isinstance(v, str), "a time")),
    **dict.fromkeys(
        ("users_affected_pct", "revenue_lost", "slo_target_pct"),
        (lambda v: v is None or _is_number(v), "a number or null"),
    ),
    **dict.fromkeys(
        ("users_affected", "transactions_lost"),
        (lambda v: v is None or _is_whole(v), "a whole number or null"),
    ),
    "data_loss": (lambda v: v is None or isinstance(v, bool), "true, false or null"),
    "slo_window_days": (_is_whole, "a whole number"),
}

_FRONT_LINE: Final = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):[ \t]*(.*)")


def _read_front_matter(lines: list[str], record: IncidentRecord) -> int:
    """Fill ``record.fields`` from the front matter; return the index of its closing line."""
    if not lines or lines[0] != "---":
        raise _fail(1, "a workbook document starts with a --- line opening its front matter")
    try:
        close = lines.index("---", 1)
    except ValueError:
        raise _fail(1, "the front matter is never closed by a --- line") from None
    seen: dict[str, int] = {}
    version_line = 0
    for index in range(1, close):
        lineno, line = index + 1, lines[index]
        if not line.strip() or line.startswith("#"):
            continue
        match = _FRONT_LINE.fullmatch(line)
        if match is None:
            raise _fail(lineno, "front matter lines are `key: JSON value`")
        key, raw = match.groups()
        if key in seen:
            raise _fail(lineno, f"{key} is given twice (first on line {seen[key]})")
        seen[key] = lineno
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise _fail(lineno, f"the value of {key} is not valid JSON ({exc.msg})") from None
        if key == FORMAT_KEY:
            version_line = lineno
            if value != FORMAT_VERSION:
                raise _fail(
                    lineno,
                    f"{FORMAT_KEY} {raw} is not supported: this reader knows version "
                    f"{FORMAT_VERSION}",
                )
            continue
        if key not in _FIELD_CHECKS:
            record.warnings.append(f"line {lineno}: unknown front matter key {key!r} ignored")
            continue
        check, kind = _FIELD_CHECKS[key]
        if not check(value):
            raise _fail(lineno, f"{key} must be {kind}")
        if key in INSTANT_FIELDS and value is not None:
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise _fail(lineno, f"{key} {raw} is not an ISO 8601 time") from None
            if value.utcoffset() is None:
                raise _fail(lineno, f"{key} {raw} needs a UTC offset or Z")
            value = local_time(value, UTC)
        record.fields[key] = value
    if not version_line:
        raise _fail(1, f"the front matter has no {FORMAT_KEY} line")
    return close


def _table_body(lines: list[str], start: int, columns: int, what: str) -> int:
    """Check the header ``lines[start]`` and delimiter row; the index of the first body line."""
    for offset in (0, 1):
        index = start + offset
        cells = split_row(lines[index]) if index < len(lines) else None
        if cells is None or len(cells) != columns:
            part = "header" if offset == 0 else "delimiter row"
            raise _fail(index + 1, f"expected the {what} table's {part} with {columns} columns")
    if not all(re.fullmatch(r":?-+:?", cell) for cell in split_row(lines[start + 1]) or []):
        raise _fail(start + 2, f"the {what} table's second line must be its delimiter row")
    return start + 2


def _row_cells(line: str, lineno: int, columns: int, what: str) -> list[str]:
    cells = split_row(line)
    if cells is None or len(cells) != columns:
        raise _fail(lineno, f"a {what} row needs {columns} cells separated by |")
    return cells


def _table(lines: list[str], start: int, columns: int, what: str) -> list[tuple[int, list[str]]]:
    """The body rows (line number, cells) of the table whose header is ``lines[start]``."""
    rows: list[tuple[int, list[str]]] = []
    index = _table_body(lines, start, columns, what)
    while index < len(lines) and lines[index].startswith("|"):
        rows.append((index + 1, _row_cells(lines[index], index + 1, columns, what)))
        index += 1
    return rows


def _read_tags(cell: str) -> list[str]:
    tags = []
    for token in cell.split(" "):
        if not token:
            continue
        if len(token) >= 2 and token[0] == "`" and token[-1] == "`":
            tags.append(token[1:-1])
        else:
            tags.append(unescape_inline(token))
    return tags


# A timeline row exactly as the writer spells it: one space inside each pipe, no cell
# starting or ending with a space, the time split into its ISO 8601 part and its offset.
# Rows written any other way (by hand, say) take the general path, with the same result.
_STRICT_CELL: Final = rf"((?:(?! ){_CELL_TEXT}(?<! ))?)"
_WRITTEN_ROW: Final = re.compile(
    r"\| ([0-9]+) \| ([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{6})?)?)"
    r" ([+-][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{6})?)?)"
    rf" \| {_STRICT_CELL} \| {_STRICT_CELL} \| {_STRICT_CELL} \|",
    re.DOTALL,
)


def _read_timeline(
    lines: list[str], start: int, record: IncidentRecord, numbers: dict[int, int]
) -> None:
    # Long timelines are the reason for the fast path and the two tables below: tag
    # lists and authors repeat from row to row.
    tag_lists: dict[str, tuple[str, ...]] = {}
    authors: dict[str, str] = {}
    entries = record.entries
    index = _table_body(lines, start, TIMELINE_COLUMNS, "timeline")
    while index < len(lines) and lines[index].startswith("|"):
        line, lineno = lines[index], index + 1
        index += 1
        written = _WRITTEN_ROW.fullmatch(line)
        if written is not None:
            number, clock, offset, text, tags, author = written.groups()
            when = f"{clock} {offset}"
            iso = clock + offset if offset[1:3] < "24" else None
        else:
            number, when, text, tags, author = _row_cells(
                line, lineno, TIMELINE_COLUMNS, "timeline"
            )
            if not (number.isascii() and number.isdigit()):
                raise _fail(lineno, f"timeline row number {number!r} is not a whole number")
            iso = None
        row_number = int(number)
        if row_number in numbers:
            raise _fail(lineno, f"timeline row number {number} is used twice")
        at = None
        if iso is not None:
            # An impossible date fails here; the general parser below says what is wrong.
            try:
                at = local_time(_fromisoformat(iso), UTC)
            except ValueError:
                at = None
        if at is None:
            try:
                at = parse_timeline_time(when)
            except ValueError as exc:
                raise _fail(lineno, str(exc)) from None
        found_tags = tag_lists.get(tags)
        if found_tags is None:
            found_tags = tag_lists[tags] = tuple(_read_tags(tags))
        found_author = authors.get(author)
        if found_author is None:
            found_author = authors[author] = unescape_inline(author)
        numbers[row_number] = len(entries)
        entries.append(
            EntryRecord(
                at=at, text=unescape_inline(text), tags=list(found_tags), author=found_author
            )
        )


_REF: Final = re.compile(r"AI-([0-9]+)")
_FROM: Final = re.compile(r"entry ([0-9]+)(?:\D.*)?")


def _read_action_items(lines: list[str], start: int) -> list[tuple[int, ActionRecord, int | None]]:
    """The action items, each with its line number and the timeline row it came from."""
    items = []
    for lineno, cells in _table(lines, start, ACTION_COLUMNS, "action items"):
        ref, title, owner, priority, kind, status, due, link, source = cells
        match = _REF.fullmatch(ref)
        if match is None:
            raise _fail(lineno, f"action item ref {ref!r} is not like AI-3")
        due_date = None
        if due not in ("", NO_VALUE):
            try:
                due_date = date.fromisoformat(due)
            except ValueError:
                raise _fail(lineno, f"due date {due!r} is not YYYY-MM-DD") from None
        # Escaped text can start with "<" only as "<br>", which is not a link.
        if link.startswith("<") and link.endswith(">") and SAFE_LINK.fullmatch(link[1:-1]):
            link_value: str | None = link[1:-1]
        else:
            link_value = optional_from_cell(link)
        source_number = None
        if source not in ("", NO_VALUE):
            from_match = _FROM.fullmatch(source)
            if from_match is None:
                raise _fail(lineno, f"the From cell {source!r} is not like 'entry 3'")
            source_number = int(from_match.group(1))
        record = ActionRecord(
            title=unescape_inline(title),
            number=int(match.group(1)),
            owner=optional_from_cell(owner),
            priority=unescape_inline(priority),
            type=unescape_inline(kind),
            status=unescape_inline(status),
            due=due_date,
            link=link_value,
        )
        items.append((lineno, record, source_number))
    return items


_MARKER: Final = re.compile(r"<!-- workbook:(begin|end) ([a-z_]+)(?: (escaped|empty))? -->")


def _read_narrative(lines: list[str], index: int, name: str, mode: str | None) -> tuple[str, int]:
    """The narrative opened on ``lines[index]`` and the index of its end marker."""
    closing = end_marker(name)
    for end in range(index + 1, len(lines)):
        if lines[end] == closing:
            break
        if lines[end].startswith(MARKER_PREFIX):
            raise _fail(
                index + 1, f"the {name} section is not closed before the marker on line {end + 1}"
            )
    else:
        raise _fail(index + 1, f"the {name} section is never closed by {closing}")
    body = lines[index + 1 : end]
    if mode == "escaped":
        return decode_narrative(body), end
    if mode == "empty" and body == [EMPTY_PLACEHOLDER]:
        return "", end
    return "\n".join(body), end


def read_workbook_markdown(text: str) -> IncidentRecord:
    """Read a document written by :func:`exporters.render.markdown.render_markdown`.

    ``fields`` uses the exact Incident attribute names and holds every front matter field
    and every narrative (``""`` when its section is missing); entry times are aware (UTC);
    ``source_entry_index`` points into ``entries``, which are in the document's order.
    Raises :class:`WorkbookFormatError` with a one-line message naming the line.
    """
    with collector_paused():
        return _read(text)


def _read(text: str) -> IncidentRecord:
    # The writer never emits a carriage return, so any here came from line-end conversion.
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    record = IncidentRecord()
    index = _read_front_matter(lines, record) + 1
    narratives: dict[str, str] = {}
    numbers: dict[int, int] = {}
    timeline_line = actions_line = 0
    actions: list[tuple[int, ActionRecord, int | None]] = []
    attached: list[tuple[int, AttachmentRecord, int | None]] = []
    while index < len(lines):
        line = lines[index]
        lineno = index + 1
        if not line.startswith(MARKER_PREFIX):
            index += 1
            continue
        if line == TIMELINE_MARKER:
            if timeline_line:
                raise _fail(lineno, f"a second timeline (the first is on line {timeline_line})")
            timeline_line = lineno
            _read_timeline(lines, index + 1, record, numbers)
        elif line == ACTION_ITEMS_MARKER:
            if actions_line:
                raise _fail(lineno, f"a second action item table (first on line {actions_line})")
            actions_line = lineno
            actions = _read_action_items(lines, index + 1)
        elif line.startswith(ATTACHMENT_MARKER_PREFIX) and line.endswith(" -->"):
            try:
                fields, data, index = read_attachment_block(lines, index)
            except AttachmentBlockError as exc:
                raise _fail(lineno, str(exc)) from exc
            name = str(fields["name"])
            item = AttachmentRecord(
                name=name,
                media_type=str(fields.get("media_type") or ""),
                data=data,
                relative_path=None
                if data is not None
                else attached_file_path(str(record.fields.get("slug") or ""), name),
                sha256=str(fields.get("sha256") or ""),
            )
            attached.append((lineno, item, fields.get("entry")))
        else:
            match = _MARKER.fullmatch(line)
            if match is None or match.group(1) != "begin":
                raise _fail(lineno, f"unexpected workbook marker {line!r}")
            name, mode = match.group(2), match.group(3)
            if name not in NARRATIVE_FIELDS:
                raise _fail(lineno, f"unknown section {name!r}")
            if name in narratives:
                raise _fail(lineno, f"the {name} section appears twice")
            narratives[name], index = _read_narrative(lines, index, name, mode)
        index += 1
    for lineno, item, source_number in actions:
        if source_number is not None:
            if source_number not in numbers:
                raise _fail(lineno, f"entry {source_number} is not in the timeline")
            item.source_entry_index = numbers[source_number]
        record.action_items.append(item)
    for lineno, attachment, entry_number in attached:
        if entry_number is not None:
            if entry_number not in numbers:
                raise _fail(lineno, f"entry {entry_number} is not in the timeline")
            attachment.entry_index = numbers[entry_number]
        record.attachments.append(attachment)
    for name in NARRATIVE_FIELDS:
        record.fields[name] = narratives.get(name, "")
    return record
