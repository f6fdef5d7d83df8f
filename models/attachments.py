"""Attachments: files kept with an incident or with one of its entries, in the database.

A log excerpt, a query result, a PNG of a graph copied to the jump host: the bytes are
stored as given (``LargeBinary`` on both backends), with the name they are published
under, a media type, the size and a SHA-256, so the postmortem and its round trip can
carry them unchanged.

Two ways in, one insert: :func:`add_attachment` opens its own write transaction;
:func:`insert_attachment` writes inside a transaction the caller already holds (a Session
from ``writing`` or a Connection from ``write_connection``), so an entry and what it
printed are written together or not at all.

Names are plain file names (they become ``postmortems/<slug>/NAME`` when published) and
unique within an incident: a second ``graph.png`` is stored as ``graph-2.png``.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    LargeBinary,
    UniqueConstraint,
    insert,
    select,
)
from sqlmodel import Field, Session, SQLModel

from models.sessions import reading, writing
from models.tables import TimelineEntry
from models.timeparse import utc_now
from models.types import UTCDateTime

DEFAULT_LIMIT = 10 * 1024 * 1024
MAX_NAME_LENGTH = 200
TEXT_MEDIA_TYPE = "text/plain"
BINARY_MEDIA_TYPE = "application/octet-stream"
# Media types outside text/* whose content is text to read, not a file to open.
_TEXTUAL_APPLICATION_TYPES = frozenset(
    {
        "application/json",
        "application/xml",
        "application/x-sh",
        "application/x-yaml",
        "application/yaml",
        "application/toml",
        "application/sql",
        "application/javascript",
        "application/x-ndjson",
    }
)


class Attachment(SQLModel, table=True):
    __tablename__ = "attachment"
    __table_args__ = (UniqueConstraint("incident_id", "name", name="uq_attachment_name"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True, ondelete="CASCADE")
    entry_id: int | None = Field(
        default=None, foreign_key="timeline_entry.id", index=True, ondelete="CASCADE"
    )
    name: str
    media_type: str = BINARY_MEDIA_TYPE
    is_text: bool = False
    size: int = 0
    sha256: str = ""
    author: str = ""
    data: bytes = Field(default=b"", sa_column=Column(LargeBinary(), nullable=False))
    created_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(UTCDateTime(), nullable=False)
    )


class AttachmentError(ValueError):
    """An attachment that cannot be stored or found; the message is one line for the user."""


class AttachmentTooLarge(AttachmentError):
    def __init__(self, name: str, size: int, limit: int) -> None:
        super().__init__(
            f"{name} is {format_size(size)}, over the attachment limit of {format_size(limit)}"
            " (setting attachment_limit)"
        )
        self.size = size
        self.limit = limit


class AttachmentNotFound(AttachmentError):
    pass


@dataclass(frozen=True)
class AttachmentInfo:
    """What is known of an attachment without its bytes."""

    id: int
    incident_id: int
    entry_id: int | None
    name: str
    media_type: str
    is_text: bool
    bytes: int
    sha256: str
    author: str
    created_at: datetime

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")

    def as_json(self) -> dict[str, Any]:
        """The fields ``show --json`` lists, and only those."""
        return {
            "id": self.id,
            "entry_id": self.entry_id,
            "name": self.name,
            "media_type": self.media_type,
            "bytes": self.bytes,
            "sha256": self.sha256,
        }


def format_size(size: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes" if size != 1 else "1 byte"


def parse_size(value: Any) -> int:
    """A size in bytes from a number or text such as ``10MiB``, ``512 KiB``, ``2M``, ``1G``."""
    if isinstance(value, bool):
        raise ValueError("expected a size such as 10MiB")
    if isinstance(value, int):
        number, scale = value, 1
    else:
        text = str(value).strip().replace(" ", "")
        lowered = text.lower()
        scale = 1
        for suffixes, factor in (
            (("gib", "gb", "g"), 1 << 30),
            (("mib", "mb", "m"), 1 << 20),
            (("kib", "kb", "k"), 1 << 10),
            (("bytes", "b"), 1),
        ):
            suffix = next((s for s in suffixes if lowered.endswith(s)), None)
            if suffix is not None:
                lowered = lowered[: -len(suffix)]
                scale = factor
                break
        if not lowered.isdigit():
            raise ValueError(f"expected a size such as 10MiB, not {text!r}")
        number = int(lowered)
    if number <= 0:
        raise ValueError("expected a size above zero")
    return number * scale


def clean_name(name: str) -> str:
    """The name as published next to the postmortem, or an AttachmentError saying why not."""
    cleaned = name.strip()
    if not cleaned or cleaned in {".", ".."}:
        raise AttachmentError("an attachment needs a file name (--name NAME)")
    if "/" in cleaned or "\\" in cleaned:
        raise AttachmentError(f"attachment name {name!r} must be a file name, not a path")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in cleaned):
        raise AttachmentError(f"attachment name {name!r} holds control characters")
    if cleaned.startswith("."):
        raise AttachmentError(f"attachment name {name!r} must not start with a dot")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise AttachmentError(f"attachment name is longer than {MAX_NAME_LENGTH} characters")
    return cleaned


def looks_like_text(data: bytes) -> bool:
    """UTF-8 without NUL bytes or other control characters than tabs, newlines and ESC."""
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f\x1b")
    return controls <= max(1, len(text) // 1000)


def guess_media_type(name: str, data: bytes) -> str:
    """From the name's extension, else from the content: text or an opaque file."""
    guessed, encoding = mimetypes.guess_type(name, strict=False)
    if guessed and not encoding:
        return guessed
    if encoding:  # .gz, .bz2: a compressed file whatever it holds
        return BINARY_MEDIA_TYPE
    return TEXT_MEDIA_TYPE if looks_like_text(data) else BINARY_MEDIA_TYPE


