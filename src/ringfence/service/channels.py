"""Intermediaries (cloud platforms, resellers, API aggregators) and their end customers.

An intermediary is an organisation of the book with a channel agreement (``channels``
table): its kind, how it attests end customers, the regions it may serve. Its own status
is an organisation's status like any other, so a restricted intermediary is denied whatever
it attests (the rule's organisation factor). Its end customers are organisations of the
book too, screened by the same path as onboarding (:func:`book.screened_values`), keyed by
the intermediary's own reference (``end_customers``), so the publish re-match covers them
and the gateway maps ``x-ringfence-end-customer-ref`` in memory.

What an intermediary sees of its end customers is the status (allowed, denied, review) and
nothing else: no entity, candidates, scores or ownership, so attestation cannot be used to
probe screening. Calls are rate-limited per intermediary (per worker) and audited.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import threading
import time
import uuid
from collections import deque
from typing import Any

from sqlalchemy import insert, select, update

from ringfence.audit import now_iso
from ringfence.exc import InputError, NotFoundError
from ringfence.model.countries import is_country
from ringfence.service.book import screened_values
from ringfence.service.errors import RateLimitedError
from ringfence.service.runtime import Runtime
from ringfence.store.tables import channels, end_customers, organizations, webhooks

__all__ = ["KINDS", "MAX_END_CUSTOMERS", "MODES", "attest", "channel_view", "create_channel",
           "end_customer_statuses", "list_channels", "parse_end_customers",
           "register_webhook"]

KINDS = ("cloud_platform", "reseller", "api_aggregator")
MODES = ("per_request", "per_account", "both")
MAX_END_CUSTOMERS = 10_000
CSV_COLUMNS = ("ref", "name", "country", "identifiers", "domains")
_REF = re.compile(r"^[A-Za-z0-9._:@/+-]{1,200}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def channel_view(row: Any) -> dict[str, Any]:
    return {"id": row.org_id, "kind": row.kind, "attestation": row.attestation,
            "regions": list(row.regions or []), "created_at": row.created_at,
            "updated_at": row.updated_at}


def _channel_row(conn: Any, channel_id: str) -> Any:
    row = conn.execute(select(channels).where(channels.c.org_id == channel_id)).first()
    if row is None:
        raise NotFoundError(f"no channel {channel_id!r}", details={"channel_id": channel_id})
    return row


def create_channel(rt: Runtime, *, org_id: str, kind: str, attestation: str,
                   regions: list[str], actor: str) -> dict[str, Any]:
    """Record (or change) the channel agreement of organisation ``org_id``."""
    if kind not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}", details={"field": "kind"})
    if attestation not in MODES:
        raise InputError(f"attestation must be one of {', '.join(MODES)}",
                         details={"field": "attestation"})
    regs = sorted({r.upper() for r in regions})
    for r in regs:
        if not is_country(r):
            raise InputError(f"{r!r} is not an ISO 3166-1 alpha-2 code",
                             details={"field": "regions"})
    ts = now_iso()
    with rt.write_lock:
        with rt.audit.transaction() as conn:
            rt.org_row(conn, org_id)
            old = conn.execute(select(channels).where(channels.c.org_id == org_id)).first()
            values = {"kind": kind, "attestation": attestation, "regions": regs,
                      "updated_at": ts}
            if old is None:
                conn.execute(insert(channels).values(org_id=org_id, created_at=ts,
                                                     created_by=actor, **values))
            else:
                conn.execute(update(channels).where(channels.c.org_id == org_id)
                             .values(**values))
            rt.audit.append(conn, kind="channel.create", actor=actor, subject=org_id,
                            payload={"kind": kind, "attestation": attestation,
                                     "regions": regs, "changed": old is not None})
            row = _channel_row(conn, org_id)
        rt.refresh(channels=[org_id])
    return channel_view(row)


def list_channels(rt: Runtime) -> list[dict[str, Any]]:
    """Every channel agreement, with its organisation's name and status."""
    with rt.engine.connect() as conn:
        rows = conn.execute(select(channels, organizations.c.name, organizations.c.status)
                            .join(organizations, organizations.c.id == channels.c.org_id)
                            .order_by(channels.c.created_at)).all()
    return [{**channel_view(r), "name": r.name, "status": r.status} for r in rows]


