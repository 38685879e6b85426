"""Orgs, accounts, IPs and interned request attributes of one simulated world.

The world hands out opaque ids from the run's seeded generator (no id says what made it),
records the account and org rows of ``accounts.jsonl`` / ``orgs.jsonl`` with their ground
truth, and keeps small tables the requests point into (IPs with their ASN, user agents,
system prompts, tool schemas, models).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

__all__ = ["COUNTRIES", "RESTRICTED", "Net", "World"]

RESTRICTED = ("CN", "RU", "IR")

# country -> (weight among organic accounts, UTC offsets, language)
COUNTRIES: dict[str, tuple[float, tuple[float, ...], str]] = {
    "US": (30, (-5, -6, -7, -8), "en"), "IN": (8, (5.5,), "en"), "GB": (6, (0,), "en"),
    "DE": (6, (1,), "de"), "FR": (4, (1,), "fr"), "JP": (5, (9,), "ja"),
    "KR": (4, (9,), "ko"), "BR": (4, (-3,), "pt"), "CA": (3, (-5, -8), "en"),
    "AU": (2, (10,), "en"), "ES": (2, (1,), "es"), "NL": (2, (1,), "en"),
    "SE": (1, (1,), "en"), "SG": (2, (8,), "en"), "PH": (1.5, (8,), "en"),
    "VN": (1, (7,), "en"), "TR": (1, (3,), "en"), "AR": (1, (-3,), "es"),
    "KE": (1, (3,), "en"), "IL": (1, (2,), "en"), "PK": (1, (5,), "en"),
    "IT": (1, (1,), "en"), "HK": (0, (8,), "zh"), "CN": (0, (8,), "zh"),
    "RU": (0, (3,), "ru"), "IR": (0, (3.5,), "en"), "RO": (0, (2,), "en"),
}

USER_AGENTS = [
    "anthropic-python/0.49.0", "anthropic-python/0.45.2", "anthropic-python/0.42.0",
    "anthropic-typescript/0.39.0", "anthropic-typescript/0.37.0", "python-httpx/0.27.2",
    "python-requests/2.32.3", "curl/8.5.0", "node-fetch/1.0 (+https://github.com/bitinn/"
    "node-fetch)", "Go-http-client/2.0", "okhttp/4.12.0",
    "langchain-anthropic/0.3.1 anthropic-python/0.42.0", "litellm/1.55.3",
    "llama-index-llms-anthropic/0.6.3", "anthropic-java/1.2.0", "aiohttp/3.9.5",
]
BROWSER_UA = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
]
CHANNELS = ["direct_api", "console", "cloud_partner_a", "cloud_partner_b"]
ENDPOINTS = ["messages", "batch"]
BASE_MODELS = ["claude-sonnet-4-5", "claude-opus-4-5", "claude-haiku-4-5"]


@dataclass
class Network:
    asn: int
    asn_name: str
    cls: str
    country: str
    cidrs: list[tuple[int, int]]  # (first address, size used)


class Net:
    """Real networks (from geoip2fast's data, see netdata.json) to draw client IPs from."""

    def __init__(self) -> None:
        raw = json.loads(resources.files("ringfence.traffic.sim")
                         .joinpath("netdata.json").read_text())
        self.networks: list[Network] = []
        for n in raw["networks"]:
            cidrs = []
            for c in n["cidrs"]:
                net = ipaddress.ip_network(c)
                cidrs.append((int(net.network_address), min(net.num_addresses, 4096)))
            self.networks.append(Network(n["asn"], n["asn_name"], n["class"], n["country"],
                                         cidrs))
        self.by: dict[tuple[str, str], list[int]] = {}
        for i, nw in enumerate(self.networks):
            self.by.setdefault((nw.cls, nw.country), []).append(i)
            self.by.setdefault((nw.cls, "*"), []).append(i)

    def has(self, cls: str, country: str) -> bool:
        return (cls, country) in self.by


@dataclass
class Ip:
    ip: str
    asn: int
    asn_name: str
    country: str
    cls: str


class World:
    """Everything the writer needs besides the requests themselves."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.net = Net()
        self.orgs: list[dict[str, Any]] = []
        self.accounts: list[dict[str, Any]] = []
        self.truth: list[dict[str, Any]] = []
        self.prof: list[dict[str, Any]] = []   # per-account request profile
        self.ips: list[Ip] = []
        self._ip_index: dict[str, int] = {}
        self.uas: list[str] = USER_AGENTS + BROWSER_UA
        self.models: list[str] = list(BASE_MODELS)
        self.sys: list[tuple[str, str, int]] = []     # (hash, prefix hash, chars)
        self.tools: list[tuple[int, str]] = []        # (n_tools, hash)
        self.kinds: list[str] = []
        self._kind_index: dict[str, int] = {}
        self.cu_ns: list[str] = []
        self.campaigns: dict[str, dict[str, Any]] = {}
        self._seen_ids: set[str] = set()

    # ids -------------------------------------------------------------------------------
    def new_id(self, prefix: str, nbytes: int = 6) -> str:
        while True:
            v = prefix + self.rng.bytes(nbytes).hex()
            if v not in self._seen_ids:
                self._seen_ids.add(v)
                return v

    def kind(self, name: str) -> int:
        if name not in self._kind_index:
            self._kind_index[name] = len(self.kinds)
            self.kinds.append(name)
        return self._kind_index[name]

    def model(self, name: str) -> int:
        if name not in self.models:
            self.models.append(name)
        return self.models.index(name)

    def new_sys(self, chars: int, *, prefix_of: int | None = None) -> int:
        """A system prompt; ``prefix_of`` shares the first 200 characters of another."""
        full = hashlib.sha256(self.rng.bytes(16)).hexdigest()[:32]
        if prefix_of is not None:
            pre = self.sys[prefix_of][1]
        elif chars <= 200:
            pre = full  # the first 200 characters are the whole prompt
        else:
            pre = hashlib.sha256(self.rng.bytes(16)).hexdigest()[:32]
        self.sys.append((full, pre, chars))
        return len(self.sys) - 1

    def new_tools(self, n: int) -> int:
        self.tools.append((n, hashlib.sha256(self.rng.bytes(16)).hexdigest()[:32]))
        return len(self.tools) - 1

    # IPs -------------------------------------------------------------------------------
    def ip(self, cls: str, country: str = "*", *, near: int | None = None) -> int:
        """A fresh client IP of class ``cls`` in ``country`` (any country if absent there);
        ``near`` draws from the same /24 as an earlier IP."""
        rng = self.rng
        if near is not None:
            base = self.ips[near]
            head = int(ipaddress.ip_address(base.ip)) & ~0xFF
            addr = head | int(rng.integers(1, 255))
            return self._intern(str(ipaddress.ip_address(addr)), base)
        pool = self.net.by.get((cls, country)) or self.net.by[(cls, "*")]
        nw = self.net.networks[int(pool[int(rng.integers(len(pool)))])]
        first, size = nw.cidrs[int(rng.integers(len(nw.cidrs)))]
        addr = first + int(rng.integers(1, max(2, size - 1)))
        if addr & 0xFF in (0, 255):
            addr ^= 1
        return self._intern(str(ipaddress.ip_address(addr)),
                            Ip("", nw.asn, nw.asn_name, nw.country, nw.cls))

    def _intern(self, ip: str, like: Ip) -> int:
        if ip in self._ip_index:
            return self._ip_index[ip]
        self.ips.append(Ip(ip, like.asn, like.asn_name, like.country, like.cls))
        self._ip_index[ip] = len(self.ips) - 1
        return len(self.ips) - 1

    # orgs and accounts -----------------------------------------------------------------
    def new_org(self, *, name: str, country: str, created_ms: int, kyc: str,
                org_type: str) -> int:
        self.orgs.append({"org_id": self.new_id("org_"), "name": name,
                          "declared_country": country, "created_ms": created_ms,
                          "kyc_level": kyc, "org_type": org_type})
        return len(self.orgs) - 1

    def new_account(self, *, org: int, created_ms: int, country: str, email: str,
                    payment: str, bin_: str, payment_country: str, signup_ip: int,
                    device: str, program: str = "none", tier: str = "build_1",
                    n_keys: int = 1, kind: str = "organic", family: str = "organic",
                    campaign_id: str = "", replacement: int = 0,
                    profile: dict[str, Any]) -> int:
        keys = [self.new_id("key_", 8) for _ in range(n_keys)]
        self.accounts.append({
            "account_id": self.new_id("acct_"), "org": org, "created_ms": created_ms,
            "email": email, "declared_country": country, "payment_fingerprint": payment,
            "payment_bin": bin_, "payment_country": payment_country,
            "verification_program": program, "tier": tier, "signup_ip": signup_ip,
            "signup_device_fp": device, "api_key_ids": keys})
        self.truth.append({"kind": kind, "family": family, "campaign_id": campaign_id,
                           "replacement": replacement})
        self.prof.append(profile)
        return len(self.accounts) - 1

    def card(self) -> str:
        return self.new_id("pm_", 8)

    def device(self) -> str:
        return self.new_id("dev_", 8)
