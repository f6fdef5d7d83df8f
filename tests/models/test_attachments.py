"""Attachments: stored byte for byte on SQLite and PostgreSQL, with an entry in one
transaction, refused past the limit with nothing written, and built by migration 0008
exactly as the code declares them."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.attachments import (
    AttachmentError,
    AttachmentNotFound,
    AttachmentTooLarge,
    add_attachment,
    clean_name,
    guess_media_type,
    insert_attachment,
    is_textual,
    list_attachments,
    parse_size,
    read_attachment,
)
from models.db import open_database
from models.sessions import write_connection, writing
from models.store import Store
from models.tables import TimelineEntry

WHEN = datetime(2026, 3, 2, 23, 55, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


def test_attachments_are_kept_byte_for_byte(backend: str) -> None:
    engine = open_database(backend)
    store = Store(engine, clock=lambda: WHEN)
    incident = store.create_incident("Checkout down", timezone="UTC")
    other = store.create_incident("Search slow", timezone="UTC")
    assert incident.id is not None and other.id is not None
    entry = store.log_entry(incident.id, "ran the query", at=WHEN)
    assert entry.id is not None

    log = b"12:00 error: pool exhausted\n<b>[red]not markup[/red]</b>\n"
    text = add_attachment(
        engine, incident_id=incident.id, entry_id=entry.id, name="db.log", data=log
    )
    image = add_attachment(engine, incident_id=incident.id, entry_id=None, name="g.png", data=PNG)
    again = add_attachment(engine, incident_id=incident.id, entry_id=None, name="g.png", data=b"x")

    assert (text.name, text.entry_id, text.is_text, text.bytes) == (
        "db.log",
        entry.id,
        True,
        len(log),
    )
    assert text.sha256 == hashlib.sha256(log).hexdigest()
    assert (image.media_type, image.is_text, image.is_image) == ("image/png", False, True)
    assert again.name == "g-2.png"
    assert [a.id for a in list_attachments(engine, incident.id)] == [text.id, image.id, again.id]
    assert list_attachments(engine, other.id) == []
    assert text.as_json() == {
        "id": text.id,
        "entry_id": entry.id,
        "name": "db.log",
        "media_type": text.media_type,
        "bytes": len(log),
        "sha256": hashlib.sha256(log).hexdigest(),
    }

    meta, data = read_attachment(engine, incident.id, image.id)
    assert data == PNG and meta == image
    with pytest.raises(AttachmentNotFound):
        read_attachment(engine, other.id, image.id)
    assert [a.name for a in store.snapshot(incident.id).attachments] == [
        "db.log",
        "g.png",
        "g-2.png",
    ]

    # An entry and its attachment in one transaction: both or neither.
    with pytest.raises(RuntimeError), writing(engine) as session:
        row = TimelineEntry(incident_id=incident.id, at=WHEN, text="kubectl get pods")
        session.add(row)
        session.flush()
        assert row.id is not None
        insert_attachment(
            session, incident_id=incident.id, entry_id=row.id, name="out.txt", data=b"pods"
        )
        raise RuntimeError("the command's logging failed")
    assert len(list_attachments(engine, incident.id)) == 3
    with write_connection(engine) as conn:
        insert_attachment(
            conn, incident_id=incident.id, entry_id=None, name="out.txt", data=b"ok\n"
        )
    assert len(list_attachments(engine, incident.id)) == 4


def test_too_large_or_badly_named_or_misplaced_writes_nothing(backend: str) -> None:
    engine = open_database(backend)
    store = Store(engine, clock=lambda: WHEN)
    incident = store.create_incident("Checkout down", timezone="UTC")
    other = store.create_incident("Search slow", timezone="UTC")
    assert incident.id is not None and other.id is not None
    elsewhere = store.log_entry(other.id, "elsewhere", at=WHEN)
    with pytest.raises(AttachmentTooLarge, match="over the attachment limit of 1 KiB"):
        add_attachment(
            engine, incident_id=incident.id, entry_id=None, name="big", data=b"x" * 1025, limit=1024
        )
    with pytest.raises(AttachmentError, match="not a path"):
        add_attachment(engine, incident_id=incident.id, entry_id=None, name="../x", data=b"x")
    with pytest.raises(AttachmentError, match="no entry"):
        add_attachment(
            engine, incident_id=incident.id, entry_id=elsewhere.id, name="x.txt", data=b"x"
        )
    assert list_attachments(engine, incident.id) == []


def test_media_types_and_text() -> None:
    assert guess_media_type("graph.png", b"\x89PNG") == "image/png"
    assert guess_media_type("dump", b"plain words\n") == "text/plain"
    assert guess_media_type("core", b"\x00\x01\x02") == "application/octet-stream"
    assert guess_media_type("x.log.gz", b"abc") == "application/octet-stream"
    assert is_textual("application/json", b'{"a": 1}')
    assert not is_textual("text/plain", b"\xff\xfe latin")
    assert not is_textual("image/svg+xml", b"<svg/>")
    assert parse_size("10MiB") == 10 * 1024 * 1024
    assert parse_size("512 KiB") == 512 * 1024
    assert parse_size(2048) == 2048
    with pytest.raises(ValueError):
        parse_size("lots")


@given(st.text(min_size=1, max_size=40))
def test_a_clean_name_is_a_plain_file_name(name: str) -> None:
    try:
        cleaned = clean_name(name)
    except AttachmentError:
        return
    assert "/" not in cleaned and "\\" not in cleaned and cleaned not in {".", ".."}
    assert not cleaned.startswith(".")
    assert all(ord(ch) >= 32 and ord(ch) != 127 for ch in cleaned)
