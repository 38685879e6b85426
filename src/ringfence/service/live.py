"""What one process serves: the live snapshot, policy, verdicts and resolver, and the
hot-path state built from them and the customer book.

:class:`Live` is replaced whole by a publish or a followed publish. The state is built
from the book's rows (:func:`read_state`) or brought up to date with the rows a change
touched (:func:`refresh_state`); both are plain functions over a database engine, so the
runtime only decides *when* to call them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from ringfence.decide import (
    AccountFacts,
    Agreement,
    Channel,
    DecisionState,
    DetectionIndex,
    Match,
    OrgFacts,
    OrgStatus,
    PolicyRef,
    RateLimit,
    RuleSettings,
)
from ringfence.decide.signals import AccountSignals, NetOf, canonical_domain, domain_and_parents
from ringfence.engines.base import VerdictBook
from ringfence.model import EntityVerdict
from ringfence.policy import LoadedPolicy, ResolvedPolicy
from ringfence.service.detections import load_detections
from ringfence.snapshot import Snapshot
from ringfence.snapshot.screening import SnapshotResolver, declared_name_disguise
from ringfence.store.tables import accounts, api_keys, end_customers, organizations
from ringfence.store.tables import channels as channels_t

__all__ = ["EntityVerdictLike", "Evaluator", "Live", "SignalBook", "VerdictBookLike",
           "account_facts", "evaluate_book", "name_disguise", "org_facts", "read_state",
           "refresh_state", "sha256", "stored_match", "today"]


# the engine contract the service reads (engines/base.py), under the service's names
VerdictBookLike = VerdictBook
EntityVerdictLike = EntityVerdict


Evaluator = Callable[[Snapshot, LoadedPolicy, dt.date], VerdictBookLike]


def evaluate_book(snapshot: Snapshot, policy: LoadedPolicy, as_of: dt.date) -> VerdictBookLike:
    from ringfence.engines.local import evaluate

    return evaluate(snapshot, policy, as_of)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@dataclass(frozen=True)
class Live:
    snapshot: Snapshot
    loaded: LoadedPolicy
    book: VerdictBookLike
    resolver: SnapshotResolver

    @property
    def resolved(self) -> ResolvedPolicy:
        return self.book.policy

    @property
    def policy_ref(self) -> PolicyRef:
        r = self.resolved
        return PolicyRef(r.name, r.version, r.hash)

    @property
    def rules(self) -> RuleSettings:
        return RuleSettings.from_policy(self.resolved.settings)


def org_facts(row: Any) -> OrgFacts:
    reasons = [r["code"] for r in (row.computed_reasons or [])]
    if row.override:
        reasons.append("analyst_override")
    return OrgFacts(org_id=row.id, status=OrgStatus(row.status), entity_id=row.entity_id,
                    verdict=row.verdict, status_reasons=tuple(reasons))


@dataclass(frozen=True)
class SignalBook:
    """What the account-level signals read besides the account: the organisations'
    declarations, the intermediaries' agreements, the domains of restricted groups and the
    disposable e-mail domains."""

    org_rows: dict[str, Any]
    agreements: dict[str, Agreement]
    restricted_domains: dict[str, str]  # domain -> the restricted organisation or entity
    disposable: frozenset[str]

    def signals(self, row: Any) -> AccountSignals:
        org = self.org_rows.get(row.org_id)
        declared = org.country if org is not None else None
        billing = getattr(row, "payment_country", None) or (
            org.billing_country if org is not None else None)
        email = getattr(row, "email", None) or ""
        email_domain = (canonical_domain(email) or None) if "@" in email else None
        domains = [canonical_domain(str(d)) for d in (org.domains if org is not None else [])]
        if email_domain:
            domains.append(email_domain)
        hits = tuple(sorted({(p, self.restricted_domains[p]) for d in domains if d
                             for p in domain_and_parents(d)
                             if p in self.restricted_domains
                             and self.restricted_domains[p] != row.org_id}))
        return AccountSignals(
            declared_country=declared, billing_country=billing,
            phone_country=phone_country(getattr(row, "phone", None)),
            email_domain=email_domain, restricted_domains=hits,
            disposable=bool(email_domain) and any(
                p in self.disposable for p in domain_and_parents(email_domain or "")))


def phone_country(phone: str | None) -> str | None:
    """The ISO country of an international phone number (phonenumbers), or None."""
    if not phone:
        return None
    import phonenumbers

    try:
        n = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(n)
    return region if region and region != "ZZ" else None


_DISPOSABLE: frozenset[str] | None = None


def disposable_domains() -> frozenset[str]:
    """The detection package's curated throwaway list plus the disposable-email-domains
    blocklist (one set, read once)."""
    global _DISPOSABLE
    if _DISPOSABLE is None:
        from disposable_email_domains import blocklist

        from ringfence.traffic.enrich import load_throwaway_domains

        _DISPOSABLE = frozenset(blocklist) | load_throwaway_domains()
    return _DISPOSABLE


def read_signal_book(conn: Any, live: Live | None) -> SignalBook:
    org_rows = {r.id: r for r in conn.execute(select(
        organizations.c.id, organizations.c.country, organizations.c.billing_country,
        organizations.c.domains, organizations.c.status, organizations.c.verdict)).all()}
    agreements = {r.org_id: Agreement(r.kind, r.attestation,
                                      frozenset(x.upper() for x in (r.regions or [])))
                  for r in conn.execute(select(channels_t)).all()}
    restricted: dict[str, str] = {}
    for r in org_rows.values():  # onboarding declarations of restricted organisations
        if r.verdict == "restricted":
            for d in r.domains or []:
                restricted.setdefault(canonical_domain(str(d)), r.id)
    if live is not None:  # registries' domain identifiers of restricted entities
        restricted.update(snapshot_domains(live))
    return SignalBook(org_rows, agreements, restricted, disposable_domains())


def snapshot_domains(live: Live) -> dict[str, str]:
    try:
        table = live.snapshot.identifiers_table()
    except Exception:  # a snapshot without identifiers: no domains
        return {}
    out: dict[str, str] = {}
    for row in table.to_pylist():
        if str(row.get("scheme", "")).lower() in ("domain", "website"):
            v = live.book.get(str(row["entity"]))
            if v is not None and v.verdict == "restricted":
                out.setdefault(canonical_domain(str(row["value"])), str(row["entity"]))
    return out


def read_ec_refs(conn: Any, book: SignalBook) -> dict[tuple[str, str], tuple[str, bool]]:
    rows = conn.execute(select(end_customers.c.channel_id, end_customers.c.ref,
                               end_customers.c.org_id)).all()
    return {(r.channel_id, r.ref): ec_entry(book, r.channel_id, r.org_id) for r in rows}


def ec_entry(book: SignalBook, channel_id: str, org_id: str) -> tuple[str, bool]:
    """(org id, outside the channel's regions)."""
    ag = book.agreements.get(channel_id)
    org = book.org_rows.get(org_id)
    country = org.country if org is not None else None
    outside = bool(ag is not None and ag.regions and country and country not in ag.regions)
    return org_id, outside


def account_facts(row: Any, orgs: dict[str, OrgFacts],
                  detections: DetectionIndex | None = None,
                  book: SignalBook | None = None) -> AccountFacts:
    ec = row.end_customer
    return AccountFacts(account_id=row.id, org=orgs[row.org_id], channel=Channel(row.channel),
                        active=bool(row.active),
                        end_customer=orgs.get(ec) if ec else None, end_customer_ref=ec,
                        detection=(detections.for_account(row.id, row.org_id)
                                   if detections else None),
                        signals=book.signals(row) if book is not None else None,
                        agreement=book.agreements.get(row.org_id) if book else None)


def stored_match(m: dict[str, Any]) -> Match:
    """A match as the book stores it (``organizations.match``)."""
    return Match(m["entity_id"], float(m["score"]), bool(m["confident"]),
                 explanation=m.get("explanation") or {},
                 alternatives=tuple((str(a[0]), float(a[1]))
                                    for a in m.get("alternatives") or ()))


def name_disguise(name: str, match: Match | None) -> dict[str, Any] | None:
    """The ``name_disguised`` evidence for a declared name (see
    ``ringfence.snapshot.screening.declared_name_disguise``)."""
    features = match.explanation.get("features", []) if match is not None else []
    return declared_name_disguise(name, features if isinstance(features, list) else [])


def read_state(engine: Engine, live: Live, *, country_of: Callable[[str], str | None] | None,
               throttle: RateLimit, net_of: NetOf | None = None
               ) -> tuple[DecisionState, DetectionIndex, SignalBook]:
    """The hot-path state for ``live`` with every organisation, account and key read from
    the database, the confirmed detection cases the accounts' facts carry and the signal
    book it was built with."""
    with engine.connect() as conn:
        book = read_signal_book(conn, live)
        ec_refs = read_ec_refs(conn, book)
        org_rows = conn.execute(select(organizations)).all()
        acc_rows = conn.execute(select(accounts)).all()
        key_rows = conn.execute(select(api_keys.c.id, api_keys.c.account_id, api_keys.c.hash)
                                .where(api_keys.c.revoked_at.is_(None))).all()
        detections = load_detections(conn, limit=throttle)
    orgs = {r.id: org_facts(r) for r in org_rows}
    return DecisionState.build(
        snapshot_id=live.snapshot.id, policy=live.policy_ref, rules=live.rules,
        orgs=orgs.values(),
        accounts=[account_facts(r, orgs, detections, book) for r in acc_rows],
        keys={r.id: r.account_id for r in key_rows},
        key_hashes={r.hash: r.account_id for r in key_rows}, country_of=country_of,
        net_of=net_of, ec_refs=ec_refs), detections, book


def refresh_state(engine: Engine, state: DecisionState, *, detections: DetectionIndex | None,
                  orgs: Sequence[str] = (), accounts_: Sequence[str] = (),
                  keys: Sequence[str] = (), book: SignalBook | None = None,
                  ec_refs: dict[tuple[str, str], tuple[str, bool] | None] | None = None,
                  ) -> DecisionState:
    """``state`` with the named organisations, accounts and keys read again (``book``:
    the signal book, refreshed by the caller; ``ec_refs``: end-customer references added,
    changed or, with None, dropped)."""
    with engine.connect() as conn:
        org_rows = (conn.execute(select(organizations).where(organizations.c.id.in_(orgs)))
                    .all() if orgs else [])
        acc_rows = (conn.execute(select(accounts).where(accounts.c.id.in_(accounts_))).all()
                    if accounts_ else [])
        key_rows = (conn.execute(select(api_keys).where(api_keys.c.id.in_(keys))).all()
                    if keys else [])
    new_orgs = {r.id: org_facts(r) for r in org_rows}
    lookup = {**state.orgs, **new_orgs}
    live_keys = [r for r in key_rows if r.revoked_at is None]
    dead = [(r.id, r.hash) for r in key_rows if r.revoked_at is not None]
    return state.updated(
        orgs=new_orgs.values(),
        accounts=[account_facts(r, lookup, detections, book) for r in acc_rows],
        ec_refs=ec_refs,
        keys={r.id: r.account_id for r in live_keys},
        key_hashes={r.hash: r.account_id for r in live_keys}, drop_keys=dead)


def refresh_signal_book(engine: Engine, book: SignalBook | None, *, orgs: Sequence[str] = (),
                        channels: Sequence[str] = (), accounts_: Sequence[str] = ()
                        ) -> tuple[SignalBook | None, dict[tuple[str, str],
                                                           tuple[str, bool] | None],
                                   Sequence[str], Sequence[str]]:
    """The signal book with ``orgs`` and ``channels`` read again; the end-customer
    references of those channels; the organisations to read again (``orgs``: the caller
    names the end customers a change created or re-screened, so a channel's other end
    customers are not read again); the accounts to read again (``accounts_`` plus the
    changed channels' own accounts, whose agreement may have changed)."""
    if book is None or not (orgs or channels):
        return book, {}, orgs, accounts_
    ec_refs: dict[tuple[str, str], tuple[str, bool] | None] = {}
    with engine.connect() as conn:
        rows = conn.execute(select(
            organizations.c.id, organizations.c.country, organizations.c.billing_country,
            organizations.c.domains, organizations.c.status, organizations.c.verdict)
            .where(organizations.c.id.in_(list(orgs)))).all() if orgs else []
        org_rows = {**book.org_rows, **{r.id: r for r in rows}}
        agreements = book.agreements
        more: list[str] = []
        if channels:
            agreements = dict(agreements)
            for r in conn.execute(select(channels_t).where(
                    channels_t.c.org_id.in_(list(channels)))).all():
                agreements[r.org_id] = Agreement(
                    r.kind, r.attestation, frozenset(x.upper() for x in (r.regions or [])))
            new = SignalBook(org_rows, agreements, book.restricted_domains, book.disposable)
            for r in conn.execute(select(end_customers.c.channel_id, end_customers.c.ref,
                                         end_customers.c.org_id).where(
                    end_customers.c.channel_id.in_(list(channels)))).all():
                ec_refs[(r.channel_id, r.ref)] = ec_entry(new, r.channel_id, r.org_id)
            more = [r.id for r in conn.execute(select(accounts.c.id).where(
                accounts.c.org_id.in_(list(channels)))).all()]
        restricted = book.restricted_domains
        if rows and any(r.verdict == "restricted" for r in rows):
            restricted = dict(restricted)
            for r in rows:
                if r.verdict == "restricted":
                    for d in r.domains or []:
                        restricted.setdefault(canonical_domain(str(d)), r.id)
    out = SignalBook(org_rows, agreements, restricted, book.disposable)
    return out, ec_refs, orgs, list(dict.fromkeys([*accounts_, *more]))
