"""Operational state as SQLAlchemy Core tables (one schema for SQLite and PostgreSQL).

Times are ISO-8601 UTC strings (``YYYY-MM-DDTHH:MM:SS.ffffffZ``): they sort, compare and
hash the same on both backends. Migrations under ``store/migrations`` create these tables;
a test checks that the migrated schema and this metadata agree.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "accounts",
    "api_keys",
    "audit_head",
    "audit_log",
    "channels",
    "console_assignments",
    "console_sessions",
    "decision_batches",
    "decisions",
    "deliveries",
    "detect_cases",
    "detect_findings",
    "detect_links",
    "end_customers",
    "events",
    "kv",
    "metadata",
    "organizations",
    "overrides",
    "policies",
    "snapshots",
    "tokens",
    "webhooks",
]

metadata = MetaData()

TS = String(32)

tokens = Table(
    "tokens", metadata,
    Column("id", String(32), primary_key=True),
    Column("hash", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("label", String(200), nullable=False, default=""),
    Column("created_at", TS, nullable=False),
    Column("revoked_at", TS),  # set once; a revoked token is refused everywhere
    Column("revoked_by", String(64)),  # the actor (token id, "cli") who revoked it
    Column("revoke_reason", Text),
    Column("channel_id", String(40)),  # an intermediary token: the one channel it may use
)

organizations = Table(
    "organizations", metadata,
    Column("id", String(40), primary_key=True),
    Column("name", Text, nullable=False),
    Column("country", String(2)),
    Column("billing_country", String(2)),
    Column("identifiers", JSON, nullable=False),
    Column("domains", JSON, nullable=False),
    Column("entity_id", Text),  # the resolved entity: kept across snapshots
    Column("match", JSON),
    Column("verdict", String(16)),
    Column("lower", Float),
    Column("upper", Float),
    Column("computed_status", String(16), nullable=False),
    Column("computed_reasons", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # in force: computed or overridden
    Column("override", JSON),
    Column("snapshot_id", String(200)),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    # the provider's own organisation id (request logs' org_id); detection findings name it
    Column("provider_org_id", String(200)),
    # migration 0007: why a publish put it back in the analysts' queue (None: it is not),
    # and the candidates an analyst dismissed, each with its screening data fingerprint
    Column("review_due", JSON(none_as_null=True)),
    Column("dismissed", JSON(none_as_null=True)),
)
Index("ix_organizations_provider_org_id", organizations.c.provider_org_id, unique=True)

accounts = Table(
    "accounts", metadata,
    Column("id", String(40), primary_key=True),
    Column("org_id", String(40), ForeignKey("organizations.id"), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("end_customer", String(200)),  # attested once, for a dedicated account
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", TS, nullable=False),
    # the accounts.jsonl profile (docs/service.md): detection links accounts by these
    Column("payment_fingerprint", String(200)),
    Column("payment_bin", String(16)),
    Column("payment_country", String(2)),
    Column("signup_device_fp", String(200)),
    Column("signup_ip", String(64)),
    # contact details the runtime signals read (migration 0005): phone country, e-mail domain
    Column("phone", String(40)),
    Column("email", String(320)),
)
Index("ix_accounts_payment_fingerprint", accounts.c.payment_fingerprint)
Index("ix_accounts_signup_device_fp", accounts.c.signup_device_fp)

api_keys = Table(
    "api_keys", metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", String(40), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("hash", String(64), nullable=False, unique=True),
    Column("created_at", TS, nullable=False),
    Column("revoked_at", TS),
)

overrides = Table(
    "overrides", metadata,
    Column("id", String(40), primary_key=True),
    Column("org_id", String(40), ForeignKey("organizations.id"), nullable=False, index=True),
    Column("from_status", String(16), nullable=False),
    Column("to_status", String(16), nullable=False),
    Column("verdict", String(16)),  # the verdict the override was made against
    Column("reason", Text, nullable=False),
    Column("requested_by", String(32), nullable=False),
    Column("state", String(16), nullable=False),  # pending | applied | rejected
    Column("decided_by", String(32)),
    Column("created_at", TS, nullable=False),
    Column("decided_at", TS),
)

snapshots = Table(
    "snapshots", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(200), nullable=False),
    Column("path", Text, nullable=False),
    Column("policy_hash", String(64), nullable=False),
    Column("published_by", String(32), nullable=False),
    Column("published_at", TS, nullable=False),
    Column("summary", JSON, nullable=False),
)

policies = Table(
    "policies", metadata,
    Column("hash", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("version", String(200), nullable=False),
    Column("origin", Text, nullable=False),
    Column("document", JSON, nullable=False),
    Column("stored_at", TS, nullable=False),
)

kv = Table(
    "kv", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

events = Table(
    "events", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("ts", TS, nullable=False),
    Column("type", String(40), nullable=False),
    Column("org_id", String(40)),
    Column("payload", JSON, nullable=False),
)

webhooks = Table(
    "webhooks", metadata,
    Column("id", String(40), primary_key=True),
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", TS, nullable=False),
    # a channel's webhook gets only that channel's end-customer events (migration 0005)
    Column("channel_id", String(40)),
)

deliveries = Table(
    "deliveries", metadata,
    Column("event_id", String(40), primary_key=True),
    Column("webhook_id", String(40), primary_key=True),
    Column("state", String(16), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_at", TS, nullable=False),
    Column("last_error", Text),
    Column("delivered_at", TS),
)
Index("ix_deliveries_state_next", deliveries.c.state, deliveries.c.next_at)

audit_log = Table(
    "audit_log", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("ts", TS, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("subject", Text, nullable=False),
    Column("payload", Text, nullable=False),  # canonical JSON, hashed as stored
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

decisions = Table(
    "decisions", metadata,
    Column("id", String(64), primary_key=True),
    Column("ts", TS, nullable=False),
    Column("audit_seq", BigInteger, nullable=False, index=True),
    Column("outcome", String(8), nullable=False),
    Column("account_id", String(200)),
    Column("snapshot_id", String(200), nullable=False),
    Column("policy_hash", String(64), nullable=False),
)

decision_batches = Table(
    "decision_batches", metadata,
    Column("audit_seq", BigInteger, primary_key=True, autoincrement=False),
    Column("id_prefix", String(64), nullable=False),
    Column("first_n", BigInteger, nullable=False),
    Column("last_n", BigInteger, nullable=False),
    Column("count", Integer, nullable=False),
)
Index("ix_decision_batches_range", decision_batches.c.id_prefix, decision_batches.c.first_n)

# ---------------------------------------------------------------- detection (migration 0004)
# A case per detector cluster (or per weak link): the latest finding's content, the review
# (open -> confirmed | dismissed, four eyes for a suspend) and what the gateway enforces.
detect_cases = Table(
    "detect_cases", metadata,
    Column("id", String(40), primary_key=True),
    Column("cluster_id", String(200), unique=True),  # None for a case a link opened
    Column("kind", String(16), nullable=False),  # finding | link
    Column("status", String(16), nullable=False),  # open | confirmed | dismissed
    Column("proposed_action", String(16), nullable=False),  # none|review|throttle|suspend
    Column("decided_action", String(16)),
    Column("score", Float, nullable=False),
    Column("first_flagged", String(40)),
    Column("checkpoint", String(40)),
    Column("version", Integer, nullable=False),
    Column("account_ids", JSON, nullable=False),
    Column("org_ids", JSON, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("fingerprints", JSON, nullable=False),
    Column("excerpts", JSON, nullable=False),
    Column("members", JSON, nullable=False),
    Column("links", JSON, nullable=False),  # ties to confirmed cases found on arrival
    Column("decided_accounts", JSON),  # the members the decision covers
    Column("decided_orgs", JSON),
    Column("decided_fingerprints", JSON),  # the fingerprints the decision saw (links)
    Column("needs_review", Boolean, nullable=False, default=False),  # new members since
    Column("pending", JSON),  # a decision waiting for a second analyst
    Column("parent_case_id", String(40)),  # for a link case: the confirmed case
    Column("opened_by", String(64), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("decided_by", String(64)),
    Column("approved_by", String(64)),
    Column("decided_at", TS),
    Column("decision_reason", Text),
)
Index("ix_detect_cases_status", detect_cases.c.status, detect_cases.c.updated_at)

# Every distinct version of a finding as received (idempotent on its content digest).
detect_findings = Table(
    "detect_findings", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(40), ForeignKey("detect_cases.id"), nullable=False, index=True),
    Column("cluster_id", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("checkpoint", String(40)),
    Column("digest", String(64), nullable=False),
    Column("received_at", TS, nullable=False),
    Column("received_by", String(64), nullable=False),
    Column("body", JSON, nullable=False),
    UniqueConstraint("cluster_id", "digest", name="uq_detect_findings_cluster_digest"),
)

# An account tied to a confirmed case by a shared value: "high" links (payment instrument,
# signup device) inherit the case's action while it stands; "weak" ones opened a case.
detect_links = Table(
    "detect_links", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", String(200), nullable=False, index=True),
    Column("case_id", String(40), ForeignKey("detect_cases.id"), nullable=False, index=True),
    Column("field", String(32), nullable=False),
    Column("value", String(200), nullable=False),
    Column("strength", String(8), nullable=False),  # high | weak
    Column("opened_case_id", String(40)),  # the case a weak link opened
    Column("source", String(16), nullable=False),  # account | finding
    Column("created_at", TS, nullable=False),
    Column("created_by", String(64), nullable=False),
    UniqueConstraint("account_id", "case_id", "field", name="uq_detect_links_account_case"),
)

# ---------------------------------------------------------------- channels (migration 0005)
# An intermediary (cloud platform, reseller, API aggregator): an organisation of the book
# with a channel agreement. Its id is the organisation's id.
channels = Table(
    "channels", metadata,
    Column("org_id", String(40), ForeignKey("organizations.id"), primary_key=True),
    Column("kind", String(24), nullable=False),  # cloud_platform | reseller | api_aggregator
    Column("attestation", String(16), nullable=False),  # per_request | per_account | both
    Column("regions", JSON, nullable=False),  # ISO codes it may serve; [] = anywhere
    Column("created_at", TS, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("updated_at", TS, nullable=False),
)

# The intermediary's end customers by its own reference; each is an organisation of the
# book (screened and given a status like any other).
end_customers = Table(
    "end_customers", metadata,
    Column("channel_id", String(40), ForeignKey("channels.org_id"), primary_key=True),
    Column("ref", String(200), primary_key=True),
    Column("org_id", String(40), ForeignKey("organizations.id"), nullable=False, index=True),
    Column("digest", String(64), nullable=False),  # of the declaration: idempotent by ref
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
)

# ---------------------------------------------------------------- console (migration 0006)
# A signed-in analyst's or admin's console session. ``id`` is the SHA-256 of the cookie's
# secret (the secret itself is never stored); the role is the token's, read again on every
# request through the token row (a revoked token ends its sessions).
console_sessions = Table(
    "console_sessions", metadata,
    Column("id", String(64), primary_key=True),
    Column("token_id", String(32), ForeignKey("tokens.id"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
    Column("ended_at", TS),  # signed out
    Column("client", String(64)),  # the address it signed in from (for the audit record)
)

# Who works on a queue item (an organisation in review, a pending override, a case).
console_assignments = Table(
    "console_assignments", metadata,
    Column("kind", String(16), primary_key=True),
    Column("item_id", String(200), primary_key=True),
    Column("assignee", String(64), nullable=False),
    Column("assigned_by", String(64), nullable=False),
    Column("assigned_at", TS, nullable=False),
)
