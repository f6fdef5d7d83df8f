"""Likely secrets in an incident about to be published: where each is, and its redaction.

The detector itself (:mod:`exporters.secret_scan`) reads one text; this module reads a
whole incident with it, the way a reviewer would come across the texts, and says of each
finding where a person can find it (an entry by the id and time ``workbook show`` prints,
a section by name), what it looks like, and a short id to allow it by.

A finding's id stands for the incident, the place, the kind and the exact text matched, so
it stays the same from one scan to the next while nothing changes. An allowance is kept
with a digest of the whole text the finding is in (see :mod:`models.allowances`): edit
that text and the finding must be allowed again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

from exporters.render.terminal_safe import visible
from exporters.secret_scan import (
    REDACTED,
    SecretMatch,
    entropy,
    excerpt,
    find_secrets,
    redact,
)
from models.allowances import Allowance
from models.store import IncidentSnapshot
from models.tables import NARRATIVE_FIELDS, ActionItem, Incident, TimelineEntry
from models.timeline import exported_order
from models.timeparse import format_local, resolve_zone

__all__ = [
    "REDACTED",
    "SecretFinding",
    "SecretMatch",
    "describe_findings",
    "entropy",
    "find_secrets",
    "finding_id",
    "redact",
    "redact_snapshot",
    "scan_snapshot",
]


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def finding_id(incident_id: int | None, place: str, kind: str, matched: str) -> str:
    """Eight hex digits that stand for one finding: short enough to type."""
    key = "\0".join([str(incident_id), place, kind, matched])
    return hashlib.sha256(key.encode("utf-8", errors="surrogatepass")).hexdigest()[:8]


@dataclass(frozen=True)
class SecretFinding:
    """One likely secret in an incident.

    ``where`` is for a person (``entry 231 (2024-06-20 10:15 UTC)``, ``the root cause
    section``); ``place`` is for the program (``entry:231:text``); ``excerpt`` shows the
    text around it with the secret masked; ``allowed`` says a person let it through.
    """

    id: str
    where: str
    place: str
    kind: str
    excerpt: str
    text_sha256: str
    match: SecretMatch
    allowed: bool = False

    def allowance(self) -> Allowance:
        return Allowance(self.id, self.text_sha256, self.kind)

    def line(self) -> str:
        """``entry 231 (…): password on a command line, "…-p**** -h replica…"``."""
        return f'{self.where}: {self.kind}, "{self.excerpt}"'


_INCIDENT_TEXTS: Final = ("title", "commander", "currency", "data_loss_note")
_ACTION_TEXTS: Final = ("title", "owner", "link")


def _section_name(field: str) -> str:
    return "the " + field.replace("_", " ") + " section"


@dataclass(frozen=True)
class _Text:
    place: str
    where: str
    text: str


def _texts(snapshot: IncidentSnapshot) -> Iterator[_Text]:
    """Every text of the incident that is published, in the order a reviewer reads it."""
    incident = snapshot.incident
    for name in _INCIDENT_TEXTS:
        value = getattr(incident, name)
        if value:
            yield _Text(f"incident:{name}", "the " + name.replace("_", " "), value)
    for number, service in enumerate(incident.services):
        yield _Text(f"incident:services.{number}", "the services", service)
    for name in NARRATIVE_FIELDS:
        value = getattr(incident, name)
        if value:
            yield _Text(f"incident:{name}", _section_name(name), value)
    zone = resolve_zone(incident.timezone)
    for number, entry in enumerate(exported_order(snapshot.entries), start=1):
        # The id and time `workbook show` prints; an entry not yet stored has its position.
        name = f"entry {entry.id}" if entry.id is not None else f"entry #{number}"
        shown = f"{name} ({format_local(entry.at, zone)})"
        key = f"entry:{entry.id if entry.id is not None else '#' + str(number)}"
        yield _Text(f"{key}:text", shown, entry.text)
        if entry.author:
            yield _Text(f"{key}:author", f"the author of {shown}", entry.author)
    for item in sorted(snapshot.action_items, key=lambda a: a.number):
        for name in _ACTION_TEXTS:
            value = getattr(item, name)
            if value:
                where = f"action item {item.ref}" + ("" if name == "title" else f" ({name})")
                yield _Text(f"action:{item.ref}:{name}", where, value)
    for attachment, data in snapshot.attached():
        # Text attachments are published as text; the bytes are there when an export or
        # a publish read them (Store.with_attachment_data).
        if attachment.is_text and data is not None:
            where = f"the attachment {attachment.name} (id {attachment.id})"
            yield _Text(f"attachment:{attachment.id}", where, data.decode("utf-8"))


def scan_snapshot(
    snapshot: IncidentSnapshot,
    *,
    allowed: Mapping[str, str] | None = None,
    allow: Collection[str] = (),
) -> list[SecretFinding]:
    """Every likely secret in the incident, each marked allowed when ``allowed`` (finding
    id → digest of its text, as stored) holds it for this very text, or ``allow`` (ids a
    person just gave) names it."""
    allowed = allowed or {}
    incident_id = snapshot.incident.id
    findings: list[SecretFinding] = []
    for item in _texts(snapshot):
        matches = find_secrets(item.text)
        if not matches:
            continue
        digest = text_digest(item.text)
        seen: set[str] = set()
        for match in matches:
            matched = item.text[match.start : match.end]
            ident = finding_id(incident_id, item.place, match.kind, matched)
            if ident in seen:
                continue  # the same secret twice in one text: one finding, one allowance
            seen.add(ident)
            findings.append(
                SecretFinding(
                    id=ident,
                    where=visible(item.where),
                    place=item.place,
                    kind=match.kind,
                    excerpt=visible(excerpt(item.text, match)),
                    text_sha256=digest,
                    match=match,
                    allowed=allowed.get(ident) == digest or ident in allow,
                )
            )
    return findings


def blocking(findings: Sequence[SecretFinding]) -> list[SecretFinding]:
    return [f for f in findings if not f.allowed]


def describe_findings(findings: Sequence[SecretFinding]) -> str:
    """One line for a person: each finding with where it is, its kind, an excerpt with the
    secret masked, and the id to allow it by."""
    return "; ".join(f"{f.line()} (--allow {f.id})" for f in findings)


def _copy_incident(incident: Incident, changes: dict[str, object]) -> Incident:
    return Incident(**{**incident.model_dump(), **changes})


def redact_snapshot(
    snapshot: IncidentSnapshot, findings: Sequence[SecretFinding] | None = None
) -> IncidentSnapshot:
    """A copy of the snapshot with every likely secret replaced, but the allowed ones
    among ``findings``; the original is untouched."""
    keep: dict[str, list[SecretMatch]] = {}
    for finding in findings or ():
        if finding.allowed:
            keep.setdefault(finding.place, []).append(finding.match)
    texts = {item.place: item.text for item in _texts(snapshot)}

    def cleaned(place: str, value: str) -> str:
        if texts.get(place) != value:
            return redact(value)
        return redact(value, keep=_kept(value, keep.get(place, [])))

    incident = snapshot.incident
    changes: dict[str, object] = {}
    for name in (*_INCIDENT_TEXTS, *NARRATIVE_FIELDS):
        value = getattr(incident, name)
        if value:
            new = cleaned(f"incident:{name}", value)
            if new != value:
                changes[name] = new
    services = [cleaned(f"incident:services.{n}", s) for n, s in enumerate(incident.services)]
    if services != list(incident.services):
        changes["services"] = services
    positions = {id(e): n for n, e in enumerate(exported_order(snapshot.entries), start=1)}

    def entry_key(entry: TimelineEntry) -> str:
        return f"entry:{entry.id if entry.id is not None else '#' + str(positions.get(id(entry)))}"

    entries = [
        TimelineEntry(
            **{
                **e.model_dump(),
                "text": cleaned(entry_key(e) + ":text", e.text),
                "author": cleaned(entry_key(e) + ":author", e.author),
            }
        )
        for e in snapshot.entries
    ]
    items = [
        ActionItem(
            **{
                **a.model_dump(),
                **{
                    n: cleaned(f"action:{a.ref}:{n}", getattr(a, n))
                    for n in _ACTION_TEXTS
                    if getattr(a, n)
                },
            }
        )
        for a in snapshot.action_items
    ]
    attachments = []
    data = dict(snapshot.attachment_data)
    for attachment in snapshot.attachments:
        blob = data.get(attachment.id)
        if attachment.is_text and blob is not None:
            text = blob.decode("utf-8")
            new = cleaned(f"attachment:{attachment.id}", text)
            if new != text:
                blob = data[attachment.id] = new.encode("utf-8")
                attachment = replace(
                    attachment, bytes=len(blob), sha256=hashlib.sha256(blob).hexdigest()
                )
        attachments.append(attachment)
    return IncidentSnapshot(
        _copy_incident(incident, changes),
        entries,
        items,
        snapshot.imported,
        attachments,
        data,
    )


def _kept(text: str, matches: list[SecretMatch]) -> list[SecretMatch]:
    """The allowed matches, and every other occurrence of the same secret in the text
    (one finding stands for them all)."""
    if not matches:
        return []
    values = {text[m.start : m.end] for m in matches}
    kinds = {m.kind for m in matches}
    return [m for m in find_secrets(text) if text[m.start : m.end] in values and m.kind in kinds]
