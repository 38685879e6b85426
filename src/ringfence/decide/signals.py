"""Runtime signals: each a total function of one input, returning a reason or none.

=====================  =====================================  ==============================
signal                 input (where it comes from)            reason (default action)
=====================  =====================================  ==============================
network class          client IP -> AS name -> class          ``network_class`` (vpn: review,
                       (geoip2fast ASN data, curated lists)   hosting/cloud: ignore, others
                                                              ignore)
country mismatch       declared vs billing country (account)  ``country_mismatch`` (review)
                       and vs the network country when the
                       network is residential or mobile
billing country        the account's payment record           ``billing_restricted_region``
                                                              (deny)
phone country          the account's phone (phonenumbers,     ``phone_restricted_region``
                       parsed when the state is built)        (review)
restricted domain      the account's e-mail domain and its    ``domain_restricted_group``
                       organisation's website domains, found  (review)
                       in a restricted group's domains
disposable e-mail      the account's e-mail domain in the     ``disposable_email`` (review)
                       curated disposable list
resale fan-out         per-account distinct end users,        ``resale_fanout`` (review)
                       countries, networks (approximate)
=====================  =====================================  ==============================

The account-level signals (billing, phone, domains, declared-vs-billing) are evaluated when
the hot-path state is built; only the network class, the network-country mismatch and the
fan-out depend on the request. A hosting or cloud network is never a denial unless the
policy says so; a country mismatch is at most a review unless the policy says otherwise.
"""

from __future__ import annotations

import contextlib
import ipaddress
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ringfence.decide.reasons import Outcome, Reason, ReasonCode, make_reason

__all__ = [
    "AccountSignals",
    "Net",
    "NetOf",
    "SignalSettings",
    "canonical_domain",
    "domain_and_parents",
    "embedded_ipv4",
    "net_reasons",
    "profile_reasons",
    "resale_reason",
]

_ACTION = {"deny": Outcome.DENY, "review": Outcome.REVIEW}
NET_CLASSES = ("residential", "mobile", "hosting", "vpn", "education", "unknown")
_PHYSICAL = frozenset({"residential", "mobile"})  # a network whose country locates a person


def action(name: str) -> Outcome | None:
    """``deny`` / ``review`` -> an outcome; ``ignore`` (or anything else) -> None."""
    return _ACTION.get(name)


@dataclass(frozen=True, slots=True)
class Net:
    """What the client IP says: its country, its AS name and the network class."""

    country: str | None
    asn: str
    netclass: str


NetOf = Callable[[str], Net | None]


@dataclass(frozen=True, slots=True)
class AccountSignals:
    """The account-level inputs, read from the book when the state is built."""

    declared_country: str | None = None
    billing_country: str | None = None
    phone_country: str | None = None
    email_domain: str | None = None
    restricted_domains: tuple[tuple[str, str], ...] = ()  # (domain, whose: org or entity)
    disposable: bool = False


@dataclass(frozen=True, slots=True)
class SignalSettings:
    """The policy's signal settings, flattened for the hot path."""

    regions: frozenset[str] = frozenset()  # billing / phone regions
    phone_regions: frozenset[str] = frozenset()
    billing: Outcome | None = Outcome.DENY
    phone: Outcome | None = Outcome.REVIEW
    network: tuple[tuple[str, Outcome], ...] = (("vpn", Outcome.REVIEW),)
    mismatch: Outcome | None = Outcome.REVIEW
    restricted_domain: Outcome | None = Outcome.REVIEW
    disposable: Outcome | None = Outcome.REVIEW
    resale: Outcome | None = Outcome.REVIEW
    min_users: int = 30
    min_countries: int = 5
    min_networks: int = 10

    @classmethod
    def from_policy(cls, signals: Any, restricted_regions: tuple[str, ...]) -> SignalSettings:
        b, p, n = signals.billing_country, signals.phone_country, signals.network
        net = tuple((k, o) for k in ("hosting", "vpn", "mobile", "residential", "education")
                    if (o := action(getattr(n, k))) is not None)
        rs = signals.resale
        return cls(
            regions=frozenset(r.upper() for r in (b.regions if b.regions is not None
                                                  else restricted_regions)),
            phone_regions=frozenset(r.upper() for r in (p.regions if p.regions is not None
                                                        else restricted_regions)),
            billing=action(b.restricted_region), phone=action(p.restricted_region),
            network=net, mismatch=action(signals.country_mismatch.action),
            restricted_domain=action(signals.domains.restricted_group),
            disposable=action(signals.domains.disposable), resale=action(rs.action),
            min_users=rs.min_users, min_countries=rs.min_countries,
            min_networks=rs.min_networks)

    def network_action(self, netclass: str) -> Outcome | None:
        for k, o in self.network:
            if k == netclass:
                return o
        return None


