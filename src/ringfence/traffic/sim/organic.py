"""Organic accounts and the legitimate heavy users that resemble campaigns.

Organic: orgs of heavy-tailed size, accounts in many countries with their own time zones,
languages, SDKs, home and mobile IPs, heavy-tailed daily volumes, multi-turn sessions, a
gradual adoption of each new model. Coincidences benign traffic really has are built in: org
members share the org's card, an admin's laptop signs several colleagues up, a household
shares a card across two personal orgs, thousands of people say "hi", a generic
"helpful assistant" system prompt, cloud-partner egress IPs shared by all of that partner's
customers.

Hard negatives (truth kind ``hard_negative``) each mimic one tell-tale of a campaign; see
``HARD_NEGATIVES``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ringfence.traffic.sim.config import SimConfig
from ringfence.traffic.sim.text import LANGS
from ringfence.traffic.sim.traffic import DAY, HOUR, Emitter, sessions
from ringfence.traffic.sim.world import BROWSER_UA, COUNTRIES, USER_AGENTS, World

__all__ = ["HARD_NEGATIVES", "Ctx", "organic", "person"]

HARD_NEGATIVES = ("eval_lab", "labelling", "saas_relay", "coding_agent", "university",
                  "agency", "oss_framework", "shared_egress")

_SYL = ["ka", "lo", "mi", "ra", "ven", "tor", "li", "sa", "nex", "qua", "bri", "zen", "or",
        "ta", "fin", "gal", "mo", "ri", "sol", "dex", "ly", "pra", "vo", "ter", "an"]
_SUFFIX = {"US": ["Inc", "LLC", "Labs", "Co"], "GB": ["Ltd", "LLP"], "DE": ["GmbH", "AG"],
           "FR": ["SAS", "SARL"], "JP": ["KK", "Inc"], "SG": ["Pte Ltd"], "IN": ["Pvt Ltd"],
           "KR": ["Co Ltd"], "BR": ["Ltda"], "HK": ["Ltd"], "PH": ["Inc"], "KE": ["Ltd"]}
_FIRST = ["alex", "maria", "wei", "priya", "jonas", "aiko", "omar", "lucia", "minjun",
          "fatima", "tom", "olga", "kwame", "sofia", "li", "arjun", "emma", "noah", "yuki",
          "hana", "diego", "chen", "sara", "ivan", "leila", "mateo", "ana", "ben", "zoe"]
_LAST = ["smith", "garcia", "wang", "patel", "muller", "tanaka", "khan", "rossi", "kim",
         "silva", "nguyen", "cohen", "okafor", "ivanova", "martin", "lee", "chen", "lopez"]
_WEBMAIL = {"*": ["gmail.com"] * 9 + ["outlook.com"] * 2 + ["yahoo.com", "icloud.com",
                                                            "proton.me", "hotmail.com"],
            "CN": ["qq.com", "163.com", "gmail.com"], "KR": ["naver.com", "gmail.com"],
            "RU": ["yandex.ru", "mail.ru"], "JP": ["gmail.com", "yahoo.co.jp"],
            "DE": ["gmail.com", "web.de", "gmx.de"], "FR": ["gmail.com", "orange.fr"]}
THROWAWAY = ["mailinator.com", "guerrillamail.com", "yopmail.com", "sharklasers.com",
             "tempmail.dev", "10minutemail.com"]
EDU_DOMAINS = {"US": ["stanford.edu", "mit.edu", "berkeley.edu", "princeton.edu"],
               "CA": ["utoronto.ca"], "GB": ["ox.ac.uk", "ucl.ac.uk"], "DE": ["tum.de"],
               "FR": ["sorbonne-universite.fr"], "JP": ["u-tokyo.ac.jp"], "KR": ["snu.ac.kr"],
               "KE": ["uonbi.ac.ke"]}


class Ctx:
    """What every generator needs: config, world, emitter, clock."""

    def __init__(self, cfg: SimConfig, world: World, em: Emitter, t0_ms: int) -> None:
        self.cfg, self.w, self.em, self.rng = cfg, world, em, world.rng
        self.t0 = t0_ms
        self.hours = cfg.days * 24
        self.t1 = t0_ms + self.hours * HOUR
        self.bins: dict[str, list[str]] = {}
        self.partner_ips: dict[int, list[int]] = {}
        self.style_deck: list[int] = []          # campaigns' prompt house styles
        self.generic_sys = world.new_sys(28)     # "You are a helpful assistant."
        self.common_ua = [world.uas.index(u) for u in USER_AGENTS]
        self.browser_ua = [world.uas.index(u) for u in BROWSER_UA]

    def u(self, lo_hi: tuple[float, float]) -> float:
        return float(self.rng.uniform(*lo_hi))

    def ui(self, lo_hi: tuple[float, float]) -> int:
        return round(self.rng.uniform(*lo_hi))

    def pick(self, seq: list[Any] | tuple[Any, ...]) -> Any:
        return seq[int(self.rng.integers(len(seq)))]

    def bin_for(self, country: str) -> str:
        """A card BIN issued in ``country`` (each country has a couple of dozen)."""
        if country not in self.bins:
            self.bins[country] = [str(int(self.rng.integers(400000, 559999)))
                                  for _ in range(24)]
        return str(self.pick(self.bins[country]))

    def org_name(self, country: str) -> str:
        n = "".join(self.pick(_SYL) for _ in range(int(self.rng.integers(2, 4)))).title()
        return f"{n} {self.pick(_SUFFIX.get(country, ['Ltd']))}"

    def email(self, *, domain: str | None = None, country: str = "US",
              plus: bool = False) -> str:
        rng = self.rng
        local = f"{self.pick(_FIRST)}{self.pick(['.', '_', ''])}{self.pick(_LAST)}"
        if rng.random() < 0.5:
            local += str(int(rng.integers(1, 9999)))
        if plus:
            local += f"+{self.pick(['ai', 'api', 'dev', 'work'])}{int(rng.integers(1, 99))}"
        d = domain or self.pick(_WEBMAIL.get(country, _WEBMAIL["*"]))
        return f"{local}@{d}"

    def personal_org_name(self, country: str) -> str:
        """The name the console gives a sign-up's own org (one format for everybody)."""
        r = self.rng.random()
        if r < 0.5:
            return f"{self.pick(_FIRST).title()}'s Individual Org"
        if r < 0.8:
            return "Personal"
        return f"{self.email(country=country).split('@')[0]}'s org"

    def tz_of(self, country: str) -> float:
        return float(self.pick(COUNTRIES[country][1]))

    def partner_ip(self, channel: int) -> list[int]:
        """Egress IPs of a cloud partner: shared by all its customers."""
        if channel not in self.partner_ips:
            cls_country = "US"
            self.partner_ips[channel] = [self.w.ip("hosting", cls_country) for _ in range(6)]
        return self.partner_ips[channel]

    def adopt(self, *, fast: bool = False) -> list[float]:
        out = []
        for _ in self.cfg.releases:
            if fast:
                out.append(float(self.rng.uniform(*self.cfg.campaigns.pivot_delay_h)))
            elif self.rng.random() < 0.35:
                out.append(float("inf"))
            else:
                out.append(float(self.rng.exponential(96.0)) + 1.0)
        return out


