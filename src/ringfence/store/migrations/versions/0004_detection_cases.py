"""Detection: findings, cases and links; the accounts.jsonl profile on accounts; the
provider's organisation id on organisations

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ACCOUNT_COLUMNS = (("payment_fingerprint", 200), ("payment_bin", 16), ("payment_country", 2),
                    ("signup_device_fp", 200), ("signup_ip", 64))


def upgrade() -> None:
    # Nullable columns and plain indexes: ALTER TABLE ... ADD COLUMN and CREATE INDEX on
    # both backends (no SQLite table rebuild, so foreign keys to these tables are untouched).
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        for name, length in _ACCOUNT_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    op.create_index("ix_accounts_payment_fingerprint", "accounts", ["payment_fingerprint"])
    op.create_index("ix_accounts_signup_device_fp", "accounts", ["signup_device_fp"])
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provider_org_id", sa.String(length=200), nullable=True))
    op.create_index("ix_organizations_provider_org_id", "organizations", ["provider_org_id"],
                    unique=True)

    op.create_table(
        "detect_cases",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("cluster_id", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proposed_action", sa.String(length=16), nullable=False),
        sa.Column("decided_action", sa.String(length=16), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("first_flagged", sa.String(length=40), nullable=True),
        sa.Column("checkpoint", sa.String(length=40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("account_ids", sa.JSON(), nullable=False),
        sa.Column("org_ids", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("fingerprints", sa.JSON(), nullable=False),
        sa.Column("excerpts", sa.JSON(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("decided_accounts", sa.JSON(), nullable=True),
        sa.Column("decided_orgs", sa.JSON(), nullable=True),
        sa.Column("decided_fingerprints", sa.JSON(), nullable=True),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("pending", sa.JSON(), nullable=True),
        sa.Column("parent_case_id", sa.String(length=40), nullable=True),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.String(length=32), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cluster_id"),
    )
    op.create_index("ix_detect_cases_status", "detect_cases", ["status", "updated_at"])
    op.create_table(
        "detect_findings",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("cluster_id", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("checkpoint", sa.String(length=40), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.String(length=32), nullable=False),
        sa.Column("received_by", sa.String(length=64), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["detect_cases.id"]),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("cluster_id", "digest", name="uq_detect_findings_cluster_digest"),
    )
    op.create_index("ix_detect_findings_case_id", "detect_findings", ["case_id"])
    op.create_table(
        "detect_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=200), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("strength", sa.String(length=8), nullable=False),
        sa.Column("opened_case_id", sa.String(length=40), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["detect_cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "case_id", "field",
                            name="uq_detect_links_account_case"),
    )
    op.create_index("ix_detect_links_account_id", "detect_links", ["account_id"])
    op.create_index("ix_detect_links_case_id", "detect_links", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_detect_links_case_id", table_name="detect_links")
    op.drop_index("ix_detect_links_account_id", table_name="detect_links")
    op.drop_table("detect_links")
    op.drop_index("ix_detect_findings_case_id", table_name="detect_findings")
    op.drop_table("detect_findings")
    op.drop_index("ix_detect_cases_status", table_name="detect_cases")
    op.drop_table("detect_cases")
    op.drop_index("ix_organizations_provider_org_id", table_name="organizations")
    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): batch mode would rebuild these
    # tables, and dropping a table other tables refer to fails with foreign keys on.
    op.drop_column("organizations", "provider_org_id")
    op.drop_index("ix_accounts_signup_device_fp", table_name="accounts")
    op.drop_index("ix_accounts_payment_fingerprint", table_name="accounts")
    for name, _length in reversed(_ACCOUNT_COLUMNS):
        op.drop_column("accounts", name)
