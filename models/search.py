"""Search across incidents: titles, narrative sections, timeline entries and action items.

One function, :func:`search`, serves ``workbook search`` and the workbook's search screen.
The full-text indexes are made by migration 0006_search (FTS5 on SQLite, a ``tsvector``
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

__all__ = ["INCIDENT_SECTIONS", "SearchHit", "search"]

INCIDENT_SECTIONS: Final = (
    "title",
    "summary",
    "impact_narrative",
    "root_cause",
    "trigger",
    "resolution",
    "detection",
    "went_well",
    "went_wrong",
    "got_lucky",
    "supporting_info",
)
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
