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
    channel_reasons,
    combine,
    ip_reason,
    unknown_account_decision,
)

__all__ = ["DecisionIds", "DecisionState", "PolicyRef", "StateHolder"]

CountryOf = Callable[[str], str | None]


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
    ) -> DecisionState:
        entries: dict[str, _Entry] = {}
        # Hundreds of thousands of small objects, none of them cyclic: pause the cyclic
        # garbage collector, whose repeated full passes would otherwise dominate the build.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for acc in accounts:
                base = account_reasons(acc)
                default = combine(base + channel_reasons(acc, rules), rules)
                entries[acc.account_id] = _Entry(acc, base, default)
        finally:
            if was_enabled:
                gc.enable()
        return cls(snapshot_id=snapshot_id, policy=policy, rules=rules,
                   orgs={o.org_id: o for o in orgs}, entries=entries,
                   keys=dict(keys or {}), key_hashes=dict(key_hashes or {}),
                   country_of=country_of)

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
                                   key_hashes=self.key_hashes, country_of=self.country_of)

    def updated(
        self,
        *,
        orgs: Iterable[OrgFacts] = (),
        accounts: Iterable[AccountFacts] = (),
        keys: Mapping[str, str] | None = None,
        key_hashes: Mapping[str, str] | None = None,
        drop_keys: Iterable[tuple[str, str]] = (),
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
            base = account_reasons(f)
            entries[aid] = _Entry(f, base, combine(base + channel_reasons(f, self.rules),
                                                   self.rules))
        new_keys = dict(self.keys)
        new_hashes = dict(self.key_hashes)
        new_keys.update(keys or {})
        new_hashes.update(key_hashes or {})
        for key_id, digest in drop_keys:
            new_keys.pop(key_id, None)
            new_hashes.pop(digest, None)
        return replace(self, orgs=new_orgs, entries=entries, keys=new_keys,
                       key_hashes=new_hashes, built_at=time.time())

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

    def decide(
        self,
        *,
        account_id: str | None,
        client_ip: str | None = None,
        channel: Channel | None = None,
        end_customer: str | None = None,
    ) -> Decision:
        """The decision for one request. ``account_id`` None means the caller named an
        account or key that is not in the book (fail closed per policy)."""
        rules = self.rules
        country = None
        if client_ip is not None and self.country_of is not None:
            country = self.country_of(client_ip)
        entry = self.entries.get(account_id) if account_id is not None else None
        if entry is None:
            return unknown_account_decision(rules, ref=account_id, ip_country=country)
        ip = ip_reason(country, rules)
        if end_customer is None and (channel is None or channel is entry.facts.channel):
            if ip is None:
                d = entry.default
                if country is None:
                    return d
                return Decision(d.outcome, d.allow, d.reasons, country, d.limits)
            return combine((*entry.default.reasons, ip), rules, country)
        reasons = entry.base + channel_reasons(
            entry.facts, rules, claimed_channel=channel,
            end_customer=self.orgs.get(end_customer) if end_customer is not None else None,
            end_customer_ref=end_customer)
        if ip is not None:
            reasons = (*reasons, ip)
        return combine(reasons, rules, country)

    def decide_unknown(self, *, ref: str | None, client_ip: str | None = None) -> Decision:
        """The decision for a caller that named an account or key not in the book."""
        country = None
        if client_ip is not None and self.country_of is not None:
            country = self.country_of(client_ip)
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
        return old
