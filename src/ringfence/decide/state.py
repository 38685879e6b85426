"""The hot path's state: precomputed decisions in memory, swapped atomically.

A :class:`DecisionState` is immutable and built once per publish (or book change) from
plain facts: every account's request-independent factors (account, organisation, its
registered channel) are evaluated up front, so a request costs a dictionary lookup, an
optional IP-country lookup and, only when the request adds something (a per-request end
customer, a channel claim, a restricted IP country), a re-combination of a handful of
reasons. No graph work and no database access happen here.

:class:`StateHolder` holds the live state; replacing it is one reference assignment, which
is atomic in CPython: a request sees the old state or the new one, never a mix.
"""

from __future__ import annotations

import gc
import itertools
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from ringfence.decide.reasons import Outcome, Reason
from ringfence.decide.rules import (
    AccountFacts,
    Channel,
    Decision,
    OrgFacts,
    RuleSettings,
    account_reasons,
    attestation_mode_reason,
    channel_reasons,
    combine,
    ip_reason,
    outside_regions_reason,
    unknown_account_decision,
)
from ringfence.decide.signals import Net, NetOf, net_reasons, resale_reason

__all__ = ["DecisionIds", "DecisionState", "PolicyRef", "StateHolder"]

CountryOf = Callable[[str], str | None]
# (account id, end user, country, network) -> the account's fan-out counts once they cross
# the policy's resale thresholds, else None (the service wires ringfence.detect.fanout in)
Observe = Callable[[str, str | None, str | None, str | None], tuple[int, int, int] | None]
# (intermediary org id, its end-customer ref) -> (book org id, outside its regions)
EndCustomerRefs = Mapping[tuple[str, str], tuple[str, bool]]


@dataclass(frozen=True, slots=True)
class PolicyRef:
    name: str
    version: str
    hash: str


class DecisionIds:
    """Unique, roughly time-ordered decision ids without a system call per id."""

    def __init__(self) -> None:
        self._prefix = f"{int(time.time()):x}{os.urandom(4).hex()}"
        self._counter = itertools.count(1)

    @property
    def prefix(self) -> str:
        """Unique to this process (it also names the worker)."""
        return self._prefix

    def next(self) -> str:
        return f"{self._prefix}-{next(self._counter):x}"


@dataclass(frozen=True, slots=True)
class _Entry:
    facts: AccountFacts
    base: tuple[Reason, ...]  # account and organisation factors
    default: Decision  # with the account's registered channel and attestation, no signals


