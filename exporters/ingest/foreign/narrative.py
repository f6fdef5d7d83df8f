"""Titles and narrative sections of a foreign postmortem.

The title is the front matter's, else the first heading that is not generic (``README``,
``0x19. Postmortem``), else a short first line that is not generic, else a ``Title:`` or
``Incident:`` field, else a generic heading or first line, else the file name or the
summary's first sentence. Narrative fields are the document's own Markdown, cut out by section.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from exporters.ingest.foreign.sections import (
    GENERIC_TITLE_RE,
    Document,
    Unit,
    heading_words,
    split_label,
)

# --------------------------------------------------------------------------- titles

_META_LABELS = frozenset(
    {
        "status",
        "owner",
        "owners",
        "author",
        "authors",
        "date",
        "severity",
        "created",
        "updated",
        "version",
        "tags",
        "category",
        "type",
        "id",
        "draft",
        "reviewers",
        "layout",
    }
)
_TITLE_LABEL_RE = re.compile(r"^(?:incident |outage )?(?:title|name)$", re.IGNORECASE)
URL_RE = re.compile(r"\]\([^)\s]{0,500}\)|https?://\S+")


def clean_title(text: str) -> str:
    text = re.sub(r"^#+\s*", "", text.strip())
    words = heading_words(text)
    return words.strip(" -:") if words else ""


def title_from_filename(filename: str) -> str | None:
    if not filename:
        return None
    stem = PurePath(filename).stem
    words = " ".join(re.sub(r"[_\-]+", " ", stem).split())
    if not re.search(r"[A-Za-z]{3}", words) or GENERIC_TITLE_RE.match(words):
        return None
    if re.fullmatch(r"[0-9a-f ]+", words):
        return None
    return words


_TITLE_FIELD_RE = re.compile(
    r"^(?:(?:incident|outage|event) )?(?:title|name)$|^(?:incident|outage|subject|event)$",
    re.IGNORECASE,
)


def _title_field(doc: Document) -> str | None:
    """``Incident: Orders stuck in picking`` or ``| Title | ... |`` near the top."""
    for unit in doc.units[:15]:
        if unit.kind == "row" and not unit.header:
            cells = [c for c in unit.cells if c.strip()]
            pair = (cells[0], " ".join(cells[1:])) if len(cells) >= 2 else None
        elif unit.kind == "line":
            pair = split_label(unit.text)
        else:
            continue
        if pair is not None and pair[1] and _TITLE_FIELD_RE.match(heading_words(pair[0])):
            cleaned = clean_title(pair[1])
            if cleaned:
                return cleaned
    return None


def choose_title(doc: Document, filename: str) -> str:
    fm_title = doc.front_matter.get("title", "").strip()
    if fm_title:
        return fm_title
    title_headings = [u for u in doc.units if u.kind == "heading" and u.section == "title"]
    for index, unit in enumerate(doc.units[:3]):
        # "# Incident Title" with the title itself in the line below
        if unit.kind == "heading" and _TITLE_LABEL_RE.match(heading_words(unit.text)):
            following = doc.units[index + 1] if index + 1 < len(doc.units) else None
            if following is not None and following.kind == "line" and len(following.text) < 150:
                cleaned = clean_title(following.text)
                if cleaned:
                    return cleaned
    for unit in title_headings:
        cleaned = clean_title(unit.text)
        if cleaned and not GENERIC_TITLE_RE.match(cleaned):
            return cleaned
    first = doc.units[0] if doc.units else None
    if first is not None and first.kind == "line" and len(first.text) <= 150:
        label = split_label(first.text)
        meta = label is not None and heading_words(label[0]).lower() in _META_LABELS
        cleaned = clean_title(first.text)
        if (
            cleaned
            and not meta
            and not first.text.rstrip().endswith(".")
            and not GENERIC_TITLE_RE.match(cleaned)
        ):
            return cleaned
    from_field = _title_field(doc)
    if from_field:
        return from_field
    if first is not None and first.kind == "line" and first.pseudo:
        cleaned = clean_title(first.text)
        if cleaned:
            return cleaned  # "INCIDENT REPORT": generic, but what the writer put on top
    for unit in title_headings:
        cleaned = clean_title(unit.text)
        if cleaned:
            return cleaned
    from_file = title_from_filename(filename)
    if from_file:
        return from_file
    for sections in (("summary",), ("preamble", "title", "impact", "keyinfo")):
        for unit in doc.units:
            if unit.kind != "line" or unit.section not in sections or unit.pseudo:
                continue
            line = URL_RE.sub("", unit.text)
            label = split_label(line)
            if label is not None:
                if heading_words(label[0]).lower() in _META_LABELS or not label[1]:
                    continue
                line = label[1]
            sentence = re.split(r"(?<=[.!?])\s", line)[0].strip(" .*_#")
            if len(sentence) >= 8:
                return sentence if len(sentence) <= 80 else sentence[:79].rstrip() + "…"
    return "Imported incident"


# --------------------------------------------------------------------------- narrative

_FIELD_FOR_SECTION = {
    "summary": "summary",
    "impact": "impact_narrative",
    "root_cause": "root_cause",
    "trigger": "trigger",
    "resolution": "resolution",
    "detection": "detection",
    "went_well": "went_well",
    "went_wrong": "went_wrong",
    "got_lucky": "got_lucky",
    "supporting": "supporting_info",
    "lessons": "supporting_info",
}
_LABEL_PREFIX_RE = re.compile(r"^(\s*(?:[-*+]\s+)?)(?:\*\*|__)[^*_]{1,80}?(?:\*\*|__)\s*:?\s*")


def _unit_lines(unit: Unit, total: int) -> list[int]:
    if unit.kind == "code":
        return list(range(unit.line, min(max(unit.end_line, unit.line + 1), total)))
    if unit.kind == "row" and unit.header:
        return [unit.line, unit.line + 1]
    return [unit.line]


def narratives(doc: Document) -> dict[str, str]:
    lines_for: dict[str, dict[int, str]] = {}
    total = len(doc.source_lines)
    for unit in doc.units:
        if unit.pseudo or (unit.kind == "heading" and not unit.heading_item):
            continue
        section = unit.section
        if section in ("preamble", "title"):
            section = "preamble"
        name = _FIELD_FOR_SECTION.get(section, "preamble" if section == "preamble" else None)
        if name is None:
            continue
        bucket = lines_for.setdefault(name, {})
        for number in _unit_lines(unit, total):
            if 0 <= number < total and number not in bucket:
                raw = doc.source_lines[number]
                if unit.labelled and number == unit.line:
                    raw = _LABEL_PREFIX_RE.sub(r"\1", raw, count=1)
                bucket[number] = raw
    out: dict[str, str] = {}
    for name, bucket in lines_for.items():
        pieces: list[str] = []
        previous = None
        for number in sorted(bucket):
            if previous is not None and number > previous + 1 and pieces and pieces[-1] != "":
                pieces.append("")
            pieces.append(bucket[number].rstrip())
            previous = number
        text = "\n".join(pieces).strip()
        if text:
            out[name] = text
    return out
