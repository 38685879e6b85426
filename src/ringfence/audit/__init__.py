"""The hash-chained, append-only audit log."""

from ringfence.audit.chain import (
    GENESIS,
    AuditLog,
    AuditRecord,
    Verification,
    canonical,
    now_iso,
    record_hash,
)

__all__ = ["GENESIS", "AuditLog", "AuditRecord", "Verification", "canonical", "now_iso",
           "record_hash"]
