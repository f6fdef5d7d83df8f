"""Search across incidents: titles, narrative sections, timeline entries and action items.

One function, :func:`search`, serves ``workbook search`` and the workbook's search screen.
The full-text indexes are made by migration 0004_search (FTS5 on SQLite, a ``tsvector``
column with a GIN index on PostgreSQL) and kept current by the database itself; this module
only reads them. Ranking is the engine's own (BM25 on SQLite, ``ts_rank`` on PostgreSQL);
titles weigh more than the other sections. A word so common that it matches more than
``RANKED_CANDIDATES`` rows of one kind has only the newest of them ranked. Snippets and
match offsets are worked out here, from the stored text, so both backends mark matches
alike.

Text attachments are not searched yet: when they exist, a fourth source joins the three
in ``_SQLITE_SOURCES`` / ``_POSTGRESQL_SOURCES`` and ``_details`` (kind ``attachment``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, Final

from sqlalchemy import Connection, Engine, bindparam, text

from models.search_query import Query, match_spans, parse_query, snippet
from models.tables import NARRATIVE_FIELDS

__all__ = [
    "INCIDENT_SECTIONS",
    "RelatedIncident",
    "SearchHit",
    "not_search_index",
    "related_incidents",
    "search",
]

INCIDENT_SECTIONS: Final = ("title", *NARRATIVE_FIELDS)
DEFAULT_LIMIT: Final = 20
SNIPPET_WIDTH: Final = 100
# How many of the newest matches of each kind are ranked. Ranking costs a few microseconds
# per match; a word found in half of 100,000 entries would take the whole time budget,
# and among that many the newer ones are the likelier answer.
RANKED_CANDIDATES: Final = 2_000
# BM25 weights per incident column: a word in the title counts four times.
_TITLE_WEIGHTS: Final = ", ".join(["4.0"] + ["1.0"] * (len(INCIDENT_SECTIONS) - 1))


@dataclass(frozen=True)
class SearchHit:
    """One place a query matched, with what to show and where to go."""

    incident_id: int
    slug: str
    incident_title: str
    severity: str
    kind: str  # "incident" (title or a section), "entry" or "action"
    section: str | None  # the incident column, for kind "incident"
    entry_id: int | None  # the entry, or the entry an action item came from
    action_ref: str | None
    at: datetime | None
    text: str
    snippet: str
    spans: tuple[tuple[int, int], ...]
    score: float
    tags: tuple[str, ...] = field(default=())

    @property
    def where(self) -> str:
        if self.kind == "entry":
            return f"entry {self.entry_id}"
        if self.kind == "action":
            return str(self.action_ref)
        return str(self.section)

    def as_dict(self) -> dict[str, Any]:
        return {
            "incident": {
                "id": self.incident_id,
                "slug": self.slug,
                "title": self.incident_title,
                "severity": self.severity,
            },
            "kind": self.kind,
            "where": self.where,
            "section": self.section,
            "entry_id": self.entry_id,
            "action_ref": self.action_ref,
            "at": _iso(self.at),
            "snippet": self.snippet,
            "matches": [list(s) for s in self.spans],
            "score": round(self.score, 6),
        }


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _when(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        value = json.loads(value)
    return [str(v) for v in value] if isinstance(value, list) else []


def not_search_index(name: str | None, type_: str, parent_names: Mapping[str, Any]) -> bool:
    """False for what migration 0004_search adds beside the tables the code declares.

    Alembic's ``include_name`` hook: comparing the schema with the model (autogenerate, and
    the tests that hold migrations to the tables) leaves the search indexes alone: the FTS5
    tables and their shadow tables, the ``search_vector`` columns and their GIN indexes.
    """
    if name is None:
        return True
    if type_ == "table":
        return "_fts" not in name
    if type_ == "column":
        return name != "search_vector"
    if type_ == "index":
        return not name.endswith("_search")
    return True


# -- the first pass: which rows match, best first ---------------------------------------------


def _incident_filters(
    dialect: str, query: Query, since: date | None, severity: str | None
) -> tuple[list[str], dict[str, Any]]:
    """Conditions on an incident ``i``, with their parameters."""
    where: list[str] = []
    params: dict[str, Any] = {}
    if since is not None:
        start = datetime.combine(since, time(), tzinfo=UTC).replace(tzinfo=None)
        params["since"] = start.strftime("%Y-%m-%d %H:%M:%S.%f") if dialect == "sqlite" else start
        where.append("coalesce(i.started_at, i.created_at) >= :since")
    if severity is not None:
        params["severity"] = severity
        where.append("i.severity = :severity")
    for n, (names, negate) in enumerate([(query.services, False), (query.excluded_services, True)]):
        for m, name in enumerate(names):
            key = f"svc{n}_{m}"
            params[key] = name
            if dialect == "sqlite":
                test = f"EXISTS (SELECT 1 FROM json_each(i.services) WHERE lower(value) = :{key})"
            else:
                test = (
                    "EXISTS (SELECT 1 FROM json_array_elements_text(CAST(i.services AS json)) s"
                    f" WHERE lower(s) = :{key})"
                )
            where.append(f"NOT {test}" if negate else test)
    return where, params


def _tag_filters(dialect: str, query: Query) -> tuple[list[str], dict[str, Any]]:
    """Conditions on an entry ``e``'s tags."""
    where: list[str] = []
    params: dict[str, Any] = {}
    for n, (tags, negate) in enumerate([(query.tags, False), (query.excluded_tags, True)]):
        for m, tag in enumerate(tags):
            key = f"tag{n}_{m}"
            if dialect == "sqlite":
                params[key] = tag
                # Tags are lowercase words and hyphens, so their JSON text is the tag in
                # quotes: the LIKE spares most rows the JSON parse.
                params[f"{key}_like"] = f'%"{tag}"%'
                test = (
                    f"e.tags LIKE :{key}_like AND "
                    f"EXISTS (SELECT 1 FROM json_each(e.tags) WHERE value = :{key})"
                )
            else:
                params[key] = json.dumps([tag])
                test = f"CAST(e.tags AS jsonb) @> CAST(:{key} AS jsonb)"
            where.append(f"NOT ({test})" if negate else test)
    return where, params