def person(c: Ctx, *, country: str, org: int, created_ms: int, channel: int | None = None,
           kind: str = "organic", family: str = "organic", email: str | None = None,
           payment: str | None = None, device: str | None = None, home_ip: int | None = None,
           program: str = "none", rate: float | None = None) -> int:
    """An ordinary account with its profile."""
    rng, w = c.rng, c.w
    if channel is None:
        channel = int(rng.choice(4, p=[0.70, 0.22, 0.05, 0.03]))
    lang = COUNTRIES[country][2]
    tz = c.tz_of(country) if rng.random() > 0.03 else float(rng.integers(-8, 10))
    if channel >= 2:
        ips = c.partner_ip(channel)
        ip_w = [1.0] * len(ips)
    else:
        if home_ip is None:
            server = channel == 0 and rng.random() < 0.12
            home_ip = (w.ip("hosting", c.pick(["US", "US", "DE", "FR", "*"])) if server
                       else w.ip("residential", country))
        alt_cls = "mobile" if w.net.has("mobile", country) else "residential"
        alt = w.ip(alt_cls, country)
        ips = [home_ip, alt]
        ip_w = [1.0, float(rng.uniform(0.02, 0.35))]
        if rng.random() < 0.04:          # travels / uses a consumer VPN now and then
            ips.append(w.ip("vpn"))
            ip_w.append(float(rng.uniform(0.05, 0.5)))
        if rng.random() < 0.004:         # a trip to, or roaming through, a restricted region
            ips.append(w.ip(c.pick(["mobile", "residential"]), c.pick(["CN", "RU", "IR"])))
            ip_w.append(float(rng.uniform(0.01, 0.1)))
    langs = [lang] if rng.random() > 0.2 or lang == "en" else [lang, "en"]
    if rng.random() < 0.05:
        langs.append(c.pick(LANGS))
    kinds = [w.kind(f"organic_{x}") for x in langs]
    if channel == 1:
        ua = [c.pick(c.browser_ua)]
    else:
        weights = np.array([8, 5, 3, 4, 2, 2, 2, 1, 1, 1, 1, 3, 2, 1, 1, 1], float)
        ua = list(rng.choice(c.common_ua, size=int(rng.integers(1, 3)),
                             p=weights / weights.sum()))
    sys: tuple[int, ...] = (-1,)
    p_sys = 0.0
    r = rng.random()
    if channel != 1 and r < 0.35:
        chars = int(min(30000, rng.lognormal(6.8, 1.1)))
        sys, p_sys = (w.new_sys(chars),), float(rng.uniform(0.6, 1.0))
    elif channel != 1 and r < 0.45:
        sys, p_sys = (c.generic_sys,), 0.9
    prof: dict[str, Any] = {
        "tz": tz, "shape": int(rng.choice([0, 1, 4], p=[0.6, 0.3, 0.1])), "channel": channel,
        "ua": ua, "ips": ips, "ip_w": ip_w, "kinds": kinds,
        "tiers": (0, 1, 2), "tier_w": tuple(rng.dirichlet([3, 1, 1.5])),
        "adopt_h": c.adopt(), "sys": sys, "p_sys": p_sys,
        "tools": w.new_tools(int(min(40, rng.lognormal(1.4, 0.8))) + 1)
        if rng.random() < 0.1 else -1,
        "p_tools": float(rng.uniform(0.3, 1.0)),
        "stream_p": 1.0 if channel == 1 else float(rng.choice([0.0, 0.5, 1.0])),
        "max_tokens": (1024, 2048, 4096, 8192) if channel != 1 else (8192,),
        "temp": float(rng.choice([-1.0, -1.0, 0.0, 0.2, 0.7, 1.0])),
        "think_p": 0.1 if rng.random() < 0.3 else 0.0, "think_budget": 4096,
        "img_p": 0.03, "turns_mean": 3.5 if channel == 1 else float(rng.uniform(1.0, 2.5)),
        "rate": rate if rate is not None else float(
            min(2500.0, rng.lognormal(np.log(c.cfg.organic_rate) - 0.7, 1.2))),
        "p_batch": 0.05 if rng.random() < 0.05 else 0.0,
    }
    # expats and company cards: some pay with a card issued elsewhere
    cty = country if rng.random() > 0.04 else c.pick(["US", "GB", "HK", "SG", "DE", "AE"])
    bin_ = c.bin_for(cty)
    return w.new_account(
        org=org, created_ms=created_ms, country=country,
        email=email or c.email(country=country, plus=rng.random() < 0.02,
                               domain=c.pick(THROWAWAY) if rng.random() < 0.005 else None),
        payment=payment or w.card(), bin_=bin_, payment_country=cty,
        signup_ip=ips[0], device=device or w.device(),
        program=program if program != "none" or rng.random() > 0.03 else str(
            rng.choice(["startup_program", "edu", "security_research"], p=[0.6, 0.3, 0.1])),
        tier=str(rng.choice(["free", "build_1", "build_2", "build_3", "build_4"],
                            p=[0.3, 0.35, 0.2, 0.1, 0.05])),
        n_keys=int(rng.integers(1, 4)), kind=kind, family=family, profile=prof)


