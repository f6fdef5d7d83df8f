"""Attachments in the postmortem Markdown, and the reader's side of them.

Each attachment is one ``<!-- workbook:attachment {JSON} -->`` marker line (name, the
timeline ``#`` of its entry or null, media type, size, SHA-256, whether it is text), then:

* a **text** attachment: a collapsible ``<details>`` block whose ``<pre>`` holds the text
  escaped by :func:`exporters.render.escaping.escape_pre_text`: shown literally on GitHub,
  never read as Markdown or HTML, and read back byte for byte;
* any **other file**: a link to ``SLUG/NAME`` (an image as an image). The file itself is
  written next to the document (``postmortems/SLUG/NAME`` when published, ``DIR/SLUG/NAME``
  for ``export -o DIR/FILE.md``), and the import reads it back from there, checking its
  SHA-256. Binary files stay out of the document so that a reviewer reads a postmortem,
  not base64.

Entry attachments follow the timeline table, in timeline order; the incident's own are in
Supporting information.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final
from urllib.parse import quote

from exporters.render.escaping import escape_inline, escape_pre_text, unescape_pre_text
from models.attachments import AttachmentInfo, format_size

ATTACHMENT_MARKER_PREFIX: Final = "<!-- workbook:attachment "
ATTACHMENT_MARKER_SUFFIX: Final = " -->"
_MAX_MARKER_TO_PRE: Final = 4  # lines between a marker and its <pre>


def _json_in_comment(data: dict[str, Any]) -> str:
    # ASCII JSON with the characters an HTML comment or Markdown could misread as \u escapes,
    # which mean the same characters to any JSON reader.
    text = json.dumps(data, ensure_ascii=True, separators=(", ", ": "))
    for ch in "<>&-":
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text


def attachment_marker(info: AttachmentInfo, entry_number: int | None) -> str:
    data = {
        "name": info.name,
        "entry": entry_number,
        "media_type": info.media_type,
        "bytes": info.bytes,
        "sha256": info.sha256,
        "text": info.is_text,
    }
    return f"{ATTACHMENT_MARKER_PREFIX}{_json_in_comment(data)}{ATTACHMENT_MARKER_SUFFIX}"


def attached_file_path(slug: str, name: str) -> str:
    """Where a non-text attachment lives, relative to the document's folder."""
    return f"{slug}/{name}"


def attachment_lines(
    info: AttachmentInfo, data: bytes | None, *, slug: str, entry: tuple[int, str] | None
) -> list[str]:
    """The marker and what a reader sees of one attachment; ``entry``: its number and label."""
    lines = [attachment_marker(info, entry[0] if entry else None)]
    where = f" · {escape_pre_text(entry[1])}" if entry else ""
    if info.is_text and data is not None:
        text = data.decode("utf-8")
        summary = f"{escape_pre_text(info.name)} · {format_size(info.bytes)}{where}"
        body = f"<pre>{escape_pre_text(text)}</pre>".split("\n")
        return [*lines, "<details>", f"<summary>{summary}</summary>", "", *body, "", "</details>"]
    url = quote(attached_file_path(slug, info.name))
    label = escape_inline(info.name)
    if info.is_image:
        return [*lines, f"![{label}]({url})"]
    detail = escape_inline(f"{info.media_type}, {format_size(info.bytes)}")
    return [*lines, f"[{label}]({url}) ({detail})"]


def attachment_blocks(
    attachments: Sequence[tuple[AttachmentInfo, bytes | None]],
    *,
    slug: str,
    labels: dict[int, tuple[int, str]],
    on_entries: bool,
) -> list[str]:
    """The blocks of the attachments on live entries (``on_entries``) or on the incident,
    each followed by a blank line; ``labels`` maps an entry id to its timeline number and
    label (``entry 3 (21:45)``)."""
    chosen = [
        (info, data)
        for info, data in attachments
        if (info.entry_id is not None and info.entry_id in labels) == on_entries
    ]
    if on_entries:
        chosen.sort(key=lambda pair: (labels[pair[0].entry_id or 0][0], pair[0].id))
    out: list[str] = []
    for info, data in chosen:
        entry = labels.get(info.entry_id) if info.entry_id is not None else None
        out += [*attachment_lines(info, data, slug=slug, entry=entry), ""]
    return out


class AttachmentBlockError(ValueError):
    pass


def read_attachment_block(lines: list[str], index: int) -> tuple[dict[str, Any], bytes | None, int]:
    """The marker's fields, the text's bytes (None for a file next to the document), and
    the index of the block's last line. Raises AttachmentBlockError naming what is wrong."""
    line = lines[index]
    raw = line[len(ATTACHMENT_MARKER_PREFIX) : -len(ATTACHMENT_MARKER_SUFFIX)]
    try:
        fields = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise AttachmentBlockError(f"an attachment marker that is not JSON ({exc.msg})") from exc
    if not isinstance(fields, dict) or not isinstance(fields.get("name"), str):
        raise AttachmentBlockError("an attachment marker without a name")
    entry = fields.get("entry")
    if entry is not None and (not isinstance(entry, int) or isinstance(entry, bool)):
        raise AttachmentBlockError("an attachment marker whose entry is not a number")
    if not fields.get("text"):
        return fields, None, index
    start = next(
        (
            i
            for i in range(index + 1, min(len(lines), index + 1 + _MAX_MARKER_TO_PRE))
            if lines[i].startswith("<pre>")
        ),
        None,
    )
    if start is None:
        raise AttachmentBlockError(f"the text of attachment {fields['name']!r} is missing")
    end = next((i for i in range(start, len(lines)) if lines[i].endswith("</pre>")), None)
    if end is None:
        raise AttachmentBlockError(f"the text of attachment {fields['name']!r} has no end")
    body = "\n".join(lines[start : end + 1])[len("<pre>") : -len("</pre>")]
    return fields, unescape_pre_text(body).encode("utf-8"), end
