"""presence: who has which incident open; change counters for SQLite's live refresh

Revision ID: 0006_presence
Revises: 0005_import_evidence
Create Date: 2026-12-04 17:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.types

revision: str = "0006_presence"
down_revision: str | None = "0005_import_evidence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "presence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("login", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("host", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("heartbeat_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_key", name="uq_presence_session"),
    )
    with op.batch_alter_table("presence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_presence_incident_id"), ["incident_id"], unique=False)
    # SQLite has no NOTIFY: each write bumps one of these in its own transaction, so a
    # watcher that sees PRAGMA data_version move can tell a change to the record from a
    # session arriving or leaving, or from a bare heartbeat (and a commit that bumps none,
    # from another program, counts as a change to the record).
    counter = op.create_table(
        "change_counter",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    kinds = ("record", "presence", "heartbeat")
    op.bulk_insert(counter, [{"name": kind, "version": 0} for kind in kinds])


def downgrade() -> None:
    op.drop_table("change_counter")
    with op.batch_alter_table("presence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_presence_incident_id"))
    op.drop_table("presence")