def _countries(c: Ctx) -> tuple[list[str], np.ndarray]:
    names = [k for k, v in COUNTRIES.items() if v[0] > 0]
    w = np.array([COUNTRIES[k][0] for k in names], float)
    return names, w / w.sum()


def organic(c: Ctx) -> list[int]:
    """Create the organic orgs and accounts; return their account indices."""
    rng, w, cfg = c.rng, c.w, c.cfg
    names, cw = _countries(c)
    out: list[int] = []
    prev_card: str | None = None
    while len(out) < cfg.organic_accounts:
        r = rng.random()
        size = 1 if r < 0.72 else int(rng.integers(2, 6)) if r < 0.95 else int(
            min(40, rng.lognormal(2.2, 0.5)))
        country = str(rng.choice(names, p=cw))
        new = rng.random() < cfg.organic_new_share
        created = (c.t0 + int(rng.uniform(0, c.hours - 12) * HOUR) if new
                   else c.t0 - int(rng.uniform(1, 700) * DAY))
        company = size > 1 or rng.random() < 0.15
        org = w.new_org(name=c.org_name(country) if company else
                        c.personal_org_name(country), country=country, created_ms=created,
                        kyc=str(rng.choice(["basic", "verified"])) if company else
                        str(rng.choice(["none", "basic"], p=[0.7, 0.3])),
                        org_type=str(rng.choice(["company", "startup"])) if company
                        else "individual")
        domain = f"{w.orgs[org]['name'].split()[0].lower()}.com" if company else None
        org_card = w.card()
        admin_dev = w.device()
        for k in range(size):
            acreated = created + (0 if k == 0 else int(rng.uniform(0, 30) * DAY))
            if new:
                acreated = min(acreated, c.t1 - HOUR)
            card = org_card if company and rng.random() < 0.7 else None
            if size == 1 and prev_card and rng.random() < 0.01:
                card = prev_card  # a household: two personal orgs, one card
            dev = admin_dev if company and rng.random() < 0.2 else None
            a = person(c, country=country, org=org, created_ms=acreated, payment=card,
                       device=dev, email=c.email(domain=domain, country=country)
                       if domain else None)
            prev_card = w.accounts[a]["payment_fingerprint"]
            out.append(a)
    return out