def get_channel(rt: Runtime, channel_id: str) -> dict[str, Any]:
    with rt.engine.connect() as conn:
        row = _channel_row(conn, channel_id)
        n = len(conn.execute(select(end_customers.c.ref).where(
            end_customers.c.channel_id == channel_id)).all())
    return {**channel_view(row), "end_customers": n}


def register_webhook(rt: Runtime, *, channel_id: str, url: str, secret: str,
                     actor: str) -> dict[str, Any]:
    """The URL an intermediary's end-customer status changes are sent to (https only; the
    address is checked again at every send, see ``webhooks.check_public_url``)."""
    from ringfence.service.webhooks import check_public_url

    check_public_url(url)
    hook_id = f"whk_{uuid.uuid4().hex[:20]}"
    with rt.audit.transaction() as conn:
        _channel_row(conn, channel_id)
        conn.execute(update(webhooks).where(webhooks.c.channel_id == channel_id)
                     .values(active=False))
        conn.execute(insert(webhooks).values(id=hook_id, url=url, secret=secret, active=True,
                                             created_at=now_iso(), channel_id=channel_id))
        rt.audit.append(conn, kind="webhook.create", actor=actor, subject=hook_id,
                        payload={"url": url, "channel": channel_id})
    return {"id": hook_id, "url": url, "channel": channel_id, "active": True}


# ------------------------------------------------------------------ parsing
def _problem(index: int, ref: str | None, field: str, message: str) -> InputError:
    return InputError(f"end customer {index} ({ref or 'no ref'}): {message}",
                      details={"record": index, "ref": ref, "field": field})


def _clean(index: int, raw: dict[str, Any]) -> dict[str, Any]:
    ref = raw.get("ref")
    if not isinstance(ref, str) or not _REF.match(ref):
        raise _problem(index, None, "ref", "ref must be 1-200 characters of letters, digits "
                       "and . _ : @ / + -")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 500:
        raise _problem(index, ref, "name", "name must be 1-500 characters")
    country = raw.get("country") or None
    if country is not None:
        if not isinstance(country, str) or not is_country(country.upper()):
            raise _problem(index, ref, "country", f"{country!r} is not an ISO 3166-1 "
                           "alpha-2 code")
        country = country.upper()
    idents = raw.get("identifiers") or []
    if isinstance(idents, str):
        idents = [x for x in idents.split(";") if x.strip()]
    parsed: list[dict[str, str]] = []
    for ident in idents:
        if isinstance(ident, dict):
            scheme, value = ident.get("scheme"), ident.get("value")
        elif isinstance(ident, str) and ":" in ident:
            scheme, _, value = ident.partition(":")
        else:
            raise _problem(index, ref, "identifiers", f"{ident!r} is not scheme:value")
        if not isinstance(scheme, str) or not isinstance(value, str) or not scheme.strip() \
                or not value.strip() or len(scheme) > 40 or len(value) > 200:
            raise _problem(index, ref, "identifiers", f"{ident!r} is not scheme:value")
        parsed.append({"scheme": scheme.strip().lower(), "value": value.strip()})
    domains = raw.get("domains") or []
    if isinstance(domains, str):
        domains = [x for x in domains.split(";") if x.strip()]
    out_domains: list[str] = []
    for d in domains:
        dl = str(d).strip().lower()
        if not _DOMAIN.match(dl):
            raise _problem(index, ref, "domains", f"{d!r} is not a domain name")
        out_domains.append(dl)
    return {"ref": ref, "name": name.strip(), "country": country, "identifiers": parsed,
            "domains": sorted(set(out_domains))}


