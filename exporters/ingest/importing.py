"""``workbook import``: find documents, read each in the right format, store or preview."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from exporters.render.json_view import iso_utc
from models.metrics import IncidentMetrics, compute_metrics
from models.record import IncidentRecord
from models.store import Store
from models.tables import IMPACT_FIELDS, NARRATIVE_FIELDS, Incident, TimelineEntry

SUFFIXES = (".md", ".markdown", ".txt")


class ImportProblem(ValueError):
    pass


@dataclass
class ReadDocument:
    file: Path
    format: str  # "workbook" or "foreign"
    record: IncidentRecord
    stated_duration_minutes: float | None = None
    # "start", "end", "duration" -> where the figure came from (line, text, confidence)
    evidence: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class ImportResult:
    file: Path
    slug: str | None = None
    duration_minutes: float | None = None
    entries: int = 0
    action_items: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    skipped: str | None = None  # why the file was left out, when it was

    def summary_line(self) -> str:
        from models.timeparse import format_duration

        if self.error:
            return f"{self.file}: error: {self.error}"
        if self.skipped:
            return f"{self.slug or self.file}  skipped: {self.skipped}" + (
                f" ({self.file})" if self.slug else ""
            )
        return (
            f"{self.slug}  {format_duration(self.duration_minutes)}  "
            f"{self.entries} entries  {self.action_items} action items  "
            f"{len(self.warnings)} warnings"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "slug": self.slug,
            "duration_minutes": self.duration_minutes,
            "entries": self.entries,
            "action_items": self.action_items,
            "warnings": self.warnings,
            "error": self.error,
            "skipped": self.skipped,
        }


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """The documents named, with folders searched recursively, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            )
        elif path.is_file():
            found.append(path)
        else:
            raise ImportProblem(f"{path} does not exist")
    return list(dict.fromkeys(found))


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Control characters that never appear in text files (tab, line feed, form feed, carriage
# return and escape do).
_BINARY_BYTES = frozenset(range(32)) - {9, 10, 12, 13, 27}


def decode_document(data: bytes) -> str:
    """The text of a document as found in the wild: UTF-8 with or without a BOM, UTF-16 with
    a BOM, else a legacy single-byte file (Windows-1252, a superset of Latin-1 for text).

    Raises ImportProblem, with the reason, for what is not text at all.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ImportProblem(
                    f"it starts with a {encoding.upper()} byte-order mark but is not "
                    f"{encoding.upper()} text (byte {exc.start})"
                ) from exc
    head = data[:65536]
    if b"\x00" in head:
        raise ImportProblem("it is a binary file, not text (it holds NUL bytes)")
    odd = sum(1 for byte in head if byte in _BINARY_BYTES)
    if odd > max(8, len(head) // 100):
        raise ImportProblem(f"it is a binary file, not text ({odd} control bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # the five bytes Windows-1252 leaves undefined


def read_document(path: Path) -> ReadDocument:
    data = path.read_bytes()
    try:
        text = decode_document(data)
    except ImportProblem as exc:
        raise ImportProblem(f"{path} cannot be imported: {exc}") from exc
    document = read_text(text, path)
    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) and not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            document.record.warnings.insert(
                0, "The file is not UTF-8; it was read as Windows-1252 (Latin-1)."
            )
    return document


def read_text(text: str, path: Path) -> ReadDocument:
    from exporters.render.workbook_format import looks_like_workbook, read_workbook_markdown

    if looks_like_workbook(text):
        record = read_workbook_markdown(text)
        _read_attached_files(record, path)
        evidence = {
            role: {
                "line": None,
                "text": "",
                "confidence": "stated",
                "source": f"the workbook's own {name} field",
            }
            for role, name in (("start", "started_at"), ("end", "resolved_at"))
            if record.fields.get(name) is not None
        }
        return ReadDocument(path, "workbook", record, evidence=evidence)
    try:
        from exporters.ingest.foreign.reader import read_foreign_markdown
    except ImportError as exc:  # pragma: no cover - until the foreign reader exists
        raise ImportProblem(f"{path} is not in the workbook's own format") from exc
    result = read_foreign_markdown(text, filename=str(path))
    record = result.record
    record.fields.setdefault("status", "published")
    return ReadDocument(
        path, "foreign", record, result.stated_duration_minutes, evidence=result.evidence
    )


def _read_attached_files(record: IncidentRecord, path: Path) -> None:
    """The files the document links (``SLUG/NAME`` beside it), checked against the
    SHA-256 it states: the export's other half (see exporters.render.attachment_blocks)."""
    import hashlib

    from models.attachments import clean_name

    folder = path.parent.resolve()
    for attachment in record.attachments:
        if attachment.data is not None or attachment.relative_path is None:
            continue
        clean_name(attachment.name)
        file = (folder / attachment.relative_path).resolve()
        if not file.is_relative_to(folder) or not file.is_file():
            raise ImportProblem(
                f"{path} links the attached file {attachment.relative_path}, which is not beside it"
            )
        data = file.read_bytes()
        if attachment.sha256 and hashlib.sha256(data).hexdigest() != attachment.sha256:
            raise ImportProblem(
                f"{path}: the attached file {attachment.relative_path} changed since the export"
            )
        attachment.data = data


ALREADY_THERE = "already in the workbook"
NOT_A_POSTMORTEM = "nothing in it reads as an incident (no times, no action items)"


def is_empty(document: ReadDocument) -> bool:
    """A foreign document with no timeline, no start or end and no action items: a README
    or notes file that happens to sit in the folder, not a postmortem."""
    record = document.record
    return (
        document.format == "foreign"
        and not record.entries
        and not record.action_items
        and record.fields.get("started_at") is None
        and record.fields.get("resolved_at") is None
    )


def record_metrics(record: IncidentRecord, *, now: datetime) -> IncidentMetrics:
    """The metrics a record will have once stored, computed without a database."""
    incident = Incident(
        slug="preview",
        title="preview",
        started_at=record.fields.get("started_at"),
        resolved_at=record.fields.get("resolved_at"),
        users_affected_pct=record.fields.get("users_affected_pct"),
        users_affected=record.fields.get("users_affected"),
        slo_target_pct=record.fields.get("slo_target_pct"),
        slo_window_days=record.fields.get("slo_window_days") or 30,
    )
    entries = [
        TimelineEntry(id=n, incident_id=0, at=e.at, text=e.text, tags=list(e.tags))
        for n, e in enumerate(record.entries, start=1)
    ]
    return compute_metrics(incident, entries, now=now)


def imported_duration(metrics: IncidentMetrics) -> float | None:
    """The duration of an imported incident: none when the document gives no end (an
    imported postmortem is not an incident still running today)."""
    return metrics.duration_minutes if metrics.milestone_times()["resolved_at"] else None


def preview(document: ReadDocument, *, now: datetime) -> dict[str, Any]:
    record, fields = document.record, document.record.fields
    metrics = record_metrics(record, now=now)
    times = metrics.milestone_times()
    return {
        "file": str(document.file),
        "format": document.format,
        "title": fields.get("title"),
        "started_at": iso_utc(times["started_at"]),
        "resolved_at": iso_utc(times["resolved_at"]),
        "timezone": fields.get("timezone"),
        "duration_minutes": imported_duration(metrics),
        "stated_duration_minutes": document.stated_duration_minutes,
        "evidence": {role: document.evidence.get(role) for role in ("start", "end", "duration")},
        "severity": fields.get("severity"),
        "timeline": [
            {"at": iso_utc(e.at), "text": e.text, "tags": list(e.tags)} for e in record.entries
        ],
        "action_items": [
            {"title": a.title, "owner": a.owner, "priority": a.priority, "status": a.status}
            for a in record.action_items
        ],
        "impact": {
            name: fields.get(name)
            for name in IMPACT_FIELDS
            if name
            in (
                "users_affected_pct",
                "users_affected",
                "transactions_lost",
                "revenue_lost",
                "currency",
            )
        },
        "sections": {name: fields[name] for name in NARRATIVE_FIELDS if fields.get(name)},
        "warnings": (
            [f"Not imported: {NOT_A_POSTMORTEM}."]
            if is_empty(document)
            else [*record.warnings, *metrics.warnings]
        ),
    }


def preview_paths(files: Sequence[Path], *, now: datetime | None = None) -> list[dict[str, Any]]:
    moment = now or datetime.now(UTC)
    out = []
    for path in files:
        try:
            out.append(preview(read_document(path), now=moment))
        except (ValueError, OSError) as exc:
            out.append({"file": str(path), "error": str(exc), "warnings": []})
    return out


def preview_line(item: dict[str, Any]) -> str:
    """One line of ``import --dry-run`` for a person."""
    from models.timeparse import format_duration

    if item.get("error"):
        return f"{item['file']}: error: {item['error']}"
    return (
        f"{item['file']}: {item['format']}, {item['title']!r}, "
        f"{format_duration(item['duration_minutes'])}, {len(item['timeline'])} entries, "
        f"{len(item['action_items'])} action items, {len(item['warnings'])} warnings"
    )


_ROLES = (("start", "Start"), ("end", "End"), ("duration", "Duration"))


def explain_lines(item: dict[str, Any]) -> list[str]:
    """``import --explain``: where each of the start, end and duration came from."""
    from models.timeparse import format_duration

    if item.get("error"):
        return [f"{item['file']}: error: {item['error']}"]
    lines = [preview_line(item)]
    values = {
        "start": item.get("started_at"),
        "end": item.get("resolved_at"),
        "duration": format_duration(item.get("duration_minutes")),
    }
    for role, name in _ROLES:
        found = (item.get("evidence") or {}).get(role)
        if not found or values[role] in (None, "", "—"):
            lines.append(f"  {name}: none found")
            continue
        lines.append(f"  {name}: {values[role]}  ({found['confidence']}: {found['source']})")
        if found.get("line") is not None:
            text = found["text"] if len(found["text"]) <= 120 else found["text"][:119] + "…"
            lines.append(f"    line {found['line']}: {text}")
    for warning in item.get("warnings", []):
        lines.append(f"  warning: {warning}")
    return lines


def _identity(title: object, started_at: object) -> tuple[str, str | None]:
    """What makes two incidents the same postmortem: the title and the impact start."""
    start = started_at.astimezone(UTC).isoformat() if isinstance(started_at, datetime) else None
    return (" ".join(str(title or "").split()).casefold(), start)


def import_paths(store: Store, files: Sequence[Path]) -> list[ImportResult]:
    """Store each document as an incident, one transaction per file.

    A document whose incident is already in the workbook (same title, same start) is
    skipped, so importing a folder again after adding to it brings in only the new ones.
    """
    known = {_identity(i.title, i.started_at): i.slug for i in store.list_incidents()}
    results = []
    for path in files:
        try:
            document = read_document(path)
            fields = document.record.fields
            identity = _identity(fields.get("title"), fields.get("started_at"))
            if identity[1] is not None and identity in known:
                results.append(ImportResult(path, slug=known[identity], skipped=ALREADY_THERE))
                continue
            if is_empty(document):
                results.append(ImportResult(path, skipped=NOT_A_POSTMORTEM))
                continue
            # Only a foreign document's figures are a reading that needs checking; the
            # workbook's own format states them.
            evidence = document.evidence if document.format == "foreign" else None
            incident = store.import_record(document.record, evidence=evidence)
        except (ValueError, OSError) as exc:
            results.append(ImportResult(path, error=str(exc)))
            continue
        known[_identity(incident.title, incident.started_at)] = incident.slug
        metrics = record_metrics(document.record, now=store.clock())
        results.append(
            ImportResult(
                path,
                slug=incident.slug,
                duration_minutes=imported_duration(metrics),
                entries=len(document.record.entries),
                action_items=len(document.record.action_items),
                warnings=[*document.record.warnings, *metrics.warnings],
            )
        )
    return results