def emit_sessions(c: Ctx, accts: list[int], *, churn: float = 0.05) -> None:
    """Generate the organic-style sessions of ``accts`` from their profiles."""
    if not accts:
        return
    rng, w = c.rng, c.w
    prof = [w.prof[a] for a in accts]
    rate = np.array([p["rate"] for p in prof])
    tz = np.array([p["tz"] for p in prof])
    shape = np.array([p["shape"] for p in prof])
    created_h = np.array([(w.accounts[a]["created_ms"] - c.t0) / HOUR for a in accts])
    start_h = np.maximum(0, np.ceil(created_h)).astype(np.int64)
    end_h = np.full(len(accts), c.hours)
    quit_ = rng.random(len(accts)) < churn
    end_h[quit_] = rng.integers(0, c.hours, size=int(quit_.sum()))
    for i, p in enumerate(prof):
        if "active_h" in p:
            start_h[i], end_h[i] = p["active_h"]
    turns = np.array([p["turns_mean"] for p in prof])
    pos, ts, sess, turn = sessions(rng, c.t0, c.hours, rate=rate, tz=tz, shape=shape,
                                   start_h=start_h, end_h=end_h, turns_mean=turns,
                                   day_k=float(prof[0].get("day_k", 0.8)))
    keep = ts < c.t1
    pos, ts, sess, turn = pos[keep], ts[keep], sess[keep], turn[keep]
    conv_of_sess = c.em.convs(int(sess.max()) + 1 if len(sess) else 0)
    bounds = np.searchsorted(pos, np.arange(len(accts) + 1))
    for i, a in enumerate(accts):
        lo, hi = bounds[i], bounds[i + 1]
        if lo == hi:
            continue
        p = prof[i]
        kinds = np.asarray(p["kinds"], np.int16)
        t = turn[lo:hi].copy()
        # a few apps keep the thread server-side and start a fresh id mid-conversation
        late = rng.random(hi - lo) < 0.02
        t[late] += rng.integers(2, 8, size=int(late.sum()))
        c.em.emit(a, ts[lo:hi], conv=conv_of_sess[sess[lo:hi]], turn=t,
                  kind=kinds[rng.integers(0, len(kinds), size=hi - lo)],
                  pseed=rng.integers(0, 2**62, size=hi - lo))
