"""The service's settings: read from the environment by entry points only."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ringfence.policy import DEFAULT_POLICY
from ringfence.store import DEFAULT_URL

__all__ = ["ServiceSettings"]


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


@dataclass(frozen=True)
class ServiceSettings:
    """``RINGFENCE_*`` environment variables, one field each (docs/service.md lists them)."""

    database_url: str = DEFAULT_URL  # RINGFENCE_DATABASE_URL
    snapshot: Path | None = None  # RINGFENCE_SNAPSHOT: published at start if none is live
    policy: str = DEFAULT_POLICY  # RINGFENCE_POLICY: name or file, used at first publish
    data_dir: Path = Path("./var")  # RINGFENCE_DATA_DIR: the embedded default snapshot
    geoip: bool = True  # RINGFENCE_GEOIP
    embedded_default: bool = True  # RINGFENCE_EMBEDDED_DEFAULT: build it when nothing is live
    allow_batch_size: int = 1000  # RINGFENCE_ALLOW_BATCH
    allow_flush_seconds: float = 1.0  # RINGFENCE_ALLOW_FLUSH_SECONDS
    webhook_interval: float = 1.0  # RINGFENCE_WEBHOOK_INTERVAL
    webhook_max_attempts: int = 8  # RINGFENCE_WEBHOOK_MAX_ATTEMPTS
    background: bool = True  # run the ALLOW flusher, webhook deliverer and sync threads
    fast_path: bool = True  # RINGFENCE_FAST_PATH: lean ASGI handling of the gateway routes
    # RINGFENCE_SYNC_SECONDS: the bound on how stale a process may be. The token list is
    # trusted this long (re-read every half of it); other processes' publishes and book
    # changes are looked for this often.
    sync_seconds: float = 1.0
    # Detection (docs/service.md, "Detection findings and cases")
    throttle_requests: int = 60  # RINGFENCE_THROTTLE_REQUESTS: a throttle's allowance ...
    throttle_window_seconds: int = 60  # RINGFENCE_THROTTLE_WINDOW_SECONDS: ... per window
    finding_retention_days: int = 180  # RINGFENCE_FINDING_RETENTION_DAYS
    findings_max_bytes: int = 16 * 1024 * 1024  # RINGFENCE_FINDINGS_MAX_BYTES: one POST
    # Channels (docs/service.md, "Intermediaries")
    fanout_window_seconds: int = 86400  # RINGFENCE_FANOUT_WINDOW_SECONDS: resale counts' window
    attest_calls_per_minute: int = 30  # RINGFENCE_ATTEST_CALLS_PER_MINUTE: per intermediary
    # The audit head anchored outside the database (docs/service.md, "Anchoring the audit
    # head"): on every publish and every anchor_seconds, signed with anchor_key.
    anchor_file: Path | None = None  # RINGFENCE_ANCHOR_FILE
    anchor_key: str | None = field(default=None, repr=False)  # RINGFENCE_ANCHOR_KEY
    anchor_seconds: float = 60.0  # RINGFENCE_ANCHOR_SECONDS
    # Console (docs/console.md)
    console_session_seconds: int = 8 * 3600  # RINGFENCE_CONSOLE_SESSION_SECONDS

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ServiceSettings:
        e = os.environ if env is None else env
        snap = e.get("RINGFENCE_SNAPSHOT")
        return cls(
            database_url=e.get("RINGFENCE_DATABASE_URL") or DEFAULT_URL,
            snapshot=Path(snap) if snap else None,
            policy=e.get("RINGFENCE_POLICY") or DEFAULT_POLICY,
            data_dir=Path(e.get("RINGFENCE_DATA_DIR") or "./var"),
            geoip=_flag(e.get("RINGFENCE_GEOIP"), True),
            embedded_default=_flag(e.get("RINGFENCE_EMBEDDED_DEFAULT"), True),
            allow_batch_size=int(e.get("RINGFENCE_ALLOW_BATCH") or 1000),
            allow_flush_seconds=float(e.get("RINGFENCE_ALLOW_FLUSH_SECONDS") or 1.0),
            webhook_interval=float(e.get("RINGFENCE_WEBHOOK_INTERVAL") or 1.0),
            webhook_max_attempts=int(e.get("RINGFENCE_WEBHOOK_MAX_ATTEMPTS") or 8),
            fast_path=_flag(e.get("RINGFENCE_FAST_PATH"), True),
            sync_seconds=float(e.get("RINGFENCE_SYNC_SECONDS") or 1.0),
            throttle_requests=int(e.get("RINGFENCE_THROTTLE_REQUESTS") or 60),
            throttle_window_seconds=int(e.get("RINGFENCE_THROTTLE_WINDOW_SECONDS") or 60),
            finding_retention_days=int(e.get("RINGFENCE_FINDING_RETENTION_DAYS") or 180),
            findings_max_bytes=int(e.get("RINGFENCE_FINDINGS_MAX_BYTES") or 16 * 1024 * 1024),
            fanout_window_seconds=int(e.get("RINGFENCE_FANOUT_WINDOW_SECONDS") or 86400),
            attest_calls_per_minute=int(e.get("RINGFENCE_ATTEST_CALLS_PER_MINUTE") or 30),
            anchor_file=Path(e["RINGFENCE_ANCHOR_FILE"]) if e.get("RINGFENCE_ANCHOR_FILE")
            else None,
            anchor_key=e.get("RINGFENCE_ANCHOR_KEY") or None,
            anchor_seconds=float(e.get("RINGFENCE_ANCHOR_SECONDS") or 60.0),
            console_session_seconds=int(e.get("RINGFENCE_CONSOLE_SESSION_SECONDS") or 8 * 3600),
        )

    def __post_init__(self) -> None:
        if not self.sync_seconds > 0:  # also refuses NaN
            raise ValueError(f"sync_seconds must be positive, not {self.sync_seconds!r}")
        if not self.anchor_seconds > 0:
            raise ValueError(f"anchor_seconds must be positive, not {self.anchor_seconds!r}")
        if self.anchor_file is not None and not self.anchor_key:
            raise ValueError("RINGFENCE_ANCHOR_FILE is set but RINGFENCE_ANCHOR_KEY is not: "
                             "an anchor nobody can check is not written")
        for name in ("throttle_requests", "throttle_window_seconds", "finding_retention_days",
                     "findings_max_bytes", "fanout_window_seconds", "attest_calls_per_minute",
                     "console_session_seconds"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)!r}")
