"""Likely secrets in what is about to leave the workbook, and their redaction.

At 3 a.m. people paste what they see: a connection string with its password, a curl line
with its bearer token, a key from a config file. Before a postmortem is published to a
shared repository every text is scanned for the kinds of secret that scanners such as
gitleaks and detect-secrets know, by pattern: cloud access keys, service tokens, private
key blocks, passwords in URLs, authorization headers, and ``password=…`` style assignments
whose value looks random rather than like a placeholder.

A match names its kind, never its value: the finding is printed, the secret is not.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from models.store import IncidentSnapshot
from models.tables import NARRATIVE_FIELDS, ActionItem, Incident, TimelineEntry
from models.timeline import exported_order

REDACTED: Final = "[REDACTED]"


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    # The group that holds the secret (0: the whole match), so a URL or a header keeps its
    # shape and only the secret is replaced.
    group: int = 0
    # Values that must look random (Shannon entropy per character) to count.
    min_entropy: float = 0.0


_B64: Final = r"[A-Za-z0-9+/]"
_KEY_NAMES: Final = (
    r"password|passwd|pwd|pass|secret|secret[_-]?key|client[_-]?secret|api[_-]?key|apikey"
    r"|api[_-]?token|access[_-]?token|auth[_-]?token|refresh[_-]?token|private[_-]?key"
    r"|access[_-]?key|token"
)

RULES: Final[tuple[_Rule, ...]] = (
    _Rule(
        "private key block",
        re.compile(
            r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----"
            r"(?:.{0,20000}?-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----"
            r"|(?:\s|\\n|[A-Za-z0-9+/=:,-])*)",
            re.DOTALL,
        ),
    ),
    _Rule(
        "AWS access key",
        re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Z0-9])"),
    ),
    _Rule(
        "AWS secret access key",
        re.compile(
            r"(?i)aws_?secret_?(?:access_?)?key[\"']?\s*[:=]\s*[\"']?("
            + _B64
            + r"{40})(?!"
            + _B64
            + ")"
        ),
        group=1,
    ),
    _Rule(
        "GCP service account key",
        re.compile(r"\"private_key_id\"\s*:\s*\"([0-9a-f]{40})\""),
        group=1,
    ),
    _Rule("Google API key", re.compile(r"(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])")),
    _Rule("GitHub token", re.compile(r"(?<![\w])gh[pousr]_[A-Za-z0-9]{36,255}(?![\w])")),
    _Rule("GitHub token", re.compile(r"(?<![\w])github_pat_[A-Za-z0-9_]{22,255}")),
    _Rule(
        "GitLab token",
        re.compile(r"(?<![\w-])gl(?:pat|dt|ptt|rt|cbt|oas|ft|imt)-[A-Za-z0-9_-]{20,}"),
    ),
    _Rule("Slack token", re.compile(r"(?<![\w-])xox[abposr]-[A-Za-z0-9-]{10,}")),
    _Rule(
        "Slack webhook",
        re.compile(r"https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9_/]{20,}"),
    ),
    _Rule("Stripe key", re.compile(r"(?<![\w])(?:sk|rk)_live_[A-Za-z0-9]{20,}")),
    _Rule("SendGrid key", re.compile(r"(?<![\w-])SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}")),
    _Rule(
        "OpenAI or Anthropic key",
        re.compile(r"(?<![\w-])sk-(?:proj-|ant-api\d\d-|svcacct-)?[A-Za-z0-9_-]{32,}"),
    ),
    _Rule("npm token", re.compile(r"(?<![\w])npm_[A-Za-z0-9]{36}(?![\w])")),
    _Rule("PyPI token", re.compile(r"(?<![\w-])pypi-AgE[A-Za-z0-9_-]{50,}")),
    _Rule(
        "Azure storage key",
        re.compile(r"AccountKey=(" + _B64 + r"{86}==)"),
        group=1,
    ),
    _Rule(
        "JSON web token",
        re.compile(r"(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    ),
    _Rule(
        "password in a URL",
        re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]{1,30}://[^\s:/?#@\[\]]{1,100}:([^\s/?#@]{1,200})@"),
        group=1,
    ),
    _Rule(
        "authorization header",
        re.compile(
            r"(?i)\b(?:authorization|proxy-authorization)[\"']?\s*[:=]\s*[\"']?"
            r"(?:bearer|basic|token|digest)\s+([A-Za-z0-9._~+/-]{8,}=*)"
        ),
        group=1,
    ),
    _Rule(
        "bearer token",
        re.compile(r"(?i)\bbearer\s+([A-Za-z0-9._~+/-]{20,}=*)"),
        group=1,
        min_entropy=3.0,
    ),
    _Rule(
        "password or key assignment",
        re.compile(
            r"(?i)(?<![A-Za-z0-9])(?:[A-Za-z0-9]+[_-])*(?:" + _KEY_NAMES + r")[\"']?"
            r"\s*(?::=|=>|[:=])\s*([\"']?)([^\s\"',;&]{8,})\1"
        ),
        group=2,
        min_entropy=3.0,
    ),
)

# Values that are placeholders, not secrets: masks, <angle> and {{template}} slots, shell
# variables, and printf slots (only ``%s`` and ``%(name)s``: ``%AB…`` is a percent-encoded
# password in a URL, the real thing).
_PLACEHOLDER: Final = re.compile(
    r"(?i)^(?:\*+|x+|\.+|<[^>]*>|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%s|%\([A-Za-z_]\w*\)s|"
    r"\{\{[^}]*\}\}|\[?redacted\]?|changeme|example\w*|dummy\w*|placeholder\w*)$"
)


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


@dataclass(frozen=True)
class SecretMatch:
    kind: str
    start: int
    end: int


def find_secrets(text: str) -> list[SecretMatch]:
    """Every likely secret in ``text``, by position; overlapping finds are merged."""
    if not text:
        return []
    found: list[SecretMatch] = []
    for rule in RULES:
        for match in rule.pattern.finditer(text):
            value = match.group(rule.group)
            if not value or _PLACEHOLDER.match(value) or REDACTED in value:
                continue
            if rule.min_entropy and entropy(value) < rule.min_entropy:
                continue
            found.append(SecretMatch(rule.kind, *match.span(rule.group)))
    found.sort(key=lambda m: (m.start, -m.end))
    merged: list[SecretMatch] = []
    for item in found:
        if merged and item.start < merged[-1].end:
            last = merged[-1]
            if item.end > last.end:
                merged[-1] = SecretMatch(last.kind, last.start, item.end)
            continue
        merged.append(item)
    return merged


def redact(text: str) -> str:
    """``text`` with every likely secret replaced by ``[REDACTED]``."""
    matches = find_secrets(text)
    if not matches:
        return text
    parts: list[str] = []
    position = 0
    for match in matches:
        parts += [text[position : match.start], REDACTED]
        position = match.end
    parts.append(text[position:])
    return "".join(parts)


# Whole incidents -------------------------------------------------------------------------


@dataclass(frozen=True)
class SecretFinding:
    """Where a likely secret is (``the root cause section``, ``entry 3``) and its kind."""

    where: str
    kind: str


_INCIDENT_TEXTS: Final = ("title", "commander", "currency", "data_loss_note")
_ACTION_TEXTS: Final = ("title", "owner", "link")


def _section_name(field: str) -> str:
    return "the " + field.replace("_", " ") + " section"


def _incident_texts(incident: Incident) -> Iterator[tuple[str, str, str]]:
    """(field, where, text) for every text of the incident row."""
    for name in _INCIDENT_TEXTS:
        value = getattr(incident, name)
        if value:
            yield name, "the " + name.replace("_", " "), value
    for number, service in enumerate(incident.services):
        yield f"services.{number}", "the services", service
    for name in NARRATIVE_FIELDS:
        value = getattr(incident, name)
        if value:
            yield name, _section_name(name), value


def scan_snapshot(snapshot: IncidentSnapshot) -> list[SecretFinding]:
    """Every likely secret in the incident, the way a reviewer would find it."""
    findings: list[SecretFinding] = []

    def scan(where: str, text: str) -> None:
        kinds = dict.fromkeys(m.kind for m in find_secrets(text))
        findings.extend(SecretFinding(where, kind) for kind in kinds)

    for _, where, text in _incident_texts(snapshot.incident):
        scan(where, text)
    for number, entry in enumerate(exported_order(snapshot.entries), start=1):
        scan(f"entry {number}", entry.text)
        scan(f"the author of entry {number}", entry.author)
    for item in sorted(snapshot.action_items, key=lambda a: a.number):
        for name in _ACTION_TEXTS:
            value = getattr(item, name)
            if value:
                scan(f"action item {item.ref}" + ("" if name == "title" else f" ({name})"), value)
    return findings


def describe_findings(findings: Sequence[SecretFinding]) -> str:
    """One line: ``entry 3 (GitHub token), the root cause section (password in a URL)``."""
    grouped: dict[str, list[str]] = {}
    for finding in findings:
        grouped.setdefault(finding.where, []).append(finding.kind)
    return ", ".join(f"{where} ({', '.join(kinds)})" for where, kinds in grouped.items())


def _copy_incident(incident: Incident, changes: dict[str, object]) -> Incident:
    return Incident(**{**incident.model_dump(), **changes})


def redact_snapshot(snapshot: IncidentSnapshot) -> IncidentSnapshot:
    """A copy of the snapshot with every likely secret replaced; the original is untouched."""
    incident = snapshot.incident
    changes: dict[str, object] = {}
    for name in (*_INCIDENT_TEXTS, *NARRATIVE_FIELDS):
        value = getattr(incident, name)
        if value:
            cleaned = redact(value)
            if cleaned != value:
                changes[name] = cleaned
    services = [redact(s) for s in incident.services]
    if services != list(incident.services):
        changes["services"] = services
    entries = [
        TimelineEntry(**{**e.model_dump(), "text": redact(e.text), "author": redact(e.author)})
        for e in snapshot.entries
    ]
    items = [
        ActionItem(
            **{
                **a.model_dump(),
                **{n: redact(getattr(a, n)) for n in _ACTION_TEXTS if getattr(a, n)},
            }
        )
        for a in snapshot.action_items
    ]
    return IncidentSnapshot(_copy_incident(incident, changes), entries, items)