def is_textual(media_type: str, data: bytes) -> bool:
    """Shown as text (read, scanned for secrets, quoted in the postmortem), or kept as a file."""
    base = media_type.split(";", 1)[0].strip().lower()
    if base.startswith(("image/", "audio/", "video/", "font/")):
        return False
    textual_type = (
        base.startswith("text/")
        or base in _TEXTUAL_APPLICATION_TYPES
        or base.endswith(("+json", "+xml"))
        or base == BINARY_MEDIA_TYPE
    )
    return textual_type and looks_like_text(data)


def _unique_name(taken: set[str], name: str) -> str:
    if name not in taken:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, dot, ext = name, "", ""
    number = 2
    while True:
        candidate = f"{stem}-{number}{dot}{ext}"
        if candidate not in taken:
            return candidate
        number += 1


def insert_attachment(
    tx: Session | Connection,
    *,
    incident_id: int,
    entry_id: int | None,
    name: str,
    data: bytes,
    media_type: str | None = None,
    author: str = "",
    limit: int = DEFAULT_LIMIT,
    created_at: datetime | None = None,
) -> AttachmentInfo:
    """Store an attachment inside the caller's write transaction (see the module docstring).

    Raises AttachmentTooLarge past ``limit`` and AttachmentError for a bad name or an entry
    of another incident, before anything is written.
    """
    conn = tx.connection() if isinstance(tx, Session) else tx
    name = clean_name(name)
    if len(data) > limit:
        raise AttachmentTooLarge(name, len(data), limit)
    if entry_id is not None:
        owner = conn.execute(
            select(TimelineEntry.__table__.c.incident_id).where(  # type: ignore[attr-defined]
                TimelineEntry.__table__.c.id == entry_id  # type: ignore[attr-defined]
            )
        ).scalar_one_or_none()
        if owner != incident_id:
            raise AttachmentError(f"no entry {entry_id} in this incident")
    table = Attachment.__table__  # type: ignore[attr-defined]
    taken = set(
        conn.execute(select(table.c.name).where(table.c.incident_id == incident_id)).scalars()
    )
    name = _unique_name(taken, name)
    kind = (media_type or "").strip() or guess_media_type(name, data)
    values = {
        "incident_id": incident_id,
        "entry_id": entry_id,
        "name": name,
        "media_type": kind,
        "is_text": is_textual(kind, data),
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "author": author,
        "data": data,
        "created_at": created_at or utc_now(),
    }
    new_id = conn.execute(insert(table).values(**values)).inserted_primary_key[0]  # type: ignore[index]
    return _info({"id": new_id, **values})