@dataclass(frozen=True)
class DecisionState:
    snapshot_id: str
    policy: PolicyRef
    rules: RuleSettings
    orgs: Mapping[str, OrgFacts]
    entries: Mapping[str, _Entry]
    keys: Mapping[str, str]  # api key id -> account id
    key_hashes: Mapping[str, str]  # sha256 of the key secret -> account id
    country_of: CountryOf | None = None
    built_at: float = field(default_factory=time.time)
    net_of: NetOf | None = None  # IP -> country, AS, network class (replaces country_of)
    ec_refs: EndCustomerRefs = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        snapshot_id: str,
        policy: PolicyRef,
        rules: RuleSettings,
        orgs: Iterable[OrgFacts],
        accounts: Iterable[AccountFacts],
        keys: Mapping[str, str] | None = None,
        key_hashes: Mapping[str, str] | None = None,
        country_of: CountryOf | None = None,
        net_of: NetOf | None = None,
        ec_refs: EndCustomerRefs | None = None,
    ) -> DecisionState:
        entries: dict[str, _Entry] = {}
        # Hundreds of thousands of small objects, none of them cyclic: pause the cyclic
        # garbage collector, whose repeated full passes would otherwise dominate the build.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for acc in accounts:
                base = account_reasons(acc, rules)
                default = combine(base + channel_reasons(acc, rules), rules)
                entries[acc.account_id] = _Entry(acc, base, default)
        finally:
            if was_enabled:
                gc.enable()
        return cls(snapshot_id=snapshot_id, policy=policy, rules=rules,
                   orgs={o.org_id: o for o in orgs}, entries=entries,
                   keys=dict(keys or {}), key_hashes=dict(key_hashes or {}),
                   country_of=country_of, net_of=net_of, ec_refs=dict(ec_refs or {}))

    def rebuilt(self, *, snapshot_id: str, policy: PolicyRef, rules: RuleSettings,
                orgs: Iterable[OrgFacts]) -> DecisionState:
        """A new state for a new snapshot or policy: every organisation replaced, the same
        accounts and keys re-linked and re-evaluated under ``rules``."""
        new_orgs = {o.org_id: o for o in orgs}
        accounts = []
        for e in self.entries.values():
            f = e.facts
            accounts.append(replace(
                f, org=new_orgs.get(f.org.org_id, f.org),
                end_customer=(new_orgs.get(f.end_customer_ref)
                              if f.end_customer_ref is not None else None)))
        return DecisionState.build(snapshot_id=snapshot_id, policy=policy, rules=rules,
                                   orgs=new_orgs.values(), accounts=accounts, keys=self.keys,
                                   key_hashes=self.key_hashes, country_of=self.country_of,
                                   net_of=self.net_of, ec_refs=self.ec_refs)

    def updated(
        self,
        *,
        orgs: Iterable[OrgFacts] = (),
        accounts: Iterable[AccountFacts] = (),
        keys: Mapping[str, str] | None = None,
        key_hashes: Mapping[str, str] | None = None,
        drop_keys: Iterable[tuple[str, str]] = (),
        ec_refs: Mapping[tuple[str, str], tuple[str, bool] | None] | None = None,
    ) -> DecisionState:
        """A new state with some organisations, accounts or keys changed; accounts that
        belong to, or attest, a changed organisation are re-linked and re-evaluated."""
        new_orgs = dict(self.orgs)
        changed = set()
        for o in orgs:
            new_orgs[o.org_id] = o
            changed.add(o.org_id)
        todo = {a.account_id: a for a in accounts}
        if changed:
            for aid, e in self.entries.items():
                f = e.facts
                if aid in todo:
                    continue
                if f.org.org_id in changed or (f.end_customer_ref in changed):
                    todo[aid] = f
        entries = dict(self.entries)
        for aid, f in todo.items():
            f = replace(f, org=new_orgs.get(f.org.org_id, f.org),
                        end_customer=(new_orgs.get(f.end_customer_ref)
                                      if f.end_customer_ref is not None else None))
            base = account_reasons(f, self.rules)
            entries[aid] = _Entry(f, base, combine(base + channel_reasons(f, self.rules),
                                                   self.rules))
        new_keys = dict(self.keys)
        new_hashes = dict(self.key_hashes)
        new_keys.update(keys or {})
        new_hashes.update(key_hashes or {})
        for key_id, digest in drop_keys:
            new_keys.pop(key_id, None)
            new_hashes.pop(digest, None)
        refs = self.ec_refs
        if ec_refs:  # None as a value drops the reference
            refs = dict(refs)
            for k, v in ec_refs.items():
                if v is None:
                    refs.pop(k, None)
                else:
                    refs[k] = v
        return replace(self, orgs=new_orgs, entries=entries, keys=new_keys,
                       key_hashes=new_hashes, built_at=time.time(), ec_refs=refs)

    def account_for(self, *, account_id: str | None = None, key_id: str | None = None,
                    key_hash: str | None = None) -> str | None:
        if account_id is not None:
            return account_id
        if key_id is not None:
            return self.keys.get(key_id)
        if key_hash is not None:
            return self.key_hashes.get(key_hash)
        return None

    def facts(self, account_id: str) -> AccountFacts | None:
        entry = self.entries.get(account_id)
        return entry.facts if entry is not None else None

    def net(self, client_ip: str | None) -> tuple[Net | None, str | None]:
        """The request's network and country (``None, None`` without an IP or lookup)."""
        if client_ip is None:
            return None, None
        if self.net_of is not None:
            net = self.net_of(client_ip)
            return net, (net.country if net is not None else None)
        if self.country_of is not None:
            return None, self.country_of(client_ip)
        return None, None

    def decide(
        self,
        *,
        account_id: str | None,
        client_ip: str | None = None,
        channel: Channel | None = None,
        end_customer: str | None = None,
        end_customer_ref: str | None = None,
        client_user_id: str | None = None,
        observe: Observe | None = None,
    ) -> Decision:
        """The decision for one request. ``account_id`` None means the caller named an
        account or key that is not in the book (fail closed per policy).
        ``end_customer_ref`` is the intermediary's own reference for its end customer
        (mapped in memory); ``observe`` counts the account's fan-out (accounts of no
        registered intermediary only)."""
        rules = self.rules
        net, country = self.net(client_ip)
        entry = self.entries.get(account_id) if account_id is not None else None
        if entry is None:
            return unknown_account_decision(rules, ref=account_id, ip_country=country)
        facts = entry.facts
        extra: tuple[Reason, ...] = ()
        ip = ip_reason(country, rules)
        if ip is not None:
            extra = (ip,)
        if net is not None:
            extra += net_reasons(net, facts.signals, rules.signals)
        if (observe is not None and facts.agreement is None
                and facts.channel is Channel.DIRECT):
            r = resale_reason(observe(facts.account_id, client_user_id, country,
                                      net.asn if net is not None else None), rules.signals)
            if r is not None:
                extra += (r,)
        outside = False
        if end_customer_ref is not None and end_customer is None:
            hit = self.ec_refs.get((facts.org.org_id, end_customer_ref))
            if hit is not None:
                end_customer, outside = hit
        if end_customer is None and end_customer_ref is None and (
                channel is None or channel is facts.channel):
            d = entry.default
            if not extra:
                if country is None:
                    return d
                return Decision(d.outcome, d.allow, d.reasons, country, d.limits)
            return combine((*d.reasons, *extra), rules, country)
        ec_facts = self.orgs.get(end_customer) if end_customer is not None else None
        reasons = entry.base + channel_reasons(
            facts, rules, claimed_channel=channel, end_customer=ec_facts,
            end_customer_ref=end_customer if end_customer is not None else end_customer_ref)
        if outside:
            reasons += (outside_regions_reason(facts, ec_facts),)
        if end_customer is not None or end_customer_ref is not None:
            mode = attestation_mode_reason(facts)
            if mode is not None:
                reasons += (mode,)
        return combine((*reasons, *extra), rules, country)

    def decide_unknown(self, *, ref: str | None, client_ip: str | None = None) -> Decision:
        """The decision for a caller that named an account or key not in the book."""
        _net, country = self.net(client_ip)
        return unknown_account_decision(self.rules, ref=ref, ip_country=country)

    def counts(self) -> dict[str, int]:
        by_outcome: dict[str, int] = {str(o): 0 for o in Outcome}
        for e in self.entries.values():
            by_outcome[str(e.default.outcome)] += 1
        return {"accounts": len(self.entries), "organizations": len(self.orgs), **by_outcome}


class StateHolder:
    """The live :class:`DecisionState`; ``None`` until a snapshot is loaded (not ready)."""

    def __init__(self, state: DecisionState | None = None) -> None:
        self.state = state

    def swap(self, state: DecisionState) -> DecisionState | None:
        old, self.state = self.state, state
        # The state is hundreds of thousands of long-lived, acyclic objects: move them out
        # of the cyclic collector's generations, so the full collections that per-request
        # allocations trigger do not walk them (pauses of milliseconds on a large book).
        # A replaced state is still freed by reference counting.
        gc.freeze()
        return old
