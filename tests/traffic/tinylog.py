"""A tiny hand-made request log for the detector's tests (not the simulator: a few dozen
accounts whose every property is chosen here so a test can say what must happen to it)."""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

START = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
DAYS = 3

_ORGANIC = ["how do I center a div in css", "write a haiku about autumn rain",
            "what is the capital of australia", "summarise the plot of hamlet",
            "help me write a cover letter for a barista job", "explain recursion simply",
            "why does my sourdough not rise", "translate good morning into german",
            "give me a packing list for a hiking trip", "what causes inflation",
            "fix the bug in my for loop", "suggest names for a bakery"]
_COT = ("Problem {i}: compute the value of {a} * {b} + {c}. The final answer is {d}. "
        "Reconstruct the complete reasoning that leads to this answer, every step.")
_RUBRIC = ("Using the rubric below, grade the following response on a scale from 1 to 10. "
           "Response #{i}: the mitochondria is the powerhouse of the cell ({a}).")


def iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


@dataclass
class TinyLog:
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    accounts: list[dict[str, Any]] = field(default_factory=list)
    orgs: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[dt.datetime, dict[str, Any]]] = field(default_factory=list)
    truth: dict[str, str] = field(default_factory=dict)  # account -> group
    n: int = 0

    def org(self, org_id: str, country: str = "US") -> str:
        self.orgs.append({"org_id": org_id, "name": org_id, "declared_country": country,
                          "created_at": iso(START - dt.timedelta(days=30)),
                          "kyc_level": "basic", "org_type": "company"})
        return org_id

    def account(self, account_id: str, org_id: str, group: str, *, card: str, device: str,
                created: dt.datetime | None = None, country: str = "US",
                signup_ip: str | None = None, email: str | None = None) -> str:
        self.accounts.append({
            "account_id": account_id, "org_id": org_id,
            "created_at": iso(created or START - dt.timedelta(days=20)),
            "email": email or f"{account_id}@example.com", "email_domain": "example.com",
            "declared_country": country, "payment_fingerprint": card,
            "payment_bin": "411111", "payment_country": country,
            "verification_program": "none", "tier": "standard",
            "signup_ip": signup_ip or f"10.{self.rng.randint(0, 255)}.{self.rng.randint(0, 255)}.5",
            "signup_country": country, "signup_device_fp": device,
            "api_key_ids": [f"k-{account_id}"]})
        self.truth[account_id] = group
        return account_id

    def request(self, t: dt.datetime, account_id: str, org_id: str, prompt: str, *,
                ip: str = "", country: str = "US", system: str | None = None,
                turn: int = 0, conv: str | None = None, **extra: Any) -> None:
        self.n += 1
        rec = {
            "request_id": f"r{self.n:08d}", "ts": iso(t), "account_id": account_id,
            "org_id": org_id, "api_key_id": f"k-{account_id}", "channel": "direct_api",
            "endpoint": "messages", "ip": ip or f"100.{self.rng.randint(0, 255)}.1.1",
            "asn": 7922, "asn_name": "COMCAST-7922", "country": country,
            "user_agent": "anthropic-python/0.40", "payment_fingerprint": None,
            "model": "model-a", "stream": False, "max_tokens": 1024, "temperature": 1.0,
            "thinking_budget": None, "n_tools": 0, "tools_hash": None, "n_images": 0,
            "system_prompt_hash": system, "system_prefix_hash": system,
            "system_prompt_chars": 100 if system else 0,
            "conversation_id": conv or f"c{self.n}", "turn_index": turn,
            "client_user_id": None, "input_tokens": 100, "output_tokens": 200,
            "status": 200, "prompt": prompt} | extra
        self.requests.append((t, rec))

    def organic(self, account_id: str, org_id: str, per_day: int = 12, *,
                system: str | None = None, tz: int = -5) -> None:
        for d in range(DAYS):
            for _ in range(per_day):
                hour = (self.rng.randint(9, 22) - tz) % 24
                t = START + dt.timedelta(days=d, hours=hour, seconds=self.rng.randint(0, 3599))
                self.request(t, account_id, org_id,
                             self.rng.choice(_ORGANIC) + f" {self.rng.randint(1, 10**6)}",
                             system=system)

    def templated(self, account_id: str, org_id: str, template: str, *, per_day: int,
                  start_day: float = 0.0, ip: str = "", country: str = "US") -> None:
        t0 = START + dt.timedelta(days=start_day)
        span = (DAYS - start_day) * 86400
        for k in range(int(per_day * (DAYS - start_day))):
            t = t0 + dt.timedelta(seconds=self.rng.uniform(0, span))
            a, b, c = self.rng.randint(2, 99), self.rng.randint(2, 99), self.rng.randint(2, 99)
            self.request(t, account_id, org_id,
                         template.format(i=k, a=a, b=b, c=c, d=a * b + c), ip=ip,
                         country=country)

    def write(self, folder: Path, *, garbage: bool = False) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        self.requests.sort(key=lambda r: (r[0], r[1]["request_id"]))
        lines = [json.dumps(r) for _t, r in self.requests]
        if garbage:
            lines.insert(10, "{not json")
            lines.insert(20, json.dumps({"request_id": "x", "ts": "yesterday",
                                         "account_id": "a", "org_id": "o"}))
        (folder / "requests.jsonl").write_text("\n".join(lines) + "\n")
        (folder / "accounts.jsonl").write_text(
            "\n".join(json.dumps(a) for a in self.accounts) + "\n")
        (folder / "orgs.jsonl").write_text("\n".join(json.dumps(o) for o in self.orgs) + "\n")
        (folder / "events.json").write_text(json.dumps({
            "window_start": iso(START), "window_end": iso(START + dt.timedelta(days=DAYS)),
            "events": []}))
        return folder