def add_attachment(
    engine: Engine,
    *,
    incident_id: int,
    entry_id: int | None,
    name: str,
    data: bytes,
    media_type: str | None = None,
    author: str = "",
    limit: int = DEFAULT_LIMIT,
) -> AttachmentInfo:
    """Store an attachment in a write transaction of its own."""
    if len(data) > limit:  # refuse before asking for the write lock
        raise AttachmentTooLarge(clean_name(name), len(data), limit)
    with writing(engine) as session:
        return insert_attachment(
            session,
            incident_id=incident_id,
            entry_id=entry_id,
            name=name,
            data=data,
            media_type=media_type,
            author=author,
            limit=limit,
        )


_META_COLUMNS = (
    "id",
    "incident_id",
    "entry_id",
    "name",
    "media_type",
    "is_text",
    "size",
    "sha256",
    "author",
    "created_at",
)


def _info(row: Any) -> AttachmentInfo:
    values = dict(row)
    return AttachmentInfo(
        id=values["id"],
        incident_id=values["incident_id"],
        entry_id=values["entry_id"],
        name=values["name"],
        media_type=values["media_type"],
        is_text=bool(values["is_text"]),
        bytes=values["size"],
        sha256=values["sha256"],
        author=values["author"],
        created_at=values["created_at"],
    )


def _meta_select() -> Any:
    table = Attachment.__table__  # type: ignore[attr-defined]
    return select(*(table.c[name] for name in _META_COLUMNS))


def list_attachments(engine: Engine, incident_id: int) -> list[AttachmentInfo]:
    """The incident's attachments without their bytes, in the order they were added."""
    with reading(engine) as session:
        return attachments_in(session, incident_id)


def attachments_in(session: Session, incident_id: int) -> list[AttachmentInfo]:
    table = Attachment.__table__  # type: ignore[attr-defined]
    rows = session.connection().execute(
        _meta_select().where(table.c.incident_id == incident_id).order_by(table.c.id)
    )
    return [_info(row._mapping) for row in rows]


def read_attachment(
    engine: Engine, incident_id: int, attachment_id: int
) -> tuple[AttachmentInfo, bytes]:
    """One attachment and its bytes; AttachmentNotFound if the incident has no such one."""
    table = Attachment.__table__  # type: ignore[attr-defined]
    with reading(engine) as session:
        row = (
            session.connection()
            .execute(
                _meta_select()
                .add_columns(table.c.data)
                .where(table.c.incident_id == incident_id, table.c.id == attachment_id)
            )
            .one_or_none()
        )
    if row is None:
        raise AttachmentNotFound(f"no attachment {attachment_id} in this incident")
    return _info(row._mapping), bytes(row._mapping["data"])


def read_attachment_data(
    engine: Engine, incident_id: int, *, text_only: bool = False
) -> list[tuple[AttachmentInfo, bytes]]:
    """Every attachment of the incident with its bytes (the export's and the scanner's view)."""
    table = Attachment.__table__  # type: ignore[attr-defined]
    query = _meta_select().add_columns(table.c.data).where(table.c.incident_id == incident_id)
    if text_only:
        query = query.where(table.c.is_text.is_(True))
    with reading(engine) as session:
        rows = session.connection().execute(query.order_by(table.c.id)).all()
    return [(_info(row._mapping), bytes(row._mapping["data"])) for row in rows]
