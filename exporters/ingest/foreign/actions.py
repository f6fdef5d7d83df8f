"""Action items of a foreign postmortem: lists, checklists, tables, headings, paragraphs.

Only leaf items count: a numbered item whose children are bullets stands for its children.
Within one group (the units under one heading) items written as list items, table rows,
checklist lines or ``-dash`` lines win; plain paragraphs count only when a group has nothing
else, and then introductions (``...the following:``) and sign-offs are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from exporters.ingest.foreign.sections import (
    STATUS_LINE_RE,
    Document,
    Unit,
    heading_words,
    split_label,
)
from exporters.ingest.foreign.timeline import is_placeholder
from models.record import ActionRecord

_PSEUDO_BULLET_RE = re.compile(r"^\s*(?:[-*•·▪‣–—]\s*|\[[ xX✓✔]\]\s+)(?=\S)")
_INTRO_RE = re.compile(
    r"^(?:the following|following|to prevent|to address|to avoid|by (?:implementing|addressing)"
    r"|we appreciate|in conclusion|conclusion|overall|in summary|to summari[sz]e|sincerely"
    r"|thanks|thank you|regards|best regards|cheers|these are|below (?:are|is)|here (?:are|is)"
    r"|we(?:'ve| have) (?:conducted|identified the following)|note:)",
    re.IGNORECASE,
)
_PRIORITY_MARK_RE = re.compile(
    r"[\[(]\s*(?P<a>high|medium|med|low|critical|urgent|p[0-4])(?:\s+priority)?\s*[\])]\s*:?"
    r"|\bpriority\s*[:=]\s*(?P<b>high|medium|low|critical|p[0-4])\b"
    r"|^(?P<c>p[0-4])\b\s*[:\-–—]?\s*"
    r"|\b(?P<d>high|medium|low)[- ]priority\b"
    r"|(?<![\w-])(?P<e>P[0-4])\b",
    re.IGNORECASE,
)
_PRIORITY_WORDS = {
    "high": "high",
    "critical": "high",
    "urgent": "high",
    "p0": "high",
    "p1": "high",
    "medium": "medium",
    "med": "medium",
    "p2": "medium",
    "low": "low",
    "p3": "low",
    "p4": "low",
}
_STATUS_WORDS = (
    ("done", r"done|completed?|fixed|added|implemented|resolved|shipped|merged|finished|✅"),
    ("in-progress", r"in[- ]progress|wip|ongoing|started|underway"),
    ("wont-do", r"won'?t (?:do|fix)|wontfix|dropped|cancell?ed|declined|rejected"),
    ("open", r"to-?do|open|filed|planned|pending|not started|backlog"),
)
_LEADING_STATUS_RE = re.compile(
    r"^\s*(?:[\[(]\s*(?P<a>[^\])]{1,20})\s*[\])]\s*:?\s*"
    r"|(?P<b>DONE|TODO|TO DO|WIP|IN PROGRESS|WONTFIX|WON'T DO|OPEN|CLOSED|FIXED)\b\s*[:\-–—]?\s*)"
)
_TRAILING_STATUS_RE = re.compile(r"[\[(]\s*(?P<a>[^\])]{1,200})[\])]\s*\.?\s*$")
_OWNER_RE = re.compile(
    r"\b(?:owner|assignee|assigned to|dri|owned by)\s*[:=]?\s*(?P<a>@?[\w.-]+(?: [A-Z][\w-]+)?)"
    r"|\(\s*(?P<b>@[\w.-]+)\s*\)"
    r"|[—–-]\s*(?P<c>@[\w.-]+)\s*$",
    re.IGNORECASE,
)
_TYPE_WORDS = (
    ("detect", r"\b(?:monitor\w*|alert\w*|detect\w*|dashboards?|observability|logging|metrics)\b"),
    (
        "process",
        r"\b(?:process\w*|runbooks?|playbooks?|training|train|document\w*|policy|policies"
        r"|review\w*|meeting|retro\w*|communicat\w*|on-?call)\b",
    ),
    ("mitigate", r"\b(?:mitigat\w*|roll ?back|workaround|hotfix|restore\w*)\b"),
)


def _status_of(word: str) -> str | None:
    text = word.strip().lower()
    for status, pattern in _STATUS_WORDS:
        if re.match(rf"(?:{pattern})\b", text) or (pattern.endswith("✅") and "✅" in text):
            return status
    return None


@dataclass
class _Candidate:
    title: str
    checked: bool | None = None
    owner: str | None = None
    priority: str | None = None
    status: str | None = None
    kind: str | None = None


def _finish(candidate: _Candidate) -> ActionRecord | None:
    title = " ".join(candidate.title.split())
    status = candidate.status
    if candidate.checked is not None:
        status = "done" if candidate.checked else "open"
    priority = candidate.priority
    match = _PRIORITY_MARK_RE.search(title)
    if match:
        word = next(g for g in match.groups() if g)
        priority = priority or _PRIORITY_WORDS.get(word.lower())
        if match.group("a") or match.group("c"):
            title = (title[: match.start()] + " " + title[match.end() :]).strip()
    lead = _LEADING_STATUS_RE.match(title)
    if lead:
        found = _status_of(lead.group("a") or lead.group("b") or "")
        if found:
            status = status or found
            title = title[lead.end() :].strip()
    trail = _TRAILING_STATUS_RE.search(title)
    if trail and status is None:
        status = _status_of(trail.group("a"))
    if "✅" in title and status is None:
        status = "done"
    owner = candidate.owner
    owner_match = _OWNER_RE.search(title)
    if owner_match and owner is None:
        owner = next(g for g in owner_match.groups() if g)
        if owner_match.end() >= len(title.rstrip(" .)")) - 1:
            title = title[: owner_match.start()].rstrip(" —–-,;(")
    title = title.strip(" *_`:-–—").strip()
    if not title or is_placeholder(title):
        return None
    kind = candidate.kind or "prevent"
    for name, pattern in _TYPE_WORDS:
        if candidate.kind is None and re.search(pattern, title, re.IGNORECASE):
            kind = name
            break
    return ActionRecord(
        title=title,
        owner=owner or None,
        priority=priority or "medium",
        type=kind,
        status=status or "open",
    )


_COLUMNS = (
    ("title", r"action|item|task|description|title|what|follow|summary|issue|ticket|todo|step"),
    ("owner", r"owner|assignee|assigned|who|responsible|dri|team"),
    ("priority", r"priority|prio|importance|urgency"),
    ("status", r"status|state|done|progress"),
    ("type", r"^type$|^kind$|^category$"),
)


def _columns(cells: tuple[str, ...]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = cell.strip(" *_`").lower()
        for role, pattern in _COLUMNS:
            if role not in found and re.search(pattern, name):
                found[role] = index
                break
    return found


def _row_candidate(cells: tuple[str, ...], columns: dict[str, int]) -> _Candidate | None:
    def cell(role: str) -> str | None:
        index = columns.get(role)
        if index is None or index >= len(cells):
            return None
        value = cells[index].strip()
        return None if not value or is_placeholder(value) else value

    title = cell("title")
    if title is None and "title" not in columns:
        title = next((c for c in cells if c.strip() and not is_placeholder(c)), None)
    if title is None:
        return None
    status_text = cell("status")
    priority_text = cell("priority")
    kind_text = (cell("type") or "").lower()
    return _Candidate(
        title,
        owner=cell("owner"),
        priority=_PRIORITY_WORDS.get((priority_text or "").lower()),
        status=_status_of(status_text) if status_text else None,
        kind=kind_text if kind_text in ("mitigate", "prevent", "detect", "process") else None,
    )


def _is_intro(text: str) -> bool:
    stripped = text.strip(" *_`")
    if stripped.endswith(":") or _INTRO_RE.match(stripped):
        return True
    words = stripped.split()
    return len(words) < 2


_CONTINUES_RE = re.compile(
    r"(?:[,;:\-–—(/&+]|\b(?:and|or|but|the|a|an|to|of|for|with|in|on|by|from|that|which"
    r"|so|as|at|into|than|our|their|its|is|are|be|will|should|must|we|et|ou|le|la|les|de|des"
    r"|du|un|une|pour|avec|dans|sur))$",
    re.IGNORECASE,
)


def _starts_another_item(previous: str, line: str) -> bool:
    """Whether a line of a plain paragraph starts a new item rather than continuing the one
    above: it starts with a capital and the line above does not stop mid-sentence. (Notes
    written one action a line, with no bullets, in a plain-text document.)"""
    first = line.lstrip(" *_`")[:1]
    return first.isupper() and not _CONTINUES_RE.search(previous.rstrip(" *_`"))


def _bold_led_items(units: list[Unit]) -> list[_Candidate]:
    """Paragraphs that lead with bold words (``**P0** Add failover``) are items of their own,
    beside a list or table in the same group."""
    items: list[_Candidate] = []
    for unit in units:
        if unit.starts_bold and unit.block_index == 0 and not unit.bold:
            text = " ".join(u.text for u in units if u.block == unit.block)
            if not _is_intro(text):
                items.append(_Candidate(text))
    return items


def _paragraph_items(units: list[Unit]) -> list[_Candidate]:
    items: list[_Candidate] = []
    pending: list[str] = []
    block = None

    def flush() -> None:
        if pending:
            text = " ".join(pending)
            if not _is_intro(text):
                items.append(_Candidate(text))
            pending.clear()

    for unit in units:
        if unit.block != block:
            flush()
            block = unit.block
        elif pending and _starts_another_item(pending[-1], unit.text):
            flush()
        pending.append(unit.text)
        if unit.text.rstrip(" *_`\"'")[-1:] in ".!?)" or unit.text.rstrip().endswith(":"):
            flush()
    flush()
    return items


_META_CHILD_RE = re.compile(
    r"^(?:owner|owners|assignee|assigned to|dri|due|due date|deadline|eta|priority|status"
    r"|state|ticket|issue|bug|link|jira|type|team|tracking)$",
    re.IGNORECASE,
)


def _metadata_children(doc: Document) -> tuple[dict[int, tuple[str, str]], set[int]]:
    """List items that only annotate their parent (``- Owner: Bob``), and those parents."""
    first_line = {u.item: u.text for u in doc.units if u.item is not None and u.item_first}
    children: dict[int, list[int]] = {}
    for item, parent in doc.item_parent.items():
        if parent is not None:
            children.setdefault(parent, []).append(item)
    meta: dict[int, tuple[str, str]] = {}
    for item, text in first_line.items():
        label = split_label(text)
        if label is not None and label[1] and _META_CHILD_RE.match(label[0].strip()):
            meta[item] = label
    parents = {p for p, kids in children.items() if kids and all(k in meta for k in kids)}
    return {k: v for k, v in meta.items() if doc.item_parent.get(k) in parents}, parents


def _annotate(candidate: _Candidate, label: str, value: str) -> None:
    name = label.strip().lower()
    if name.startswith(("owner", "assign", "dri", "team")):
        candidate.owner = candidate.owner or value
    elif name.startswith("priority"):
        candidate.priority = candidate.priority or _PRIORITY_WORDS.get(value.strip().lower())
    elif name.startswith(("status", "state")):
        candidate.status = candidate.status or _status_of(value)


# Headings that name the work to be done. "Prevention strategies", "Recommendations" or
# "Improvements" may also list it, but when a document has a section of the first kind
# those others are advice or procedures, not its action items.
_FIRM_ACTIONS_RE = re.compile(
    r"\baction ?items?\b|\bactions?\b|\bfollow[- ]?ups?\b|\bnext steps\b|\bto[- ]?dos?\b"
    r"|\btasks?\b|\bcorrective\b|\bsteps taken\b|\bafter the incident\b|\bt[âa]ches\b",
    re.IGNORECASE,
)


def _action_groups(doc: Document) -> list[list[Unit]]:
    """The units of the action sections in groups (one per heading).

    A section is the run of units under an outermost action heading, with its sub-headings.
    When some section has a heading that names action items outright, sections named only
    by advice words are left out.
    """
    sections: list[tuple[list[list[Unit]], list[bool]]] = []  # (groups, firm?) per section
    current: list[Unit] | None = None
    was_actions = False
    headings: list[tuple[int, str]] = []  # (level, section) of the real headings above
    for unit in doc.units:
        is_heading = unit.kind == "heading" and not unit.heading_item
        if is_heading:
            while headings and headings[-1][0] >= unit.level:
                headings.pop()
            inside = any(section == "actions" for _, section in headings)
            headings.append((unit.level, unit.section))
            if unit.section == "actions" and not inside:
                sections.append(([], [False]))
        if unit.section != "actions":
            current = None
            was_actions = False
            continue
        if not sections or not (was_actions or is_heading):
            sections.append(([], [False]))  # a section opened by a line acting as a heading
        was_actions = True
        groups, firm = sections[-1]
        if is_heading or unit.pseudo:
            if _FIRM_ACTIONS_RE.search(heading_words(unit.text)):
                firm[0] = True
            current = []
            groups.append(current)
            continue
        if current is None:
            current = []
            groups.append(current)
        current.append(unit)
    if any(firm[0] for _, firm in sections):
        sections = [(groups, firm) for groups, firm in sections if firm[0]]
    return [group for groups, _ in sections for group in groups]


def collect_actions(doc: Document) -> list[ActionRecord]:
    meta_children, annotated = _metadata_children(doc)
    groups = _action_groups(doc)

    actions: list[ActionRecord] = []
    for group in groups:
        structured: list[_Candidate] = []
        by_item: dict[int, _Candidate] = {}
        item_block: dict[int, int] = {}
        loose: list[Unit] = []
        columns: dict[str, int] = {}
        under_heading_item = False
        for unit in group:
            if unit.kind == "code":
                continue
            if unit.kind == "heading":
                structured.append(_Candidate(unit.text))
                under_heading_item = True
                continue
            if unit.kind == "row":
                if unit.header:
                    columns = _columns(unit.cells)
                    continue
                candidate = _row_candidate(unit.cells, columns)
                if candidate is not None:
                    structured.append(candidate)
                continue
            if unit.item is not None:
                if unit.item in meta_children:
                    parent = doc.item_parent.get(unit.item)
                    if parent in by_item and unit.item_first:
                        _annotate(by_item[parent], *meta_children[unit.item])
                    continue
                if unit.item not in doc.leaf_items and unit.item not in annotated:
                    continue
                existing = by_item.get(unit.item)
                if existing is None:
                    candidate = _Candidate(unit.text, checked=unit.checked)
                    by_item[unit.item] = candidate
                    item_block[unit.item] = unit.block
                    structured.append(candidate)
                elif item_block[unit.item] == unit.block:
                    existing.title += " " + unit.text
                continue
            bullet = _PSEUDO_BULLET_RE.match(unit.text)
            if bullet:
                box = re.match(r"\s*\[([ xX✓✔])\]", unit.text)
                checked = None if box is None else box.group(1) != " "
                structured.append(_Candidate(unit.text[bullet.end() :], checked=checked))
                continue
            if STATUS_LINE_RE.match(unit.text):
                structured.append(_Candidate(unit.text))
                continue
            if not under_heading_item:
                loose.append(unit)
        candidates = structured + _bold_led_items(loose) if structured else _paragraph_items(loose)
        for candidate in candidates:
            if _INTRO_RE.match(candidate.title.strip(" *_`")) or _is_status_line(candidate.title):
                continue
            record = _finish(candidate)
            if record is not None:
                actions.append(record)
    return _without_repeats(actions)


_STATUS_LABEL_RE = re.compile(
    r"^(?:status|state|overall status|last updated|updated|note|notes|tracking|tracked in"
    r"|progress|statut|état|mise à jour)$",
    re.IGNORECASE,
)


def _is_status_line(title: str) -> bool:
    """``Status: all items tracked on the board``: a line about the actions, not one."""
    label = split_label(title.strip(" *_`-"))
    return label is not None and bool(_STATUS_LABEL_RE.match(label[0].strip(" *_`")))


def _sameness(title: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", title.casefold()).split())


def _without_repeats(actions: list[ActionRecord]) -> list[ActionRecord]:
    """An action written twice (a second list restating the first) is one action; the first
    wording is kept, with the owner, priority or status the repeat adds."""
    kept: dict[str, ActionRecord] = {}
    for action in actions:
        key = _sameness(action.title)
        first = kept.get(key)
        if first is None:
            kept[key] = action
            continue
        first.owner = first.owner or action.owner
        if first.status == "open" and action.status != "open":
            first.status = action.status
    return list(kept.values())
