"""Detection state: what is known about each account, org and shared value so far.

Plain data, updated by ``Detector.observe`` (one request) and ``Detector.checkpoint`` (one
hour), pickled by the checkpoint store between runs. Nothing here reads a file.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ringfence.detect.fanout import DistinctCounter

__all__ = ["AccountState", "FingerprintIndex", "NetInfo", "OrgState"]

# (country ISO2 or "", ASN key or "", network class)
NetInfo = tuple[str, str, str]
NETWORK_CLASSES = ("residential", "mobile", "hosting", "vpn", "education", "unknown")


@dataclass(slots=True)
class OrgState:
    org_id: str
    name: str = ""
    declared_country: str = ""
    created: float | None = None
    kyc_level: str = ""
    org_type: str = ""


@dataclass(slots=True)
class AccountState:
    idx: int
    account_id: str
    org_id: str
    known: bool = False  # its accounts.jsonl record has been admitted
    created: float | None = None
    email_norm: str = ""
    email_domain: str = ""
    throwaway: bool = False
    declared_country: str = ""
    payment_fp: str = ""
    payment_bin: str = ""
    payment_country: str = ""
    program: str = "none"
    tier: str = ""
    signup_ip: str = ""
    signup_country: str = ""
    device: str = ""
    # traffic
    n: int = 0
    first_ts: float = 0.0
    last_ts: float = 0.0
    labels: list[int] = field(default_factory=lambda: [0, 0, 0, 0])  # LABELS order
    model_distill: int = 0  # of the distillation labels, those the small model gave
    tools: int = 0
    images: int = 0
    computer: int = 0
    coding: int = 0
    conversations: set[str] = field(default_factory=set)
    new_conversations: int = 0
    injected: int = 0  # conversations first seen at turn_index >= 2
    utc_hours: list[int] = field(default_factory=lambda: [0] * 24)
    hourly: dict[int, int] = field(default_factory=dict)  # hour index -> requests
    gap_n: int = 0
    gap_sum: float = 0.0
    gap_sq: float = 0.0
    ips: dict[str, int] = field(default_factory=dict)
    countries: dict[str, int] = field(default_factory=dict)
    netclass: dict[str, int] = field(default_factory=dict)
    restricted: int = 0
    # distinct end users: exact up to the cap, then approximate (detect.fanout, the counter
    # the gateway's resale signal uses too)
    client_users: DistinctCounter = field(default_factory=lambda: DistinctCounter(2000))
    skeletons: dict[int, int] = field(default_factory=dict)
    # near-duplicate families (detect.neardup) of a sample of the account's skeletons:
    # sampled requests, and per family [sampled requests in it, distinct skeletons (at most
    # 2), the first skeleton's hash]
    near_n: int = 0
    near: dict[int, list[int]] = field(default_factory=dict)
    system_prompts: dict[str, int] = field(default_factory=dict)
    tools_hashes: dict[str, int] = field(default_factory=dict)
    models: dict[str, float] = field(default_factory=dict)  # model -> first use
    model_counts: dict[str, int] = field(default_factory=dict)
    excerpts: list[tuple[str, str]] = field(default_factory=list)  # (label, excerpt)
    synced: int = 0  # requests sent in a synchronised burst (detect.synchrony)
    # decision state
    suspended_at: float | None = None
    action: str = "none"
    score: float = 0.0
    cluster_id: str = ""
    first_flagged: float | None = None


class FingerprintIndex:
    """Which accounts carry each shared value (payment, device, e-mail, signup block,
    templates, IPs, end users). It outlives the accounts: a value keeps its accounts after
    they stop sending traffic or are suspended, so a replacement that shows the same card,
    device or template joins them (the ``Detector`` turns shared values into links).

    Only values held by two or more accounts are *shared*; ``changed`` lists the shared
    values whose holders changed since ``take_changed`` was last called.
    """

    def __init__(self) -> None:
        self._holders: dict[str, dict[Any, list[int]]] = {}
        self._shared: dict[str, set[Any]] = {}
        self._changed: set[tuple[str, Any]] = set()
        self._by_account: dict[int, list[tuple[str, Any]]] = {}

    def add(self, kind: str, value: Any, account: int) -> None:
        holders = self._holders.setdefault(kind, {})
        accounts = holders.get(value)
        if accounts is None:
            holders[value] = [account]
            return
        if account in accounts:
            return
        accounts.append(account)
        if len(accounts) == 2:
            self._by_account.setdefault(accounts[0], []).append((kind, value))
        self._by_account.setdefault(account, []).append((kind, value))
        self._shared.setdefault(kind, set()).add(value)
        self._changed.add((kind, value))

    def shared_values_of(self, account: int) -> list[tuple[str, Any]]:
        """The shared values (held by two or more accounts) this account holds."""
        return self._by_account.get(account, [])

    def holders(self, kind: str, value: Any) -> list[int]:
        return self._holders.get(kind, {}).get(value, [])

    def shared(self, kind: str) -> set[Any]:
        return self._shared.get(kind, set())

    def kinds(self) -> list[str]:
        return sorted(self._shared)

    def take_changed(self) -> set[tuple[str, Any]]:
        changed, self._changed = self._changed, set()
        return changed

    def size(self) -> int:
        return sum(len(h) for h in self._holders.values())


def ip_block(ip: str) -> str:
    """The /24 of an IPv4 address (the /48 of an IPv6 one); "" when it is not an address."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    prefix = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def text_field(record: Mapping[str, Any], name: str) -> str:
    value = record.get(name)
    return value if isinstance(value, str) else ("" if value is None else str(value))