def _and(conditions: Sequence[str]) -> str:
    return " AND ".join(f"({c})" for c in conditions) if conditions else "1 = 1"


def _matching_rows(
    conn: Connection, query: Query, since: date | None, severity: str | None, limit: int
) -> list[tuple[str, int, float]]:
    """(kind, row id, score) for the best ``limit`` matches; a higher score is better."""
    dialect = conn.dialect.name
    inc_where, params = _incident_filters(dialect, query, since, severity)
    tag_where, tag_params = _tag_filters(dialect, query)
    params.update(tag_params)
    params["limit"] = limit
    params["candidates"] = RANKED_CANDIDATES
    # The incident filters, worked out once rather than for every matching row.
    in_incidents = (
        [f"{{t}}.incident_id IN (SELECT i.id FROM incident i WHERE {_and(inc_where)})"]
        if inc_where
        else []
    )
    entry_where = [c.format(t="e") for c in in_incidents] + [*tag_where, "e.deleted_at IS NULL"]
    action_where = [c.format(t="a") for c in in_incidents]

    if not query.has_words:
        # Filters alone: the latest tagged entries, or the newest incidents of a service.
        if query.tags or query.excluded_tags:
            sql = (
                f"SELECT 'entry', e.id, 0.0 FROM timeline_entry e WHERE {_and(entry_where)} "
                "ORDER BY e.id DESC LIMIT :limit"
            )
        else:
            sql = (
                f"SELECT 'incident', i.id, 0.0 FROM incident i WHERE {_and(inc_where)} "
                "ORDER BY coalesce(i.started_at, i.created_at) DESC, i.id DESC LIMIT :limit"
            )
        return [(r[0], r[1], r[2]) for r in conn.execute(text(sql), params)]

    # Each source ranks only its newest RANKED_CANDIDATES matches (see the module's note).
    if dialect == "sqlite":
        params["q"] = query.fts5()
        sources = [
            ("entry", "timeline_entry_fts", "timeline_entry e", "e", entry_where, ""),
            ("incident", "incident_fts", "incident i", "i", inc_where, f", {_TITLE_WEIGHTS}"),
            ("action", "action_item_fts", "action_item a", "a", action_where, ""),
        ]
        parts = [
            f"SELECT * FROM (SELECT '{kind}' AS kind, {t}.id AS rid, -bm25({fts}{weights}) "
            f"AS score FROM {fts} JOIN {table} ON {t}.id = {fts}.rowid "
            f"WHERE {fts} MATCH :q AND {_and(where)} "
            f"ORDER BY {fts}.rowid DESC LIMIT :candidates)"
            for kind, fts, table, t, where, weights in sources
            if kind == "entry" or not query.entries_only
        ]
    else:
        params["q"] = query.tsquery()
        sources = [
            ("entry", "timeline_entry e", "e", entry_where),
            ("incident", "incident i", "i", inc_where),
            ("action", "action_item a", "a", action_where),
        ]
        parts = [
            f"SELECT '{kind}' AS kind, c.id AS rid, ts_rank(c.search_vector, q.q) AS score "
            f"FROM (SELECT {t}.id, {t}.search_vector FROM {table} "
            f"WHERE {t}.search_vector @@ to_tsquery('simple', :q) AND {_and(where)} "
            f"ORDER BY {t}.id DESC LIMIT :candidates) c, to_tsquery('simple', :q) AS q(q)"
            for kind, table, t, where in sources
            if kind == "entry" or not query.entries_only
        ]
    sql = " UNION ALL ".join(parts) + " ORDER BY score DESC, rid DESC LIMIT :limit"
    return [(r[0], r[1], float(r[2])) for r in conn.execute(text(sql), params)]


