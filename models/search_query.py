"""The search language, read into a plain query: no database, no Textual.

What a person types:

- ``word``: an indexed word starting with it (``time`` finds ``timeout``);
- ``"two words"``: those words, next to each other, as written (no prefixes);
- ``-word`` / ``-"two words"``: leave out what contains it;
- ``tag:false-lead`` (short forms too: ``tag:fl``), ``service:checkout``: only timeline
  entries with that tag, only incidents of that service; ``-tag:`` and ``-service:`` leave
  them out.

Words are split the way the full-text indexes split text: runs of letters and digits, in
lower case; everything else is a separator, so ``db-01`` is read as the phrase ``db 01``.
User text only ever reaches a full-text engine as those letter-and-digit tokens, each quoted,
so no character typed can be read as that engine's own syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from models.vocabulary import VocabularyError, normalize_tag

__all__ = [
    "Query",
    "QueryError",
    "Term",
    "match_spans",
    "parse_query",
    "snippet",
    "tokens_of",
]

_TOKEN: Final = re.compile(r"[^\W_]+")
_FILTER: Final = re.compile(r"(?i)(tag|service):(.*)")
MAX_TERMS: Final = 32


class QueryError(ValueError):
    """A query that cannot be searched as typed; the message says what to type."""


def tokens_of(text: str) -> tuple[str, ...]:
    """The indexed words of ``text``, lower case."""
    return tuple(t.lower() for t in _TOKEN.findall(text))


@dataclass(frozen=True)
class Term:
    """One word (a prefix) or one phrase (exact words in order, last one a prefix if a word)."""

    tokens: tuple[str, ...]
    prefix: bool

    def fts5(self) -> str:
        # Tokens hold only letters and digits, and are quoted anyway.
        quoted = '"' + " ".join(t.replace('"', '""') for t in self.tokens) + '"'
        return quoted + ("*" if self.prefix else "")

    def tsquery(self) -> str:
        parts = [f"'{t}'" for t in self.tokens]
        if self.prefix:
            parts[-1] += ":*"
        joined = " <-> ".join(parts)
        return f"({joined})" if len(parts) > 1 else joined

    def pattern(self) -> str:
        """A regular expression finding this term in original text (case-insensitive)."""
        body = r"[\W_]+".join(re.escape(t) for t in self.tokens)
        tail = r"[^\W_]*" if self.prefix else r"(?![^\W_])"
        return r"(?<![^\W_])" + body + tail


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...] = ()
    excluded: tuple[Term, ...] = ()
    tags: tuple[str, ...] = ()
    excluded_tags: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    excluded_services: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def has_words(self) -> bool:
        return bool(self.terms)

    @property
    def entries_only(self) -> bool:
        """Tag filters apply to timeline entries: sections and action items have no tags."""
        return bool(self.tags)

    def fts5(self) -> str:
        """An FTS5 MATCH expression; only meaningful when :attr:`has_words`."""
        positive = " AND ".join(t.fts5() for t in self.terms)
        if not self.excluded:
            return positive
        negative = " OR ".join(t.fts5() for t in self.excluded)
        return f"({positive}) NOT ({negative})"

    def tsquery(self) -> str:
        """A PostgreSQL ``to_tsquery`` text; only meaningful when :attr:`has_words`."""
        parts = [t.tsquery() for t in self.terms]
        parts += [f"!{t.tsquery()}" for t in self.excluded]
        return " & ".join(parts)


def _split(text: str) -> list[tuple[bool, bool, str]]:
    """(excluded, quoted, text) pieces: quoted phrases and whitespace-separated words."""
    pieces: list[tuple[bool, bool, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        excluded = False
        if ch == "-" and i + 1 < n and not text[i + 1].isspace():
            excluded, i = True, i + 1
        if text[i] == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end
            pieces.append((excluded, True, text[i + 1 : end]))
            i = end + 1
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] != '"':
            i += 1
        pieces.append((excluded, False, text[start:i]))
    return pieces


def parse_query(text: str) -> Query:
    """Read what was typed; raises :class:`QueryError` for a query with nothing to find."""
    terms: list[Term] = []
    excluded: list[Term] = []
    tags: list[str] = []
    excluded_tags: list[str] = []
    services: list[str] = []
    excluded_services: list[str] = []
    for is_excluded, quoted, piece in _split(str(text)):
        match = None if quoted else _FILTER.fullmatch(piece)
        if match is not None and match.group(2).strip():
            kind, value = match.group(1).lower(), match.group(2).strip()
            if kind == "tag":
                try:
                    tag = normalize_tag(value)
                except VocabularyError as exc:
                    raise QueryError(str(exc)) from None
                (excluded_tags if is_excluded else tags).append(tag)
            else:
                (excluded_services if is_excluded else services).append(value.lower())
            continue
        tokens = tokens_of(piece)
        if not tokens:
            continue
        (excluded if is_excluded else terms).append(Term(tokens, prefix=not quoted))
    if len(terms) + len(excluded) > MAX_TERMS:
        raise QueryError(f"too many words: a search takes at most {MAX_TERMS}")
    if excluded and not terms:
        raise QueryError("add a word to look for: -word only leaves things out")
    if not (terms or tags or services or excluded_tags or excluded_services):
        raise QueryError(
            'type a word to look for: words, "a phrase", -word, tag:TAG or service:NAME'
        )
    return Query(
        terms=tuple(terms),
        excluded=tuple(excluded),
        tags=tuple(dict.fromkeys(tags)),
        excluded_tags=tuple(dict.fromkeys(excluded_tags)),
        services=tuple(dict.fromkeys(services)),
        excluded_services=tuple(dict.fromkeys(excluded_services)),
    )


def match_spans(text: str, query: Query) -> list[tuple[int, int]]:
    """Where the query's words occur in ``text``: sorted, non-overlapping (start, end) pairs.

    Accents are compared as written, so a match the SQLite index found by folding an
    accent away may have no span; the snippet then starts at the text's beginning.
    """
    if not query.terms:
        return []
    pattern = re.compile("|".join(t.pattern() for t in query.terms), re.IGNORECASE)
    return [(m.start(), m.end()) for m in pattern.finditer(text) if m.end() > m.start()]


def snippet(
    text: str, spans: list[tuple[int, int]], width: int = 100
) -> tuple[str, list[tuple[int, int]]]:
    """At most ``width`` characters of ``text`` on one line around its first match.

    Returns the snippet and the match spans within it. Line breaks become spaces; an
    ellipsis marks text left out at either end.
    """
    flat = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    first = spans[0][0] if spans else 0
    start = max(0, min(first - width // 4, len(flat) - width))
    end = min(len(flat), start + width)
    # Start on a word boundary when cutting into a word.
    if start > 0:
        space = flat.find(" ", start, first if spans else end)
        if space >= 0:
            start = space + 1
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    body = flat[start:end]
    shift = len(prefix) - start
    inside = [
        (max(s, start) + shift, min(e, end) + shift) for s, e in spans if e > start and s < end
    ]
    return prefix + body + suffix, inside
