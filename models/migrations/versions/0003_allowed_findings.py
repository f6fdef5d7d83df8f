"""allowed_finding: secret-scan findings a responder allowed, each for one exact text

Revision ID: 0003_allowed_findings
Revises: 0002_publication
Create Date: 2026-12-04 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.types

revision: str = "0003_allowed_findings"
down_revision: str | None = "0002_publication"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "allowed_finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("text_sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("allowed_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", "finding_id", name="uq_allowed_finding"),
    )
    with op.batch_alter_table("allowed_finding", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_allowed_finding_incident_id"), ["incident_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("allowed_finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allowed_finding_incident_id"))
    op.drop_table("allowed_finding")
