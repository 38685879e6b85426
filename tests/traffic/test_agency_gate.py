"""An agency (one office, card and signup device across many client orgs, templated copy,
clients declared far from the office's clock) is linked and may be reviewed, never
suspended; the same link structure operated covertly (fresh unverified orgs, throwaway
mailboxes, short-lived accounts, proxies in many countries) is suspended. The suspend rule
needs how a group operates, not the identity link alone (docs/detect.md, "Suspension
gate")."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from tinylog import DAYS, START, TinyLog, iso

from ringfence.traffic.replay import replay

_COPY = ("Write three short captions for client product {i} ({a} words max each), "
         "upbeat tone, with two hashtags.")
_PROXIES = ["US", "DE", "JP", "BR", "IN", "FR", "KR", "CA"]


def _org(log: TinyLog, org_id: str, *, kyc: str, created: dt.datetime,
         country: str = "GB") -> str:
    log.orgs.append({"org_id": org_id, "name": org_id, "declared_country": country,
                     "created_at": iso(created), "kyc_level": kyc, "org_type": "company"})
    return org_id


def _office_day(log: TinyLog, acc: str, org: str, *, per_day: int, start: float = 0.0,
                stop: float = DAYS, covert: bool = False) -> None:
    """Templated copy requests in London office hours (08-18 UTC), from the office IP, or
    (covert) from residential proxies in many countries."""
    d = start
    while d < stop:
        day = START + dt.timedelta(days=int(d))
        for k in range(per_day):
            t = day + dt.timedelta(hours=log.rng.uniform(8, 18))
            if t < START + dt.timedelta(days=start) or t >= START + dt.timedelta(days=stop):
                continue
            country = log.rng.choice(_PROXIES) if covert else "GB"
            ip = (f"{log.rng.randint(20, 90)}.{log.rng.randint(0, 255)}.7.9" if covert
                  else "81.2.69.160")
            log.request(t, acc, org, _COPY.format(i=log.rng.randint(1, 10**6),
                                                  a=log.rng.randint(8, 30)),
                        ip=ip, country=country, conv=f"{acc}-{int(d)}-{k}")
        d += 1


def _agency(root: Path, *, parent_verified: bool) -> tuple[Path, set[str]]:
    log = TinyLog()
    old = START - dt.timedelta(days=200)
    parent = _org(log, "org-agency", kyc="verified" if parent_verified else "basic",
                  created=old)
    ids = {log.account("acc-agency", parent, "agency", card="card-office",
                       device="dev-office", country="GB", email="ops@brightads.co.uk")}
    _office_day(log, "acc-agency", parent, per_day=30)
    for i in range(12):
        created = START + dt.timedelta(hours=2 + 3 * i)
        org = _org(log, f"org-client{i}", kyc="basic", created=created,
                   country="AU" if i % 2 else "JP")
        acc = log.account(f"acc-client{i}", org, "agency", card="card-office",
                          device="dev-office", created=created + dt.timedelta(minutes=5),
                          country="AU" if i % 2 else "JP",
                          email=f"client{i}.team@brightads.co.uk")
        ids.add(acc)
        _office_day(log, acc, org, per_day=25, start=(created - START).total_seconds() / 86400)
    for i in range(20):  # ordinary customers around them
        o = log.org(f"org-plain{i}")
        log.organic(log.account(f"acc-plain{i}", o, "organic", card=f"c{i}", device=f"d{i}"),
                    o)
    return log.write(root), ids


def _covert(root: Path) -> tuple[Path, set[str]]:
    """The agency's link structure, run like a hydra: throwaway mailboxes, fresh personal
    orgs never KYC-checked, accounts that live a day and are replaced, proxies."""
    log = TinyLog()
    ids: set[str] = set()
    for i in range(24):
        start = 0.3 + 0.1 * i
        created = START + dt.timedelta(days=start - 0.05)
        org = _org(log, f"org-p{i}", kyc="none", created=created - dt.timedelta(minutes=9),
                   country="US")
        acc = log.account(f"acc-p{i}", org, "hydra", card="card-op", device="dev-op",
                          created=created, country="US",
                          email=f"user{i}x{i * 7}@mailinator.com")
        ids.add(acc)
        _office_day(log, acc, org, per_day=40, start=start, stop=min(DAYS, start + 1.0),
                    covert=True)
    for i in range(20):
        o = log.org(f"org-plain{i}")
        log.organic(log.account(f"acc-plain{i}", o, "organic", card=f"c{i}", device=f"d{i}"),
                    o)
    return log.write(root), ids


def _actions(out: Path) -> dict[str, set[str]]:
    seen: dict[str, set[str]] = {}
    with open(out / "actions.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            seen.setdefault(r["action"], set()).add(r["account_id"])
    return seen


@pytest.mark.parametrize("verified", [True, False])
def test_agency_is_linked_but_never_suspended(tmp_path: Path, verified: bool) -> None:
    data, ids = _agency(tmp_path / "agency", parent_verified=verified)
    replay(data, tmp_path / "out")
    acted = _actions(tmp_path / "out")
    assert not acted.get("suspend", set()) & ids
    # not vacuous: the shared card and device put the agency in one flagged finding
    findings = [json.loads(line) for line in
                (tmp_path / "out" / "findings.jsonl").read_text().splitlines()]
    linked = [f for f in findings if len(set(f["account_ids"]) & ids) >= 10]
    assert linked
    assert any(e["signal"] == "shared_payment_fingerprint" for e in linked[0]["evidence"])


def test_the_same_links_operated_covertly_are_suspended(tmp_path: Path) -> None:
    data, ids = _covert(tmp_path / "covert")
    replay(data, tmp_path / "out")
    suspended = _actions(tmp_path / "out").get("suspend", set()) & ids
    assert len(suspended) >= 0.5 * len(ids)
    findings = [json.loads(line) for line in
                (tmp_path / "out" / "findings.jsonl").read_text().splitlines()]
    covert = [e for f in findings for e in f["evidence"] if e["signal"] == "covert_operation"]
    assert covert and "churn" in covert[0]["detail"]