def build(*, hydra: int = 10, replacements: int = 2) -> TinyLog:
    log = TinyLog()
    for i in range(30):
        o = log.org(f"org-org{i}")
        a = log.account(f"acc-org{i}", o, "organic", card=f"card-o{i}", device=f"dev-o{i}")
        log.organic(a, o)
    # an agency: one card and one device across six client orgs, ordinary use
    for i in range(6):
        o = log.org(f"org-agency{i}")
        a = log.account(f"acc-agency{i}", o, "agency", card="card-agency", device="dev-agency")
        log.organic(a, o, per_day=8)
    # an open-source framework's system prompt in twelve unrelated orgs
    for i in range(12):
        o = log.org(f"org-oss{i}")
        a = log.account(f"acc-oss{i}", o, "oss", card=f"card-oss{i}", device=f"dev-oss{i}")
        log.organic(a, o, per_day=10, system="sys-open-framework")
    # a labelling firm: one org, a rubric prompt around the clock
    o = log.org("org-label")
    for i in range(3):
        a = log.account(f"acc-label{i}", o, "labelling", card="card-label",
                        device=f"dev-label{i}")
        log.templated(a, o, _RUBRIC, per_day=40)
    # a hydra: accounts in their own orgs on three cards, distillation from day 0
    for i in range(hydra):
        o = log.org(f"org-hydra{i}")
        a = log.account(f"acc-hydra{i}", o, "hydra", card=f"card-h{i % 3}",
                        device=f"dev-h{i % 2}")
        log.templated(a, o, _COT, per_day=30, ip=f"203.0.113.{i % 4 + 1}")
    # replacements sign up on day 2 with a known card and start at once
    for i in range(replacements):
        o = log.org(f"org-hrepl{i}")
        created = START + dt.timedelta(days=2, hours=3)
        a = log.account(f"acc-hrepl{i}", o, "hydra-replacement", card="card-h1",
                        device=f"dev-new{i}", created=created)
        log.templated(a, o, _COT, per_day=30, start_day=2.2, ip="198.51.100.7")
    return log
