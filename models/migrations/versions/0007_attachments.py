"""attachments: files kept with an incident or one of its entries

Revision ID: 0007_attachments
Revises: 0006_presence
Create Date: 2026-12-04 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.types

revision: str = "0007_attachments"
down_revision: str | None = "0006_presence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A new table only: incident and timeline_entry carry the search triggers of 0006 and
    # must not be rebuilt.
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("is_text", sa.Boolean(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["entry_id"], ["timeline_entry.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", "name", name="uq_attachment_name"),
    )
    op.create_index("ix_attachment_incident_id", "attachment", ["incident_id"], unique=False)
    op.create_index("ix_attachment_entry_id", "attachment", ["entry_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_attachment_entry_id", table_name="attachment")
    op.drop_index("ix_attachment_incident_id", table_name="attachment")
    op.drop_table("attachment")