def parse_end_customers(body: bytes, content_type: str) -> list[dict[str, Any]]:
    """JSON (``{"end_customers": [...]}`` or a list) or CSV with the columns
    ``ref,name,country,identifiers,domains`` (identifiers ``scheme:value`` joined by ``;``,
    domains joined by ``;``). Every record is checked before anything is written; the
    first bad one is named (index, ref, field) and nothing is written."""
    if content_type.split(";")[0].strip().lower() == "text/csv":
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise InputError("the CSV is not UTF-8", details={"field": "body"}) from err
        reader = csv.DictReader(io.StringIO(text))
        if reader.fieldnames is None or tuple(f.strip() for f in reader.fieldnames) \
                != CSV_COLUMNS:
            raise InputError("the CSV header must be " + ",".join(CSV_COLUMNS),
                             details={"field": "header", "got": reader.fieldnames})
        raw: Any = []
        for row in reader:
            if None in row:
                raise _problem(len(raw), row.get("ref"), "row", "more fields than columns")
            raw.append(row)
            if len(raw) > MAX_END_CUSTOMERS:
                break
    else:
        try:
            data = json.loads(body)
        except ValueError as err:
            raise InputError(f"the body is not JSON: {err}", details={"field": "body"}) from err
        raw = data.get("end_customers") if isinstance(data, dict) else data
        if not isinstance(raw, list):
            raise InputError("expected {\"end_customers\": [...]}",
                             details={"field": "body.end_customers"})
    if not raw:
        raise InputError("no end customers in the request", details={"field": "body"})
    if len(raw) > MAX_END_CUSTOMERS:
        raise InputError(f"at most {MAX_END_CUSTOMERS} end customers per call",
                         details={"field": "body", "limit": MAX_END_CUSTOMERS})
    out = []
    seen: set[str] = set()
    for i, r in enumerate(raw):
        if not isinstance(r, dict):
            raise _problem(i, None, "record", "each end customer is an object")
        c = _clean(i, r)
        if c["ref"] in seen:
            raise _problem(i, c["ref"], "ref", "ref appears twice in this request")
        seen.add(c["ref"])
        out.append(c)
    return out


