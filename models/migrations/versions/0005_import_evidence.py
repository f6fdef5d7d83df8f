"""import_evidence: where an imported incident's start, end and duration came from

Revision ID: 0005_import_evidence
Revises: 0004_search
Create Date: 2026-12-04 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.types

revision: str = "0005_import_evidence"
down_revision: str | None = "0004_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("figure", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("at", models.types.UTCDateTime(), nullable=True),
        sa.Column("minutes", sa.Float(), nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("confidence", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("corrected_at", models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", "figure", name="uq_import_evidence"),
    )
    with op.batch_alter_table("import_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_import_evidence_incident_id"), ["incident_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("import_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_evidence_incident_id"))
    op.drop_table("import_evidence")
