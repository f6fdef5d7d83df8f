"""Likely secrets in any text, and the same text with them replaced: one detector for all.

Publishing scans a whole incident with it; ``--redact`` replaces what it finds; whatever
captures text into the record (command lines and their output, attachments) can call
:func:`find_secrets` and :func:`redact` on that text. Pure functions of a string: no
database, no incident, nothing to configure.

Two kinds of rule. Shapes that only secrets have (a cloud key id, a source-host token, a
private key block, a password between ``://user:`` and ``@``) count wherever they are.
Names that secrets go by (password, token, key) count only in something that looks like
configuration or a command line: ``PGPASSWORD=…`` and ``MYSQL_PWD=…`` in an environment,
``password=…``, ``"password": "…"`` in a file, ``mysql -p…`` and ``--password=…`` on a
command line. English uses the same words (``All checks pass: browsing``, ``token
bucket``, ``key: value pairs``), so a name followed by a colon and a plain word is prose,
not a finding.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Final

REDACTED: Final = "[REDACTED]"
MASK: Final = "****"


@dataclass(frozen=True)
class SecretMatch:
    """A likely secret: its kind and where it is in the text (``text[start:end]``)."""

    kind: str
    start: int
    end: int


# How sure a value must look before a rule counts it.
Check = Callable[[str], bool]


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    # The group that holds the secret (0: the whole match), so a URL or a header keeps its
    # shape and only the secret is replaced.
    group: int = 0
    check: Check | None = None


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


# Values that are placeholders, not secrets: masks, <angle> and {{template}} slots, shell
# variables and substitutions, printf slots (only ``%s`` and ``%(name)s``: ``%AB…`` is a
# percent-encoded password in a URL, the real thing), file paths (``SSL_KEY=/etc/…`` names
# where the secret is), switches, and the words people write where the secret would go.
_PLACEHOLDER: Final = re.compile(
    r"(?i)^(?:\*+|x+|\.+|•+|<[^>]*>|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\$\(.*\)|%s|%\([A-Za-z_]\w*\)s|"
    r"\{\{[^}]*\}\}|\{[A-Za-z_]\w*\}|\[?redacted\]?|\[?masked\]?|\[?hidden\]?|changeme|"
    r"example\w*|dummy\w*|placeholder\w*|your[_-]?\w*|my[_-]?(?:password|secret|token)\w*|"
    r"password|passwd|pass|pwd|secret|token|none|null|nil|true|false|yes|no|on|off|"
    r"(?:\.{0,2}|~)/\S*|-)$"
)


def _is_placeholder(value: str) -> bool:
    return not value or bool(_PLACEHOLDER.match(value)) or REDACTED in value


def _any_value(value: str) -> bool:
    """Where the context says secret (an environment variable named for one, a password
    flag), any value that is not a placeholder counts."""
    return len(value) >= 3


def _random_value(value: str) -> bool:
    """Looks generated rather than written: long, varied, with digits or symbols among
    the letters. A plain word (``browsing``, ``us-east-1-bucket``) never does."""
    if len(value) < 8 or entropy(value) < 3.0:
        return False
    letters = any(c.isalpha() for c in value)
    digits = any(c.isdigit() for c in value)
    symbols = any(not c.isalnum() and c not in "-_." for c in value)
    mixed = any(c.isupper() for c in value[1:]) and any(c.islower() for c in value)
    if not letters:
        return False
    if re.fullmatch(r"[a-z]+(?:[-_.][a-z0-9]+)*", value):
        return False  # words joined: rate-limited, us-east-1, pg_dump
    return digits or symbols or mixed


def _written_value(value: str) -> bool:
    """A value set in a configuration file: six or more long, and not a word or words of
    a log line (``token=expired``, ``reason=token_invalid``)."""
    return len(value) >= 6 and not re.fullmatch(r"[a-z]+(?:[-_][a-z]+)*", value)


_B64: Final = r"[A-Za-z0-9+/]"
# Names a secret goes by in configuration, any case: ``db_password``, ``client-secret``,
# ``spring.datasource.password``. Bare ``key`` and ``auth`` are too common in prose.
_SECRET_WORDS: Final = (
    r"password|passwd|secret|token|api[_-]?key|apikey|secret[_-]?key|access[_-]?key"
    r"|private[_-]?key|client[_-]?secret|credentials?"
)
_NAME_PREFIX: Final = r"(?:[A-Za-z0-9]+[_.-])*[A-Za-z0-9]*?"
_CONFIG_NAME: Final = (
    r"(?:" + _NAME_PREFIX + r"(?:" + _SECRET_WORDS + r")|(?:[A-Za-z0-9]+[_.-])*(?:pass|pwd))"
)
_QUOTED: Final = r"(?P<q>[\"'])(?P<qv>[^\"'\s]{1,200})(?P=q)"
_BARE: Final = r"(?P<bv>[^\s\"'`,;&|<>(){}\[\]]{1,200})"
_VALUE: Final = r"(?:" + _QUOTED + "|" + _BARE + ")"


def _pick(match: re.Match[str]) -> tuple[str, int, int]:
    if match.group("qv") is not None:
        return match.group("qv"), *match.span("qv")
    # A sentence's own punctuation after a bare value is not part of it.
    value = match.group("bv").rstrip(".:!?")
    start = match.start("bv")
    return value, start, start + len(value)


@dataclass(frozen=True)
class _ValueRule:
    """A rule whose value is either quoted (group ``qv``) or bare (group ``bv``)."""

    kind: str
    pattern: re.Pattern[str]
    quoted: Check
    bare: Check


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
        re.compile(r"(?<![\w-])gl(?:pat|dt|ptt|rt|cbt|oas|ft|imt|soat|agent)-[A-Za-z0-9_-]{20,}"),
    ),
    _Rule("Slack token", re.compile(r"(?<![\w-])(?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,}")),
    _Rule(
        "Slack webhook",
        re.compile(r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/]{20,}"),
    ),
    _Rule(
        "Discord webhook",
        re.compile(r"https://(?:\w+\.)?discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_-]{20,}"),
    ),
    _Rule(
        "Teams webhook",
        re.compile(r"https://[\w-]+\.webhook\.office\.com/webhookb2/[A-Za-z0-9@/_-]{20,}"),
    ),
    _Rule(
        "Stripe key",
        re.compile(
            r"(?<![\w])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,}|(?<![\w])whsec_[A-Za-z0-9]{24,}"
        ),
    ),
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
        # Every scheme: postgres, mysql, redis (``redis://:pw@``), amqp, mongodb+srv, https…
        "password in a URL",
        re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]{1,30}://[^\s:/?#@\[\]]{0,100}:([^\s/?#]{1,200})@"),
        group=1,
        check=lambda value: "@" not in value or _any_value(value),
    ),
    _Rule(
        "authorization header",
        re.compile(
            r"(?i)\b(?:authorization|proxy-authorization)[\"']?\s*[:=]\s*[\"']?"
            r"(?:bearer|basic|token|digest|apikey|bot)\s+([A-Za-z0-9._~+/:-]{8,}=*)"
        ),
        group=1,
    ),
    _Rule(
        "authorization header",
        re.compile(
            r"(?i)\b(?:x-api-key|x-auth-token|private-token|x-vault-token|api-key)[\"']?\s*:\s*"
            r"[\"']?([A-Za-z0-9._~+/-]{12,}=*)"
        ),
        group=1,
        check=_random_value,
    ),
    _Rule(
        "bearer token",
        re.compile(r"(?i)\bbearer\s+([A-Za-z0-9._~+/-]{20,}=*)"),
        group=1,
        check=lambda value: entropy(value) >= 3.0,
    ),
    # Command lines: mysql's glued -pPASSWORD, sshpass, redis-cli -a, curl -u user:pw.
    _Rule(
        "password on a command line",
        re.compile(
            # The client as a command (``/var/lib/mysql`` is a folder), and not one of
            # find's own options that happen to start with -p.
            r"(?<![\w/.-])(?:/usr(?:/local)?/s?bin/)?"
            r"(?:mysql|mariadb|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlsh|mysqlpump)"
            r"\s[^\n|;&]*?(?<=\s)-p(?![\s-]|(?:ath|erm|rint0?|rintf|rune)\b)"
            r"([^\s\"'`|;&]+|\"[^\"\n]+\"|'[^'\n]+')"
        ),
        group=1,
    ),
    _Rule(
        "password on a command line",
        re.compile(
            r"\bsshpass\s+(?:-[a-oq-zA-Z]\S*\s+)*-p\s*([^\s\"'`|;&]+|\"[^\"\n]+\"|'[^'\n]+')"
        ),
        group=1,
    ),
    _Rule(
        "password on a command line",
        re.compile(r"\bredis-cli\b[^\n|;&]*?\s-a\s+([^\s\"'`|;&]+|\"[^\"\n]+\"|'[^'\n]+')"),
        group=1,
    ),
    _Rule(
        "password on a command line",
        re.compile(r"\bcurl\b[^\n|;&]*?\s(?:-u|--user)\s*[\"']?[^:\s\"']+:([^\s\"'`|;&]+)"),
        group=1,
    ),
    _Rule(
        "password on a command line",
        re.compile(
            r"(?i)(?<![\w-])--(?:password|passwd|pass|token|secret|api-key|auth-token"
            r"|access-token|client-secret)\s+([^\s\"'`|;&-][^\s\"'`|;&]*)"
        ),
        group=1,
        check=_random_value,
    ),
)

VALUE_RULES: Final[tuple[_ValueRule, ...]] = (
    # Environment: PGPASSWORD=…, MYSQL_PWD=…, GITHUB_TOKEN=…, DB_PASS=… (upper case, no
    # space before =). A name ending in KEY also names sort keys and cache keys, so its
    # value must look generated.
    _ValueRule(
        "password in an environment variable",
        re.compile(
            r"(?<![\w$-])(?:[A-Z0-9]+_)*(?:[A-Z0-9]*(?:PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIALS?)"
            r"|PASS|PWD)(?![\w-])=" + _VALUE
        ),
        quoted=_any_value,
        bare=_any_value,
    ),
    _ValueRule(
        "key in an environment variable",
        re.compile(
            r"(?<![\w$-])(?:[A-Z0-9]+_)*(?:[A-Z0-9]*(?:API_?KEY|ACCESS_?KEY|SECRET_?KEY|PRIVATE_?KEY)"
            r"|KEY)(?![\w-])=" + _VALUE
        ),
        quoted=_random_value,
        bare=_random_value,
    ),
    # Configuration with = (properties, query strings, --password=…, ``password:=…``).
    _ValueRule(
        "password or key assignment",
        re.compile(r"(?i)(?<![A-Za-z0-9])[\"']?" + _CONFIG_NAME + r"[\"']?(?::=|=>|=)" + _VALUE),
        quoted=_any_value,
        bare=_written_value,
    ),
    # With spaces around the = (ini files, code), a bare value must look generated:
    # ``pass = passes`` is someone's shorthand, not a setting.
    _ValueRule(
        "password or key assignment",
        re.compile(
            r"(?i)(?<![A-Za-z0-9])[\"']?"
            + _CONFIG_NAME
            + r"[\"']?(?:\s+(?::=|=>|=)\s*|(?::=|=>|=)\s+)"
            + _VALUE
        ),
        quoted=_any_value,
        bare=_random_value,
    ),
    # JSON: "password": "…" (both quoted: never prose).
    _ValueRule(
        "password or key assignment",
        re.compile(r"(?i)(?<![A-Za-z0-9])[\"']" + _CONFIG_NAME + r"[\"']\s*:\s*" + _VALUE),
        quoted=_any_value,
        bare=_random_value,
    ),
    # YAML at the start of a line: ``password: "…"`` takes any value; ``password: S3cr…``
    # only one that looks generated (``Pass: browsing, checkout`` is a sentence).
    _ValueRule(
        "password or key assignment",
        re.compile(r"(?im)^[ \t]*(?:-[ \t]+)?" + _CONFIG_NAME + r"[ \t]*:[ \t]*" + _VALUE),
        quoted=_any_value,
        bare=_random_value,
    ),
    # Anywhere else, a name and a colon need a value that looks generated.
    _ValueRule(
        "password or key assignment",
        re.compile(r"(?i)(?<![A-Za-z0-9])" + _CONFIG_NAME + r"[ \t]*:[ \t]*" + _VALUE),
        quoted=_random_value,
        bare=_random_value,
    ),
)


def _candidates(text: str) -> list[SecretMatch]:
    found: list[SecretMatch] = []
    for rule in RULES:
        for match in rule.pattern.finditer(text):
            value = match.group(rule.group)
            if not value:
                continue
            start, end = match.span(rule.group)
            if value[0] in "\"'" and value[-1] == value[0] and len(value) > 1:
                value, start, end = value[1:-1], start + 1, end - 1
            if _is_placeholder(value) or (rule.check is not None and not rule.check(value)):
                continue
            found.append(SecretMatch(rule.kind, start, end))
    for value_rule in VALUE_RULES:
        for match in value_rule.pattern.finditer(text):
            value, start, end = _pick(match)
            check = value_rule.quoted if match.group("qv") is not None else value_rule.bare
            if _is_placeholder(value) or not check(value):
                continue
            found.append(SecretMatch(value_rule.kind, start, end))
    return found


def find_secrets(text: str) -> list[SecretMatch]:
    """Every likely secret in ``text``, by position; overlapping finds are merged (the
    first rule to find one names its kind)."""
    if not text:
        return []
    found = _candidates(text)
    order = {rule.kind: n for n, rule in enumerate((*RULES, *VALUE_RULES))}
    found.sort(key=lambda m: (m.start, -m.end, order[m.kind]))
    merged: list[SecretMatch] = []
    for item in found:
        if merged and item.start < merged[-1].end:
            last = merged[-1]
            if item.end > last.end:
                merged[-1] = SecretMatch(last.kind, last.start, item.end)
            continue
        merged.append(item)
    return merged


def redact(text: str, *, keep: Collection[SecretMatch] = ()) -> str:
    """``text`` with every likely secret replaced by ``[REDACTED]``, but those in ``keep``
    (findings a person allowed)."""
    return replace_matches(text, [m for m in find_secrets(text) if m not in keep], REDACTED)


def replace_matches(text: str, matches: Collection[SecretMatch], replacement: str) -> str:
    """``text`` with each of ``matches`` (from :func:`find_secrets`) replaced."""
    if not matches:
        return text
    parts: list[str] = []
    position = 0
    for match in sorted(matches, key=lambda m: m.start):
        parts += [text[position : match.start], replacement]
        position = match.end
    parts.append(text[position:])
    return "".join(parts)


def excerpt(text: str, match: SecretMatch, *, around: int = 24) -> str:
    """A short line of ``text`` around ``match`` with every secret in it masked: enough to
    find the place, never the secret (nor a neighbour's)."""
    start = max(0, match.start - around)
    end = min(len(text), match.end + around)
    inside = [
        SecretMatch(m.kind, max(m.start, start) - start, min(m.end, end) - start)
        for m in find_secrets(text)
        if m.end > start and m.start < end
    ]
    shown = replace_matches(text[start:end], inside, MASK)
    shown = " ".join(shown.split())
    return ("…" if start > 0 else "") + shown + ("…" if end < len(text) else "")