# ------------------------------------------------------------------ rate limit
class CallLimiter:
    """At most ``per_minute`` attestation calls per intermediary in any 60 s (per worker)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, channel_id: str) -> None:
        now = time.monotonic()
        with self._lock:
            q = self._calls.setdefault(channel_id, deque())
            while q and now - q[0] >= 60.0:
                q.popleft()
            if len(q) >= self.per_minute:
                raise RateLimitedError(
                    f"at most {self.per_minute} attestation calls a minute",
                    details={"retry_after_seconds": int(60 - (now - q[0])) + 1})
            q.append(now)


_LIMITERS: dict[int, CallLimiter] = {}


def limiter(rt: Runtime) -> CallLimiter:
    lim = _LIMITERS.get(id(rt))
    if lim is None:
        lim = _LIMITERS[id(rt)] = CallLimiter(rt.settings.attest_calls_per_minute)
    return lim


# ------------------------------------------------------------------ attestation
def _digest(c: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps([c["name"], c["country"], c["identifiers"],
                                      c["domains"]], sort_keys=True).encode()).hexdigest()


def attest(rt: Runtime, *, channel_id: str, items: list[dict[str, Any]],
           actor: str) -> dict[str, Any]:
    """Screen and record end customers of ``channel_id``; idempotent by ``ref`` (the same
    declaration again changes nothing; a changed one is screened again). Returns each
    ref's status and nothing else."""
    limiter(rt).check(channel_id)
    live = rt.require_live()
    ts = now_iso()
    with rt.engine.connect() as conn:
        _channel_row(conn, channel_id)
        existing = {r.ref: r for r in conn.execute(
            select(end_customers.c.ref, end_customers.c.org_id, end_customers.c.digest,
                   organizations.c.status)
            .join(organizations, organizations.c.id == end_customers.c.org_id)
            .where(end_customers.c.channel_id == channel_id,
                   end_customers.c.ref.in_([c["ref"] for c in items]))).all()}
    results: list[dict[str, str]] = []
    new_orgs: list[dict[str, Any]] = []
    new_links: list[dict[str, Any]] = []
    changed: list[tuple[str, str, dict[str, Any]]] = []  # (ref, org id, values)
    for c in items:  # screening off the write lock: the slow part
        digest = _digest(c)
        old = existing.get(c["ref"])
        if old is not None and old.digest == digest:
            results.append({"ref": c["ref"], "status": old.status, "change": "unchanged"})
            continue
        screened = screened_values(rt, live, name=c["name"], country=c["country"],
                                   billing_country=None, identifiers=c["identifiers"])
        values = {**screened, "country": c["country"],
                  "billing_country": None, "identifiers": c["identifiers"],
                  "domains": c["domains"], "updated_at": ts}
        if old is None:
            org_id = f"org_{uuid.uuid4().hex[:20]}"
            new_orgs.append({**values, "id": org_id, "override": None, "created_at": ts,
                             "provider_org_id": None})
            new_links.append({"channel_id": channel_id, "ref": c["ref"], "org_id": org_id,
                              "digest": digest, "created_at": ts, "updated_at": ts})
            results.append({"ref": c["ref"], "status": screened["status"], "change": "new"})
        else:
            changed.append((c["ref"], old.org_id, {**values, "digest": digest}))
            results.append({"ref": c["ref"], "status": screened["status"],
                            "change": "updated"})
    org_ids = [o["id"] for o in new_orgs] + [oid for _r, oid, _v in changed]
    with rt.write_lock:
        with rt.audit.transaction() as conn:
            if new_orgs:
                conn.execute(insert(organizations), new_orgs)
                conn.execute(insert(end_customers), new_links)
            for ref, org_id, v in changed:
                digest = v.pop("digest")
                row = conn.execute(select(organizations.c.override).where(
                    organizations.c.id == org_id)).one()
                if row.override is not None:  # an analyst's status stands
                    v.pop("status")
                conn.execute(update(organizations).where(organizations.c.id == org_id)
                             .values(**v))
                conn.execute(update(end_customers).where(
                    end_customers.c.channel_id == channel_id, end_customers.c.ref == ref)
                    .values(digest=digest, updated_at=ts))
            rt.audit.append(conn, kind="channel.end_customers", actor=actor,
                            subject=channel_id, payload={
                                "snapshot_id": live.snapshot.id, "count": len(items),
                                "new": len(new_orgs), "updated": len(changed),
                                "items": [[r["ref"], r["status"], r["change"]]
                                          for r in results],
                                "org_ids": org_ids})
        if org_ids:
            rt.refresh(orgs=org_ids, channels=[channel_id])
    counts: dict[str, int] = {"allowed": 0, "denied": 0, "review": 0}
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return {"channel": channel_id, "count": len(results), "statuses": counts,
            "items": results}


def end_customer_statuses(rt: Runtime, *, channel_id: str, full: bool, limit: int = 1000,
                          offset: int = 0) -> dict[str, Any]:
    """The end customers' statuses (``full``: with the book's organisation id, for
    analysts)."""
    with rt.engine.connect() as conn:
        _channel_row(conn, channel_id)
        rows = conn.execute(
            select(end_customers.c.ref, end_customers.c.org_id, organizations.c.status)
            .join(organizations, organizations.c.id == end_customers.c.org_id)
            .where(end_customers.c.channel_id == channel_id)
            .order_by(end_customers.c.ref).limit(limit).offset(offset)).all()
    items = [{"ref": r.ref, "status": r.status, **({"org_id": r.org_id} if full else {})}
             for r in rows]
    return {"channel": channel_id, "items": items, "limit": limit, "offset": offset}