# -- the second pass: what to show for each ----------------------------------------------------


def _by_id(conn: Connection, sql: str, ids: set[int]) -> dict[int, Mapping[str, Any]]:
    if not ids:
        return {}
    statement = text(sql).bindparams(bindparam("ids", expanding=True))
    return {row.id: row._mapping for row in conn.execute(statement, {"ids": sorted(ids)})}


def _details(conn: Connection, rows: list[tuple[str, int, float]], query: Query) -> list[SearchHit]:
    wanted: dict[str, set[int]] = {"incident": set(), "entry": set(), "action": set()}
    for kind, rid, _score in rows:
        wanted[kind].add(rid)
    entries = _by_id(
        conn,
        "SELECT id, incident_id, at, text, tags FROM timeline_entry WHERE id IN :ids",
        wanted["entry"],
    )
    actions = _by_id(
        conn,
        "SELECT id, incident_id, number, title, source_entry_id, created_at "
        "FROM action_item WHERE id IN :ids",
        wanted["action"],
    )
    incident_ids = wanted["incident"] | {
        int(r["incident_id"]) for r in [*entries.values(), *actions.values()]
    }
    columns = ", ".join(f'"{c}"' for c in INCIDENT_SECTIONS)
    incidents = _by_id(
        conn,
        f"SELECT id, slug, severity, started_at, created_at, {columns} "
        "FROM incident WHERE id IN :ids",
        incident_ids,
    )

    hits: list[SearchHit] = []
    for kind, rid, score in rows:
        section: str | None = None
        entry_id: int | None = None
        action_ref: str | None = None
        tags: tuple[str, ...] = ()
        if kind == "entry":
            row = entries[rid]
            incident = incidents[int(row["incident_id"])]
            body, at, entry_id = str(row["text"]), _when(row["at"]), rid
            tags = tuple(_strings(row["tags"]))
        elif kind == "action":
            row = actions[rid]
            incident = incidents[int(row["incident_id"])]
            body, at = str(row["title"]), _when(row["created_at"])
            action_ref = f"AI-{row['number']}"
            entry_id = row["source_entry_id"]
        else:
            incident = incidents[rid]
            section, body = _best_section(incident, query)
            at = _when(incident["started_at"]) or _when(incident["created_at"])
        spans = match_spans(body, query)
        shown, shown_spans = snippet(body, spans, SNIPPET_WIDTH)
        hits.append(
            SearchHit(
                incident_id=int(incident["id"]),
                slug=str(incident["slug"]),
                incident_title=str(incident["title"]),
                severity=str(incident["severity"]),
                kind=kind,
                section=section,
                entry_id=entry_id,
                action_ref=action_ref,
                at=at,
                text=body,
                snippet=shown,
                spans=tuple(shown_spans),
                score=score,
                tags=tags,
            )
        )
    return hits


