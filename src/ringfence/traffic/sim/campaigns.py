"""The four campaign families of request-logs.md §3.

Each campaign draws its size, rates, cadence, lifetimes, pivot delay and egress share from
the config's ranges, so campaigns differ within a run and between seeds. None carries a
marker only campaigns have: their user agents, countries, e-mail providers and models come
from the same pools as organic traffic; what gives them away is the combination of weak
tell-tales the public reports describe (shared templates and tool schemas across unrelated
orgs, shared cards and devices, signup batches, an activity time zone unlike the declared
country, synchronised cadence, release pivots, occasional restricted-region egress).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ringfence.traffic.sim.organic import EDU_DOMAINS, THROWAWAY, Ctx
from ringfence.traffic.sim.text import N_STYLES
from ringfence.traffic.sim.traffic import HOUR, SHAPES, sessions, ticks
from ringfence.traffic.sim.world import RESTRICTED

__all__ = ["campaigns"]

CAMP = "campaign"
_DECLARED = ["US", "GB", "SG", "JP", "DE", "CA", "AU"]
_OP_TZ = [8.0, 8.0, 8.0, 3.0]     # operators' own clock (not any declared country)


def _start_h(c: Ctx) -> float:
    """A campaign's start, in hours after the window start: drawn from the config's range,
    kept inside the first three quarters of a shortened window."""
    return min(c.u(c.cfg.campaigns.start_h), 0.75 * c.hours * float(c.rng.uniform(0.5, 1)))


def _register(c: Ctx, cid: str, family: str, start_ms: int) -> dict[str, Any]:
    rec: dict[str, Any] = {"family": family, "start_ms": start_ms, "orgs": [],
                           "accounts": []}
    c.w.campaigns[cid] = rec
    return rec


def _account(c: Ctx, rec: dict[str, Any], cid: str, *, family: str, org: int,
             created: int, country: str, email: str, card: str, bin_: str, pay_cc: str,
             signup_ip: int, device: str, profile: dict[str, Any], program: str = "none",
             replacement: int = 0, tier: str = "build_1") -> int:
    a = c.w.new_account(org=org, created_ms=created, country=country, email=email,
                        payment=card, bin_=bin_, payment_country=pay_cc,
                        signup_ip=signup_ip, device=device, program=program, tier=tier,
                        n_keys=int(c.rng.integers(1, 3)), kind=CAMP, family=family,
                        campaign_id=cid, replacement=replacement, profile=profile)
    rec["accounts"].append(a)
    if org not in rec["orgs"]:
        rec["orgs"].append(org)
    return a


def _personal_org(c: Ctx, country: str, created: int) -> int:
    o = c.w.new_org(name="personal", country=country, created_ms=created,
                    kyc=str(c.rng.choice(["none", "basic"], p=[0.7, 0.3])),
                    org_type="individual")
    c.w.orgs[o]["name"] = c.personal_org_name(country)
    return o


def _base_profile(c: Ctx, tz: float) -> dict[str, Any]:
    rng = c.rng
    weights = np.array([8, 5, 3, 4, 2, 2, 2, 1, 1, 1, 1, 3, 2, 1, 1, 1], float)
    return {"tz": tz, "shape": 3, "channel": 0,
            "ua": list(rng.choice(c.common_ua, size=1, p=weights / weights.sum())),
            "ips": [], "ip_w": [], "kinds": [], "tiers": (1,), "tier_w": (1.0,),
            "adopt_h": c.adopt(fast=True), "stream_p": float(rng.choice([0.0, 0.3, 1.0])),
            "max_tokens": (8192, 16000, 32000), "temp": float(rng.choice([-1.0, 1.0, 0.7])),
            "think_p": float(rng.uniform(0.2, 0.8)), "think_budget": 16000,
            "in_tok": 220, "out_tok": 900, "turns_mean": 1.0}


def _email_style(c: Ctx, base: str, catch_all: str, country: str) -> str:
    rng = c.rng
    r = rng.random()
    if r < 0.35:
        return c.email(domain=c.pick(THROWAWAY))
    if r < 0.6:     # gmail dot / plus variants of one base name
        loc = list(base)
        for _ in range(int(rng.integers(1, 4))):
            i = int(rng.integers(1, len(loc)))
            loc.insert(i, ".")
        s = "".join(loc).replace("..", ".")
        if rng.random() < 0.5:
            s += f"+{int(rng.integers(1, 999))}"
        return f"{s}@gmail.com"
    if r < 0.8:
        return c.email(domain=catch_all)
    return c.email(country=country)


def _pick_ip(c: Ctx, n: int, *, pool: list[int], gateways: list[int], gw: float,
             restricted: list[int], egress: float) -> np.ndarray:
    rng = c.rng
    r = rng.random(n)
    out = np.asarray(pool, np.int32)[rng.integers(0, len(pool), size=n)]
    g = (r < gw) & (len(gateways) > 0)
    if gateways:
        out[g] = np.asarray(gateways, np.int32)[rng.integers(0, len(gateways), size=int(g.sum()))]
    e = r > 1 - egress
    out[e] = np.asarray(restricted, np.int32)[rng.integers(0, len(restricted), size=int(e.sum()))]
    return out


def _restricted_ips(c: Ctx) -> list[int]:
    return [c.w.ip(c.pick(["residential", "mobile", "hosting"]), c.pick(list(RESTRICTED)))
            for _ in range(4)]


def _distill_models(c: Ctx, ts: np.ndarray, base: int, pivot: list[float]) -> np.ndarray:
    m = np.full(len(ts), base, np.int32)
    for r, rts in enumerate(c.em.rel.ts):
        take = (ts >= rts + int(pivot[r] * HOUR)) & (c.rng.random(len(ts)) < 0.9)
        m[take] = c.em.rel.model[r]
    return m


def _style(c: Ctx) -> str:
    """The campaign's house style of wrapping prompts (text.make_prompt); campaigns of one
    run get different styles while there are styles left."""
    deck = c.style_deck
    if not deck:
        deck.extend(int(x) for x in c.rng.permutation(np.arange(1, N_STYLES)))
    return f"@{deck.pop()}"


def _kinds(c: Ctx, names: list[str], alpha: list[float], style: str
           ) -> tuple[np.ndarray, np.ndarray]:
    codes = np.array([c.w.kind(k + style) for k in names], np.int16)
    return codes, c.rng.dirichlet(alpha)


# -------------------------------------------------------------------------------- hydra
def _hydra(c: Ctx, idx: int) -> None:
    w, rng, m = c.w, c.rng, c.cfg.campaigns
    cid = f"hydra-{idx + 1}"
    scale = 1.0 if idx == 0 else float(rng.uniform(0.35, 0.6))
    pool_n = max(3, int(c.u(m.hydra_pool) * scale))
    life_h = c.u(m.hydra_lifetime_h)
    rate = c.u(m.hydra_rate)
    resold = c.u(m.hydra_resold_share)
    gw = c.u(m.hydra_gateway_share)
    egress = c.u(m.restricted_egress)
    start_h = _start_h(c) if idx == 0 else c.u((m.start_h[0], c.hours * 0.6))
    start = c.t0 + int(start_h * HOUR)
    pivot = [c.u(m.pivot_delay_h) for _ in c.cfg.releases]
    op_tz = c.pick(_OP_TZ)
    link_share = c.u(m.hydra_link_share)
    rec = _register(c, cid, "hydra", start)
    proxy = [w.ip(c.pick(["residential", "residential", "mobile"]),
                  c.pick(["US", "GB", "DE", "JP", "KR", "BR", "IN", "FR", "CA", "AU"]))
             for _ in range(pool_n * int(rng.integers(4, 12)))]
    gateways = [w.ip("hosting", c.pick(["US", "DE", "FR"]))
                for _ in range(int(rng.integers(2, 6)))]
    restricted = _restricted_ips(c)
    dsys = w.new_sys(int(rng.integers(300, 3000)))
    customer_sys = [w.new_sys(int(rng.integers(50, 3000))) for _ in range(25)]
    style = _style(c)
    dk, dkw = _kinds(c, ["cot", "rubric", "rewrite", "cap_code", "vision"], [4, 2, 1, 2, 1],
                     style)
    cap_tools = w.new_tools(int(rng.integers(8, 16)))
    catch_all = f"{''.join(c.pick(['q', 'mail', 'box', 'zen', 'x', 'pro']) for _ in range(2))}" \
                f"{int(rng.integers(1, 99))}.com"
    base_name = c.pick(["jason", "kevin", "lily", "amy", "eric"]) + c.pick(["wong", "lee",
                                                                            "tan"])
    bins = [(str(int(rng.integers(400000, 559999))), c.pick(["US", "HK", "SG"]))
            for _ in range(3)]
    prev_cards: list[str] = []
    prev_devs: list[str] = []

    def batch(n: int, t_created: int, replacement: int) -> list[tuple[int, int, int]]:
        nonlocal prev_cards, prev_devs
        anchor = w.ip(c.pick(["hosting", "residential"]), c.pick(["US", "SG", "DE", "JP"]))
        n_cards = max(1, int(np.ceil(n / rng.uniform(2, 6))))
        cards = [w.card() for _ in range(n_cards)]
        if prev_cards and rng.random() < 0.45:
            cards[0] = c.pick(prev_cards)
        devs = [w.device() for _ in range(int(rng.integers(1, 4)))]
        if prev_devs and rng.random() < 0.35:
            devs[0] = c.pick(prev_devs)
        prev_cards, prev_devs = cards, devs
        # only part of a batch rides on shared cards and devices; the rest buy fresh ones
        linked = rng.random(n) < link_share
        out = []
        org = -1
        for k in range(n):
            country = c.pick(_DECLARED)
            created = t_created + int(rng.uniform(0, 1.5) * HOUR)
            if org < 0 or rng.random() < 0.7:
                org = _personal_org(c, country, created - int(rng.integers(0, 600_000)))
            bin_, pcc = c.pick(bins)
            prof = _base_profile(c, op_tz)
            a = _account(c, rec, cid, family="hydra", org=org, created=created,
                         country=country, email=_email_style(c, base_name, catch_all, country),
                         card=cards[k % n_cards] if linked[k] else w.card(), bin_=bin_,
                         pay_cc=pcc, signup_ip=w.ip("", near=anchor),
                         device=devs[k % len(devs)] if linked[k] or rng.random() < 0.15
                         else w.device(),
                         profile=prof, replacement=replacement,
                         tier=c.pick(["free", "build_1", "build_2"]))
            first = created + int(rng.uniform(0.1, 2.0) * HOUR)
            life = int(rng.lognormal(np.log(life_h), 0.4) * HOUR)
            out.append((a, first, first + life))
        return out

    live = batch(pool_n, start - int(rng.uniform(1, 8) * HOUR), 0)
    allacc = list(live)
    wave_h = life_h * float(rng.uniform(0.3, 0.6))
    t = start + int(wave_h * HOUR)
    while t < c.t1 - HOUR:
        gone = [x for x in live if x[2] <= t]
        if gone:
            live = [x for x in live if x[2] > t]
            new = batch(len(gone), t + int(rng.uniform(0, 1) * HOUR), 1)
            live += new
            allacc += new
        t += int(wave_h * HOUR * rng.uniform(0.8, 1.2))
    # traffic: distillation on the operators' clock, resold customer traffic worldwide
    accts = [a for a, _, _ in allacc]
    first_h = np.array([(f - c.t0) / HOUR for _, f, _ in allacc])
    end_h = np.array([min(c.hours, (e - c.t0) / HOUR) for _, _, e in allacc])
    n = len(accts)
    rates = rate * rng.uniform(0.85, 1.15, size=n)
    for part, share, shape, tz in (("d", 1 - resold, 3, op_tz), ("r", resold, 2, 0.0)):
        pos, ts, _, _ = sessions(rng, c.t0, c.hours, rate=rates * share,
                                 tz=np.full(n, tz), shape=np.full(n, shape),
                                 start_h=np.ceil(first_h).astype(np.int64),
                                 end_h=np.ceil(end_h).astype(np.int64),
                                 turns_mean=np.ones(n), day_k=8.0)
        bounds = np.searchsorted(pos, np.arange(n + 1))
        for i, a in enumerate(accts):
            lo, hi = bounds[i], bounds[i + 1]
            k = hi - lo
            if k == 0:
                continue
            tsa = ts[lo:hi]
            ips = _pick_ip(c, k, pool=proxy, gateways=gateways, gw=gw, restricted=restricted,
                           egress=egress)
            if part == "d":
                kinds = dk[rng.choice(len(dk), size=k, p=dkw)]
                turn = np.where(rng.random(k) < 0.15, rng.integers(3, 11, size=k), 0)
                capk = kinds == w.kind("cap_code" + style)
                c.em.emit(a, tsa, conv=c.em.convs(k), turn=turn, kind=kinds,
                          pseed=rng.integers(0, 2**62, size=k), distill=True, ip=ips,
                          model=_distill_models(c, tsa, 1, pivot),
                          sys=np.where(rng.random(k) < 0.7, dsys, -1).astype(np.int32),
                          tools=np.where(capk, cap_tools, -1).astype(np.int32),
                          images=np.where(kinds == w.kind("vision" + style), 1, 0
                                          ).astype(np.int16))
            else:
                sysc = np.asarray(customer_sys, np.int32)[rng.integers(0, 25, size=k)]
                c.em.emit(a, tsa, conv=c.em.convs(k),
                          turn=np.minimum(rng.geometric(0.5, size=k) - 1, 12),
                          kind=np.full(k, w.kind("resold")),
                          pseed=rng.integers(0, 2**62, size=k), distill=False, ip=ips,
                          model=c.em.models_for({"tiers": (0, 1, 2), "tier_w": (.5, .3, .2)},
                                                tsa, adopt_h=[36.0] * len(c.cfg.releases),
                                                p_adopt=0.5),
                          sys=np.where(rng.random(k) < 0.4, sysc, -1).astype(np.int32),
                          thinking=np.zeros(k, np.int32), tools=np.full(k, -1, np.int32),
                          images=np.zeros(k, np.int16))


# --------------------------------------------------------------------------- slow-and-low
def _slow_low(c: Ctx, idx: int) -> None:
    w, rng, m = c.w, c.rng, c.cfg.campaigns
    cid = f"slow-{idx + 1}"
    n = c.ui(m.slow_accounts)
    rate = c.u(m.slow_rate)
    period = c.u(m.slow_round_min)
    egress = c.u(m.restricted_egress) / 3
    start = c.t0 + int(_start_h(c) * HOUR)
    pivot = [c.u((6, 24)) for _ in c.cfg.releases]
    op_tz = c.pick(_OP_TZ)
    rec = _register(c, cid, "slow_low", start)
    style = _style(c)
    restricted = _restricted_ips(c)
    shared_sys = w.new_sys(int(rng.integers(80, 190))) if rng.random() < 0.5 else -1
    bins = [(str(int(rng.integers(400000, 559999))), c.pick(["US", "GB"])) for _ in range(2)]
    n_batches = int(rng.integers(3, 9))
    accts = []
    for b in range(n_batches):
        t_b = start - int(rng.uniform(2, 72) * HOUR)
        devs: list[str] = []
        for _ in range(n // n_batches + (1 if b < n % n_batches else 0)):
            country = c.pick([*_DECLARED[:2], "US", "CA", "AU", "GB", "DE"])
            created = t_b + int(rng.uniform(0, 6) * HOUR)
            org = _personal_org(c, country, created)
            dev = c.pick(devs) if devs and rng.random() < 0.25 else w.device()
            devs.append(dev)
            bin_, pcc = c.pick(bins)
            home = w.ip("residential", country)
            prof = _base_profile(c, op_tz)
            prof.update(ips=[home, w.ip("residential", country)], ip_w=[1.0, 0.3],
                        tiers=(0,), max_tokens=(1024, 2048), think_p=0.0, out_tok=300)
            a = _account(c, rec, cid, family="slow_low", org=org, created=created,
                         country=country, email=c.email(country=country), card=w.card(),
                         bin_=bin_, pay_cc=pcc, signup_ip=home, device=dev, profile=prof,
                         tier=c.pick(["free", "build_1"]))
            accts.append(a)
    # a scheduler hands each round's items to a random subset of the accounts
    t = ticks(rng, start, c.t1, period, pause_share=0.02)
    local = ((t - c.t0) // HOUR + round(op_tz)) % 24
    rounds_per_day = 24 * 60 / period
    q = min(1.0, rate / rounds_per_day) * SHAPES[0][local]
    take = rng.random((len(t), len(accts))) < np.minimum(1.0, q)[:, None]
    ti, ai = np.nonzero(take)
    ts = t[ti] + rng.normal(0, 40_000, size=len(ti)).astype(np.int64)
    order = np.argsort(ts, kind="stable")
    ti, ai, ts = ti[order], ai[order], ts[order]
    items = np.arange(len(ts), dtype=np.int64) + int(rng.integers(1000, 90000))
    keep = ts < c.t1
    for i, a in enumerate(accts):
        sel = (ai == i) & keep & (ts >= w.accounts[a]["created_ms"] + 600_000)
        k = int(sel.sum())
        if k == 0:
            continue
        p = w.prof[a]
        tsa = ts[sel]
        ips = np.asarray(p["ips"], np.int32)[(rng.random(k) < 0.25).astype(int)]
        e = rng.random(k) < egress
        ips[e] = np.asarray(restricted, np.int32)[rng.integers(0, len(restricted),
                                                               size=int(e.sum()))]
        c.em.emit(a, tsa, conv=c.em.convs(k), turn=np.zeros(k, np.int64),
                  kind=np.full(k, w.kind("sweep" + style)), pseed=items[sel], distill=True,
                  ip=ips,
                  model=_distill_models(c, tsa, 0, pivot),
                  sys=np.full(k, shared_sys, np.int32))


# -------------------------------------------------------------------- chain of thought
def _cot(c: Ctx, idx: int) -> None:
    w, rng, m = c.w, c.rng, c.cfg.campaigns
    cid = f"cot-{idx + 1}"
    n_orgs = c.ui(m.cot_orgs)
    per = m.cot_accounts_per_org
    tick_min = c.u(m.cot_tick_min)
    rate = c.u(m.cot_rate)
    jitter_s = c.u((5, 40))
    egress = c.u(m.restricted_egress)
    start = c.t0 + int(_start_h(c) * HOUR)
    pivot = [c.u(m.pivot_delay_h) for _ in c.cfg.releases]
    rec = _register(c, cid, "cot", start)
    restricted = _restricted_ips(c)
    anchor = w.ip("hosting", c.pick(["US", "DE"]))
    base_sys = w.new_sys(int(rng.integers(1200, 4000)))
    dk, dkw = _kinds(c, ["cot", "rubric", "rewrite"], [5, 2.5, 1.5], _style(c))
    shared_dev = w.device()
    accts = []
    for _ in range(n_orgs):
        country = c.pick(["US", "SG", "GB", "JP"])
        created = c.t0 - int(rng.uniform(15, 200) * 24 * HOUR)
        org = w.new_org(name=c.org_name(country), country=country, created_ms=created,
                        kyc=c.pick(["basic", "verified"]), org_type="company")
        card = w.card()
        dev = shared_dev if rng.random() < 0.4 else w.device()
        bin_ = c.bin_for(country)
        ips = [w.ip("hosting", c.pick(["US", "DE", "FR"])) for _ in range(int(rng.integers(2, 4)))]
        sys = w.new_sys(w.sys[base_sys][2] + int(rng.integers(20, 400)), prefix_of=base_sys)
        dom = w.orgs[org]["name"].split()[0].lower() + ".com"
        for _ in range(c.ui(per)):
            prof = _base_profile(c, c.pick(_OP_TZ))
            prof.update(ips=ips, ip_w=[1.0] * len(ips))
            a = _account(c, rec, cid, family="cot", org=org,
                         created=created + int(rng.uniform(0, 10) * 24 * HOUR),
                         country=country, email=c.email(domain=dom), card=card, bin_=bin_,
                         pay_cc=country, signup_ip=w.ip("", near=anchor), device=dev,
                         profile=prof, tier=c.pick(["build_2", "build_3", "build_4"]))
            w.prof[a]["sys_code"] = sys
            accts.append(a)
    t = ticks(rng, start, c.t1, tick_min)
    lam = rate / (24 * 60 / tick_min)
    for a in accts:
        p = w.prof[a]
        k_per = rng.poisson(lam * rng.uniform(0.8, 1.2), size=len(t))
        tsa = np.repeat(t, k_per) + rng.integers(0, int(jitter_s * 1000) + 1,
                                                 size=int(k_per.sum()))
        tsa = np.sort(tsa[tsa < c.t1])
        k = len(tsa)
        if k == 0:
            continue
        ipa = np.asarray(p["ips"], np.int32)[rng.integers(0, len(p["ips"]), size=k)]
        e = rng.random(k) < egress
        ipa[e] = np.asarray(restricted, np.int32)[rng.integers(0, len(restricted),
                                                               size=int(e.sum()))]
        c.em.emit(a, tsa, conv=c.em.convs(k), turn=np.zeros(k, np.int64),
                  kind=dk[rng.choice(len(dk), size=k, p=dkw)],
                  pseed=rng.integers(0, 2**62, size=k), distill=True, ip=ipa,
                  model=_distill_models(c, tsa, 1, pivot),
                  sys=np.where(rng.random(k) < 0.9, p["sys_code"], -1).astype(np.int32))


# ------------------------------------------------------------------ capability scraping
def _capability(c: Ctx, idx: int) -> None:
    w, rng, m = c.w, c.rng, c.cfg.campaigns
    cid = f"cap-{idx + 1}"
    n = c.ui(m.cap_accounts)
    rate = c.u(m.cap_rate)
    egress = c.u(m.restricted_egress)
    start = c.t0 + int(_start_h(c) * HOUR)
    pivot = [c.u(m.pivot_delay_h) for _ in c.cfg.releases]
    op_tz = c.pick(_OP_TZ)
    rec = _register(c, cid, "capability", start)
    restricted = _restricted_ips(c)
    code_tools = w.new_tools(int(rng.integers(10, 18)))
    cu_tools = w.new_tools(int(rng.integers(4, 8)))
    style = _style(c)
    kinds = {k: w.kind(k + style) for k in ("cap_code", "computer_use", "vision")}
    kw = rng.dirichlet([4, 2, 2])
    egress_ips = [w.ip(c.pick(["hosting", "vpn"]), c.pick(["US", "DE", "SG", "*"]))
                  for _ in range(int(rng.integers(6, 20)))]
    pathways = ["edu", "startup_program", "security_research", "cloud_a", "cloud_b"]
    pw = rng.dirichlet([3, 2, 1, 2, 1.5])
    accts = []
    for _b in range(int(rng.integers(3, 7))):
        path = str(rng.choice(pathways, p=pw))
        t_b = start + int(rng.uniform(-24, 72) * HOUR)
        cards = [w.card() for _ in range(int(rng.integers(1, 4)))]
        devs = [w.device() for _ in range(int(rng.integers(1, 4)))]
        anchor = c.pick(egress_ips)
        for _ in range(max(1, n // 5 + int(rng.integers(-3, 4)))):
            country = c.pick(["US", "GB", "CA", "DE", "JP", "KR"])
            created = t_b + int(rng.uniform(0, 3) * HOUR)
            channel = 2 if path == "cloud_a" else 3 if path == "cloud_b" else 0
            if path == "edu":
                org = _personal_org(c, country, created)
                email = c.email(domain=c.pick(EDU_DOMAINS.get(country, EDU_DOMAINS["US"])))
                program = "edu"
            else:
                org = w.new_org(name=c.org_name(country), country=country, created_ms=created,
                                kyc=c.pick(["none", "basic"]),
                                org_type="startup" if path != "security_research"
                                else "company")
                email = c.email(domain=w.orgs[org]["name"].split()[0].lower() + ".io")
                program = path if path in ("startup_program", "security_research") else "none"
            prof = _base_profile(c, op_tz)
            ips = c.partner_ip(channel) if channel else [c.pick(egress_ips),
                                                         c.pick(egress_ips)]
            prof.update(ips=ips, ip_w=[1.0] * len(ips), channel=channel, think_p=0.2)
            a = _account(c, rec, cid, family="capability", org=org, created=created,
                         country=country, email=email,
                         card=c.pick(cards) if rng.random() < 0.3 else w.card(),
                         bin_=c.bin_for(country), pay_cc=country,
                         signup_ip=w.ip("", near=anchor) if channel == 0 else ips[0],
                         device=c.pick(devs) if rng.random() < 0.35 else w.device(),
                         profile=prof, program=program)
            prof["first_h"] = (created - c.t0) / HOUR + float(rng.uniform(0.2, 6))
            accts.append(a)
    nacc = len(accts)
    first_h = np.array([max(0.0, w.prof[a]["first_h"]) for a in accts])
    pos, ts, _, _ = sessions(rng, c.t0, c.hours, rate=rate * rng.lognormal(0, 0.3, size=nacc),
                             tz=np.full(nacc, op_tz), shape=np.full(nacc, 3),
                             start_h=np.ceil(first_h).astype(np.int64),
                             end_h=np.full(nacc, c.hours), turns_mean=np.ones(nacc), day_k=6.0)
    bounds = np.searchsorted(pos, np.arange(nacc + 1))
    kc = np.array(list(kinds.values()), np.int16)
    for i, a in enumerate(accts):
        lo, hi = bounds[i], bounds[i + 1]
        k = hi - lo
        if k == 0:
            continue
        p = w.prof[a]
        tsa = ts[lo:hi]
        kk = kc[rng.choice(3, size=k, p=kw)]
        ips = np.asarray(p["ips"], np.int32)[rng.integers(0, len(p["ips"]), size=k)]
        e = rng.random(k) < egress
        ips[e] = np.asarray(restricted, np.int32)[rng.integers(0, len(restricted),
                                                               size=int(e.sum()))]
        tools = np.where(kk == kinds["cap_code"], code_tools,
                         np.where(kk == kinds["computer_use"], cu_tools, -1)).astype(np.int32)
        images = np.where(kk == kinds["cap_code"], 0,
                          rng.integers(1, 4, size=k)).astype(np.int16)
        turn = np.where(kk == kinds["cap_code"], rng.integers(0, 20, size=k), 0)
        c.em.emit(a, tsa, conv=c.em.convs(k), turn=turn, kind=kk,
                  pseed=rng.integers(0, 2**62, size=k), distill=True, ip=ips,
                  model=_distill_models(c, tsa, 0, pivot), tools=tools, images=images,
                  sys=np.full(k, -1, np.int32))


def campaigns(c: Ctx) -> None:
    """Create every configured campaign and emit its traffic."""
    m = c.cfg.campaigns
    for i in range(m.hydra):
        _hydra(c, i)
    for i in range(m.slow_low):
        _slow_low(c, i)
    for i in range(m.cot):
        _cot(c, i)
    for i in range(m.capability):
        _capability(c, i)