def profile_reasons(sig: AccountSignals | None, s: SignalSettings) -> tuple[Reason, ...]:
    """The request-independent signals of one account."""
    if sig is None:
        return ()
    out: list[Reason] = []
    if s.billing is not None and sig.billing_country in s.regions:
        out.append(make_reason(ReasonCode.BILLING_RESTRICTED_REGION, s.billing,
                               billing_country=sig.billing_country, source="payment record"))
    if s.phone is not None and sig.phone_country in s.phone_regions:
        out.append(make_reason(ReasonCode.PHONE_RESTRICTED_REGION, s.phone,
                               phone_country=sig.phone_country, source="phonenumbers"))
    if (s.mismatch is not None and sig.declared_country and sig.billing_country
            and sig.declared_country != sig.billing_country):
        out.append(make_reason(ReasonCode.COUNTRY_MISMATCH, s.mismatch,
                               declared=sig.declared_country, billing=sig.billing_country))
    if s.restricted_domain is not None and sig.restricted_domains:
        out.append(make_reason(ReasonCode.DOMAIN_RESTRICTED_GROUP, s.restricted_domain,
                               domains=[{"domain": d, "of": who}
                                        for d, who in sig.restricted_domains]))
    if s.disposable is not None and sig.disposable:
        out.append(make_reason(ReasonCode.DISPOSABLE_EMAIL, s.disposable,
                               email_domain=sig.email_domain))
    return tuple(out)


def net_reasons(net: Net, sig: AccountSignals | None, s: SignalSettings) -> tuple[Reason, ...]:
    """The request's network signals (the IP's region is ``rules.ip_reason``)."""
    act = s.network_action(net.netclass)
    cls_reason = (make_reason(ReasonCode.NETWORK_CLASS, act, netclass=net.netclass,
                              asn=net.asn, ip_country=net.country)
                  if act is not None else None)
    mismatch = None
    if (s.mismatch is not None and sig is not None and net.country is not None
            and net.netclass in _PHYSICAL):
        theirs = {c for c in (sig.declared_country, sig.billing_country) if c}
        if theirs and net.country not in theirs:
            mismatch = make_reason(ReasonCode.COUNTRY_MISMATCH, s.mismatch,
                                   declared=sig.declared_country, billing=sig.billing_country,
                                   network=net.country, netclass=net.netclass)
    if cls_reason is None:
        return () if mismatch is None else (mismatch,)
    return (cls_reason,) if mismatch is None else (cls_reason, mismatch)


def resale_reason(counts: tuple[int, int, int] | None, s: SignalSettings) -> Reason | None:
    """``counts`` = (distinct end users, countries, networks) of an account that is no
    registered intermediary, given only once they cross the policy's thresholds
    (``ringfence.detect.fanout.crosses``, the rule the detection package uses too)."""
    if counts is None or s.resale is None:
        return None
    users, countries, networks = counts
    return make_reason(ReasonCode.RESALE_FANOUT, s.resale, end_users=users,
                       countries=countries, networks=networks, approximate=True)


def canonical_domain(text: str) -> str:
    """A domain as an applicant may write it, reduced to one spelling: NFKC (full-width
    letters), format and control characters dropped (zero-width, soft hyphen, bidi),
    lower case, a URL's scheme, path, port and ``www.`` removed, the trailing dot dropped,
    internationalised labels in their ASCII (IDNA) form. ``""`` when nothing is left."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Cc"))
    text = text.strip().lower().rpartition("@")[2]
    text = text.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].strip(".")
    text = text.removeprefix("www.")
    with contextlib.suppress(UnicodeError):  # not a valid IDN: keep the Unicode form
        text = text.encode("idna").decode("ascii")
    return text if "." in text else ""


def domain_and_parents(domain: str) -> Iterator[str]:
    """``mail.corp.example.com`` then ``corp.example.com`` then ``example.com``: a
    subdomain of a listed domain belongs to the same owner (the bare top level is not
    yielded)."""
    labels = domain.split(".")
    for i in range(len(labels) - 1):
        yield ".".join(labels[i:])


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # the NAT64 well-known prefix


def embedded_ipv4(ip: str) -> str:
    """The IPv4 address an IPv6 address carries, when it carries one (IPv4-mapped
    ``::ffff:a.b.c.d``, 6to4 ``2002:…``, the NAT64 well-known prefix ``64:ff9b::/96``), else
    ``ip`` unchanged: the same client written the other way gets the same country and
    network (an Iranian address as ``::ffff:5.160.0.1`` was no signal at all)."""
    if ":" not in ip:
        return ip
    try:
        addr = ipaddress.IPv6Address(ip.strip())
    except ValueError:
        return ip
    inner = addr.ipv4_mapped or addr.sixtofour
    if inner is None and addr in _NAT64:
        inner = ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return str(inner) if inner is not None else ip
