"""Channels: intermediaries' agreements, their attested end customers, tokens scoped to one
intermediary, channel webhooks, the phone and e-mail on accounts (runtime signals)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ACCOUNT_COLUMNS = (("phone", 40), ("email", 320))


def upgrade() -> None:
    op.create_table(
        "channels",
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("attestation", sa.String(length=16), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("org_id"),
    )
    op.create_table(
        "end_customers",
        sa.Column("channel_id", sa.String(length=40), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["channel_id"], ["channels.org_id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("channel_id", "ref"),
    )
    op.create_index("ix_end_customers_org_id", "end_customers", ["org_id"])
    # Nullable columns only: ALTER TABLE ... ADD COLUMN on both backends (no table rebuild).
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel_id", sa.String(length=40), nullable=True))
    with op.batch_alter_table("webhooks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel_id", sa.String(length=40), nullable=True))
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        for name, length in _ACCOUNT_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), as 0004 does: no table rebuilds.
    for name, _length in reversed(_ACCOUNT_COLUMNS):
        op.drop_column("accounts", name)
    op.drop_column("webhooks", "channel_id")
    op.drop_column("tokens", "channel_id")
    op.drop_index("ix_end_customers_org_id", table_name="end_customers")
    op.drop_table("end_customers")
    op.drop_table("channels")
