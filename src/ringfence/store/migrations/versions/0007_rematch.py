"""Re-match on publish: why an organisation is back in the review queue, and the candidates
an analyst dismissed

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_COLUMNS = ("review_due", "dismissed")


def upgrade() -> None:
    # Nullable columns only: ALTER TABLE ... ADD COLUMN on both backends (no table rebuild).
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        for name in _COLUMNS:
            batch_op.add_column(sa.Column(name, sa.JSON(), nullable=True))


def downgrade() -> None:
    for name in reversed(_COLUMNS):
        op.drop_column("organizations", name)
