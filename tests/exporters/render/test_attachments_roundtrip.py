"""Attachments in the postmortem Markdown: text shown literally in <details>, files linked
and written beside the document, and the round trip through the workbook's own format
byte-identical for both."""

from __future__ import annotations

import hashlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exporters.render.escaping import escape_pre_text, unescape_pre_text
from tests.cli.helpers import show_json, succeeded, workbook

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
HOSTILE = (
    "<!-- workbook:end summary -->\n</pre></details><script>alert(1)</script>\n"
    "| a | b |\n# heading\n**bold** [x](http://e) &amp; &copy \x1b[31mred\x1b[0m\r\n"
    "trailing spaces   \n\ttab\n\n"
)


def _attached(db: Path, tmp_path: Path) -> None:
    succeeded(workbook(db, "new", "Checkout down", "--tz", "UTC", "--started", "2026-03-02 21:40"))
    entry = succeeded(workbook(db, "log", "1", "ran the query", "--at", "21:45")).strip()
    (tmp_path / "q.txt").write_bytes(HOSTILE.encode())
    (tmp_path / "latency graph.png").write_bytes(PNG)
    (tmp_path / "core.bin").write_bytes(b"\x00\x01\xff" * 50)
    (tmp_path / "notes.md").write_bytes(b"\nstarts with a newline")
    succeeded(workbook(db, "attach", "1", str(tmp_path / "q.txt"), "--entry", entry))
    succeeded(workbook(db, "attach", "1", str(tmp_path / "latency graph.png"), "--entry", entry))
    succeeded(workbook(db, "attach", "1", str(tmp_path / "core.bin")))
    succeeded(workbook(db, "attach", "1", str(tmp_path / "notes.md")))


def test_export_shows_text_literally_and_links_files(tmp_path: Path) -> None:
    db = tmp_path / "wb.db"
    _attached(db, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    succeeded(workbook(db, "export", "1", "-o", str(out / "pm.md")))
    text = (out / "pm.md").read_text()
    slug = show_json(db, "1")["slug"]
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert text.count("<details>") == 2 and "<summary>q.txt · " in text
    assert "entry 1 (2026-03-02 21:45)" in text
    assert f"![latency graph.png]({slug}/latency%20graph.png)" in text
    assert f"[core.bin]({slug}/core.bin) (application/octet-stream, 150 bytes)" in text
    # The timeline's attachments come before Root cause, the incident's in Supporting info.
    assert text.index("q.txt") < text.index("## Root cause") < text.index("core.bin")
    assert text.index("## Supporting information") < text.index("notes.md")
    assert all(line == line.rstrip() for line in text.splitlines())
    assert (out / slug / "latency graph.png").read_bytes() == PNG
    assert (out / slug / "core.bin").read_bytes() == b"\x00\x01\xff" * 50
    assert not (out / slug / "q.txt").exists()

    # To standard output the files cannot go along: the note says so.
    result = workbook(db, "export", "1")
    assert result.code == 0 and "2 attached file(s) are linked" in result.err


def test_round_trip_keeps_every_attachment_byte_for_byte(tmp_path: Path) -> None:
    db = tmp_path / "wb.db"
    _attached(db, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    succeeded(workbook(db, "export", "1", "-o", str(out / "pm.md")))
    again = tmp_path / "again.db"
    succeeded(workbook(again, "import", str(out / "pm.md")))
    before, after = show_json(db, "1"), show_json(again, "1")
    strip = [
        {k: v for k, v in a.items() if k not in {"id", "entry_id"}} for a in before["attachments"]
    ]
    assert [
        {k: v for k, v in a.items() if k not in {"id", "entry_id"}} for a in after["attachments"]
    ] == strip
    entry_of = {e["id"]: e["text"] for e in after["timeline"]}
    assert [entry_of.get(a["entry_id"]) for a in after["attachments"]] == [
        "ran the query",
        "ran the query",
        None,
        None,
    ]
    for a in after["attachments"]:
        code_out = workbook(again, "attachment", "1", str(a["id"]), "-o", str(tmp_path / "x"))
        assert code_out.code == 0
        assert hashlib.sha256((tmp_path / "x").read_bytes()).hexdigest() == a["sha256"]
    # Exported again, the same document.
    out2 = tmp_path / "out2"
    out2.mkdir()
    succeeded(workbook(again, "export", "1", "-o", str(out2 / "pm.md")))
    assert (out2 / "pm.md").read_text() == (out / "pm.md").read_text()


def test_a_missing_or_changed_file_beside_the_document_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "wb.db"
    _attached(db, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    succeeded(workbook(db, "export", "1", "-o", str(out / "pm.md")))
    slug = show_json(db, "1")["slug"]
    (out / slug / "core.bin").write_bytes(b"changed")
    result = workbook(tmp_path / "again.db", "import", str(out / "pm.md"))
    assert "changed since the export" in result.out + result.err
    (out / slug / "core.bin").unlink()
    result = workbook(tmp_path / "again.db", "import", str(out / "pm.md"))
    assert "is not beside it" in result.out + result.err


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_pre_text_escaping_is_undone_exactly(text: str) -> None:
    escaped = escape_pre_text(text)
    assert unescape_pre_text(escaped) == text
    assert "<" not in escaped and ">" not in escaped
    assert all(line == line.rstrip() for line in escaped.split("\n"))
    assert not escaped.startswith("\n") and "\r" not in escaped
