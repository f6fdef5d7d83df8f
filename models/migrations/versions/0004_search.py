"""search: full-text indexes over incidents, timeline entries and action items

Revision ID: 0004_search
Revises: 0003_allowed_findings
Create Date: 2026-12-04 18:15:00

SQLite: three FTS5 tables that read their text from the tables themselves (external
content), kept current by triggers, so every write path (the ORM, bulk inserts, imports,
hand-written SQL) updates the index without knowing it exists. PostgreSQL: a stored
generated ``tsvector`` column on each table with a GIN index, which the database keeps
current the same way. Both are filled from the rows already there.

The text is indexed as words of letters and digits, in lower case; on PostgreSQL the
punctuation is turned into spaces first so that both backends split ``db-01.prod`` into the
same words (PostgreSQL's own parser would keep host names and paths whole).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004_search"
down_revision: str | None = "0003_allowed_findings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Incident columns searched, title first; models/search.py names the same ones.
INCIDENT_COLUMNS = (
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
# (index, table, its searched columns)
SQLITE_INDEXES = (
    ("incident_fts", "incident", INCIDENT_COLUMNS),
    ("timeline_entry_fts", "timeline_entry", ("text",)),
    ("action_item_fts", "action_item", ("title",)),
)
TOKENIZER = "unicode61 remove_diacritics 2"


def _q(name: str) -> str:
    return f'"{name}"'  # "trigger" is an SQL keyword


def _sqlite_upgrade() -> None:
    for index, table, columns in SQLITE_INDEXES:
        cols = ", ".join(_q(c) for c in columns)
        new = ", ".join(f"new.{_q(c)}" for c in columns)
        old = ", ".join(f"old.{_q(c)}" for c in columns)
        op.execute(
            f"CREATE VIRTUAL TABLE {index} USING fts5({cols}, content='{table}', "
            f"content_rowid='id', tokenize='{TOKENIZER}', prefix='2 3')"
        )
        op.execute(
            f"CREATE TRIGGER {index}_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {index}(rowid, {cols}) VALUES (new.id, {new}); END"
        )
        op.execute(
            f"CREATE TRIGGER {index}_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {index}({index}, rowid, {cols}) VALUES ('delete', old.id, {old}); END"
        )
        # Only when searched text changes: an incident's updated_at moves on every entry.
        op.execute(
            f"CREATE TRIGGER {index}_au AFTER UPDATE OF {cols} ON {table} BEGIN "
            f"INSERT INTO {index}({index}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
            f"INSERT INTO {index}(rowid, {cols}) VALUES (new.id, {new}); END"
        )
        op.execute(f"INSERT INTO {index}({index}) VALUES ('rebuild')")


def _pg_words(expression: str) -> str:
    spaced = f"regexp_replace({expression}, '[[:punct:]]+', ' ', 'g')"
    return f"to_tsvector('simple'::regconfig, {spaced})"


def _postgresql_upgrade() -> None:
    title = _pg_words("coalesce(title, '')")
    rest = " || ' ' || ".join(f"coalesce({_q(c)}, '')" for c in INCIDENT_COLUMNS[1:])
    vectors = {
        "incident": f"setweight({title}, 'A') || setweight({_pg_words(rest)}, 'B')",
        "timeline_entry": _pg_words("coalesce(text, '')"),
        "action_item": _pg_words("coalesce(title, '')"),
    }
    for table, vector in vectors.items():
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({vector}) STORED"
        )
        op.execute(f"CREATE INDEX ix_{table}_search ON {table} USING gin (search_vector)")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_upgrade()
    elif dialect == "postgresql":
        _postgresql_upgrade()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for index, _table, _columns in SQLITE_INDEXES:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {index}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {index}")
    elif dialect == "postgresql":
        for table in ("incident", "timeline_entry", "action_item"):
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search")
            op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