def _best_section(incident: Mapping[str, Any], query: Query) -> tuple[str, str]:
    """The incident column with the most matches (the title on a tie or none)."""
    best, best_count = "title", 0
    for name in INCIDENT_SECTIONS:
        count = len(match_spans(str(incident[name] or ""), query))
        if count > best_count:
            best, best_count = name, count
    return best, str(incident[best] or "")


def search(
    engine: Engine,
    query: Query | str,
    *,
    since: date | None = None,
    severity: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[SearchHit]:
    """The best ``limit`` hits for ``query``; raises QueryError for a query with nothing to find."""
    parsed = parse_query(query) if isinstance(query, str) else query
    with engine.connect() as conn, conn.begin():
        rows = _matching_rows(conn, parsed, since, severity, max(1, limit))
        return _details(conn, rows, parsed)


# -- related incidents ---------------------------------------------------------------------

# Words too common in incident writing to say two incidents are alike.
_PLAIN_WORDS: Final = frozenset(
    """
    a an and are as at be been but by for from had has have in into is it its of on or
    our that the their then there this to was were when which while with we after before
    not no all any some more less than also out up down over under about again did do
    """.split()  # noqa: SIM905 (a word list reads better as words)
)
RELATED_WORDS: Final = 16


@dataclass(frozen=True)
class RelatedIncident:
    """An earlier incident like this one, and what they share."""

    incident_id: int
    slug: str
    title: str
    started_at: datetime | None
    root_cause_line: str
    services: tuple[str, ...]
    tags: tuple[str, ...]
    words: tuple[str, ...]
    score: float


def _distinctive_words(*texts: str) -> list[str]:
    from models.search_query import tokens_of

    seen: dict[str, None] = {}
    for body in texts:
        for token in tokens_of(body):
            if len(token) >= 3 and not token.isdigit() and token not in _PLAIN_WORDS:
                seen.setdefault(token, None)
    return list(seen)[:RELATED_WORDS]


def _free_tags(tag_lists: Sequence[object]) -> set[str]:
    from models.vocabulary import KNOWN_TAGS

    return {t for tags in tag_lists for t in _strings(tags) if t not in KNOWN_TAGS}


def related_incidents(engine: Engine, incident_id: int, *, limit: int = 5) -> list[RelatedIncident]:
    """Earlier incidents that share this one's services, free tags or distinctive words.

    The words come from the title, summary, trigger and root cause; the engine's ranking
    (BM25 or ts_rank) weighs a rare shared word above a common one. A shared service or
    tag counts as much as the best word match.
    """
    from models.search_query import Query, Term

    with engine.connect() as conn, conn.begin():
        dialect = conn.dialect.name
        me = (
            conn.execute(
                text(
                    'SELECT id, title, summary, root_cause, "trigger", services, '
                    "coalesce(started_at, created_at) AS began FROM incident WHERE id = :i"
                ),
                {"i": incident_id},
            )
            .mappings()
            .first()
        )
        if me is None:
            return []
        began = me["began"]
        services = {s.lower() for s in _strings(me["services"])}
        tags = _free_tags(
            conn.execute(
                text(
                    "SELECT tags FROM timeline_entry WHERE incident_id = :i AND deleted_at IS NULL"
                ),
                {"i": incident_id},
            ).scalars()
        )
        earlier = "coalesce(i.started_at, i.created_at) < :began AND i.id != :i"
        params: dict[str, Any] = {"i": incident_id, "began": began}

        text_scores: dict[int, float] = {}
        words = _distinctive_words(me["title"], me["summary"], me["trigger"], me["root_cause"])
        if words:
            terms = tuple(Term((w,), prefix=False) for w in words)
            if dialect == "sqlite":
                match = " OR ".join(t.fts5() for t in terms)
                sql = (
                    "SELECT i.id, -bm25(incident_fts, "
                    f"{_TITLE_WEIGHTS}) FROM incident_fts JOIN incident i "
                    "ON i.id = incident_fts.rowid WHERE incident_fts MATCH :q AND "
                    f"{earlier} ORDER BY 2 DESC LIMIT 20"
                )
            else:
                match = " | ".join(t.tsquery() for t in terms)
                sql = (
                    "SELECT i.id, ts_rank(i.search_vector, to_tsquery('simple', :q)) AS r "
                    "FROM incident i WHERE i.search_vector @@ to_tsquery('simple', :q) "
                    f"AND {earlier} ORDER BY r DESC LIMIT 20"
                )
            found = [
                (int(r[0]), float(r[1])) for r in conn.execute(text(sql), {**params, "q": match})
            ]
            best = max((s for _, s in found), default=0.0) or 1.0
            text_scores = {rid: score / best for rid, score in found}

        sharing: set[int] = set()
        if services:
            service_test = (
                "EXISTS (SELECT 1 FROM json_each(i.services) WHERE lower(value) IN :svcs)"
                if dialect == "sqlite"
                else "EXISTS (SELECT 1 FROM json_array_elements_text(CAST(i.services AS json))"
                " s WHERE lower(s) IN :svcs)"
            )
            statement = text(
                f"SELECT i.id FROM incident i WHERE {earlier} AND {service_test} "
                "ORDER BY coalesce(i.started_at, i.created_at) DESC LIMIT 50"
            ).bindparams(bindparam("svcs", expanding=True))
            sharing |= {
                int(r[0]) for r in conn.execute(statement, {**params, "svcs": sorted(services)})
            }
        if tags:
            tag_test = (
                "EXISTS (SELECT 1 FROM json_each(e.tags) WHERE value IN :tags)"
                if dialect == "sqlite"
                else "EXISTS (SELECT 1 FROM json_array_elements_text(CAST(e.tags AS json)) t"
                " WHERE t IN :tags)"
            )
            statement = text(
                "SELECT DISTINCT e.incident_id FROM timeline_entry e JOIN incident i "
                f"ON i.id = e.incident_id WHERE {earlier} AND e.deleted_at IS NULL "
                f"AND {tag_test}"
            ).bindparams(bindparam("tags", expanding=True))
            sharing |= {
                int(r[0]) for r in conn.execute(statement, {**params, "tags": sorted(tags)})
            }

        candidates = set(text_scores) | sharing
        if not candidates:
            return []
        columns = ", ".join(f'"{c}"' for c in INCIDENT_SECTIONS)
        rows = _by_id(
            conn,
            f"SELECT id, slug, services, started_at, created_at, {columns} "
            "FROM incident WHERE id IN :ids",
            candidates,
        )
        their_tags: dict[int, set[str]] = {}
        if tags:
            statement = text(
                "SELECT incident_id, tags FROM timeline_entry WHERE incident_id IN :ids "
                "AND deleted_at IS NULL"
            ).bindparams(bindparam("ids", expanding=True))
            for rid, entry_tags in conn.execute(statement, {"ids": sorted(candidates)}):
                their_tags.setdefault(int(rid), set()).update(_free_tags([entry_tags]) & tags)

    word_query = Query(terms=tuple(Term((w,), prefix=False) for w in words))
    related = []
    for rid, row in rows.items():
        shared_services = tuple(s for s in _strings(row["services"]) if s.lower() in services)
        shared_tags = tuple(sorted(their_tags.get(rid, set())))
        body = " ".join(str(row[c] or "") for c in ("title", "summary", "trigger", "root_cause"))
        shared_words = (
            tuple(dict.fromkeys(body[s:e].lower() for s, e in match_spans(body, word_query)))
            if words
            else ()
        )
        score = text_scores.get(rid, 0.0) + len(shared_services) + len(shared_tags)
        root = next(
            (line.strip() for line in str(row["root_cause"] or "").splitlines() if line.strip()), ""
        )
        related.append(
            RelatedIncident(
                incident_id=rid,
                slug=str(row["slug"]),
                title=str(row["title"]),
                started_at=_when(row["started_at"]) or _when(row["created_at"]),
                root_cause_line=root,
                services=shared_services,
                tags=shared_tags,
                words=shared_words[:6],
                score=score,
            )
        )
    related.sort(key=lambda r: (-r.score, -(r.started_at.timestamp() if r.started_at else 0)))
    return related[:limit]
