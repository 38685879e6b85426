"""ALLOW decisions are indexed by batch (id prefix and counter range), not one row each

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision_batches",
        sa.Column("audit_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("id_prefix", sa.String(length=64), nullable=False),
        sa.Column("first_n", sa.BigInteger(), nullable=False),
        sa.Column("last_n", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("audit_seq"),
    )
    op.create_index("ix_decision_batches_range", "decision_batches",
                    ["id_prefix", "first_n"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_decision_batches_range", table_name="decision_batches")
    op.drop_table("decision_batches")
