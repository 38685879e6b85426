"""Prometheus metrics, one registry per runtime (so several apps in one process don't clash).

The gauges of the live state (accounts, organisations) are read from the state when
``/metrics`` is scraped, so they always agree with ``/readyz``;
``ringfence_last_publish_seconds`` is the time the last publish took to take effect in
this process (its whole publish, or, for one another process made, this worker's load,
evaluation and swap).
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from ringfence.decide import Decision, StateHolder

__all__ = ["Metrics"]

_BUCKETS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 1.0)


class Metrics:
    def __init__(self, holder: StateHolder | None = None) -> None:
        self.registry = CollectorRegistry()
        self.decisions = Counter("ringfence_decisions_total", "Decisions by outcome",
                                 ["outcome"], registry=self.registry)
        self.reasons = Counter("ringfence_decision_reasons_total",
                               "Reasons given on decisions, by outcome and reason code",
                               ["outcome", "reason"], registry=self.registry)
        self.latency = Histogram("ringfence_decide_seconds",
                                 "Time to decide, inside the handler (seconds)", ["route"],
                                 buckets=_BUCKETS, registry=self.registry)
        self.publish_seconds = Gauge("ringfence_last_publish_seconds",
                                     "Seconds the last publish took to take effect here",
                                     registry=self.registry)
        self.accounts = Gauge("ringfence_accounts", "Accounts in the live state",
                              registry=self.registry)
        self.organizations = Gauge("ringfence_organizations",
                                   "Organisations in the live state", registry=self.registry)
        if holder is not None:
            self.accounts.set_function(lambda: _count(holder, "accounts"))
            self.organizations.set_function(lambda: _count(holder, "organizations"))
        # an intermediary's scorecard (service/scorecard.py), set when it is computed
        self.channel = {m: Gauge(f"ringfence_channel_{m}", f"Intermediary scorecard: {m}",
                                 ["channel", "window"], registry=self.registry)
                        for m in _CHANNEL_MEASURES}
        self._children: dict[tuple[str, str], Counter] = {}
        self._outcomes: dict[str, Counter] = {}
        self._lat: dict[str, Histogram] = {}

    def channel_scorecard(self, card: dict[str, Any]) -> None:
        for m in _CHANNEL_MEASURES:
            self.channel[m].labels(card["channel"], card["window"]).set(float(card[m]))

    def observe(self, route: str, decision: Decision, seconds: float) -> None:
        outcome = decision.outcome.value
        c = self._outcomes.get(outcome)
        if c is None:
            c = self._outcomes[outcome] = self.decisions.labels(outcome)
        c.inc()
        for r in decision.reasons:
            key = (r.outcome.value, r.code.value)
            child = self._children.get(key)
            if child is None:
                child = self._children[key] = self.reasons.labels(*key)
            child.inc()
        h = self._lat.get(route)
        if h is None:
            h = self._lat[route] = self.latency.labels(route)
        h.observe(seconds)


_CHANNEL_MEASURES = ("requests", "unattested_share", "end_customers", "end_users",
                     "end_customers_restricted_share", "end_customers_review_share",
                     "restricted_region_share", "hosting_vpn_share")


def _count(holder: StateHolder, what: str) -> float:
    state = holder.state
    if state is None:
        return 0.0
    return float(len(state.entries) if what == "accounts" else len(state.orgs))
