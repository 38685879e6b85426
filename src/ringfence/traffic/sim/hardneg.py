"""Legitimate heavy users; each mimics a campaign tell-tale and must never be suspended.

| family        | mimics                                                              |
|---------------|---------------------------------------------------------------------|
| eval_lab      | release pivot within hours, reasoning prompts, huge bursts           |
| labelling     | one rubric-grading skeleton around the clock, synchronised accounts  |
| saas_relay    | thousands of end users and languages through a few cloud IPs         |
| coding_agent  | large shared tool schema and system prompt, long injected histories  |
| university    | step-by-step benchmark items with a shared skeleton, shared NAT      |
| agency        | one office IP, device and card opening many client orgs              |
| oss_framework | identical system prompt and tool schema across unrelated orgs        |
| shared_egress | consumer VPN exits and a university NAT shared by unrelated people    |
"""

from __future__ import annotations

import numpy as np

from ringfence.traffic.sim.classroom import classroom
from ringfence.traffic.sim.organic import EDU_DOMAINS, Ctx, emit_sessions, person
from ringfence.traffic.sim.traffic import DAY, HOUR

__all__ = ["hard_negatives"]

HN = "hard_negative"


def _old(c: Ctx, lo: float = 30, hi: float = 600) -> int:
    return c.t0 - int(c.rng.uniform(lo, hi) * DAY)


def _eval_lab(c: Ctx) -> None:
    w, rng, hn = c.w, c.rng, c.cfg.hard_negatives
    country = c.pick(["US", "GB"])
    org = w.new_org(name=c.org_name(country), country=country, created_ms=_old(c),
                    kyc="verified", org_type="company")
    ips = [w.ip("hosting", "US") for _ in range(3)]
    sys = w.new_sys(1800)
    card, dev = w.card(), w.device()
    dom = w.orgs[org]["name"].split()[0].lower() + ".ai"
    accts = []
    for _ in range(hn.eval_lab_accounts):
        a = person(c, country=country, org=org, created_ms=_old(c, 10, 200), channel=0,
                   kind=HN, family="eval_lab", payment=card, device=dev,
                   email=c.email(domain=dom), rate=25.0)
        p = w.prof[a]
        p.update(ips=ips, ip_w=[1, 1, 1], kinds=[w.kind("eval_bench")], sys=(sys,),
                 p_sys=1.0, turns_mean=1.0, think_p=0.5, think_budget=8192,
                 max_tokens=(8192, 16000), p_batch=0.3, shape=0, tz=-5.0 if country == "US"
                 else 0.0, temp=0.0, adopt_h=[1.0] * len(c.cfg.releases))
        accts.append(a)
    emit_sessions(c, accts, churn=0.0)
    # bursts on every new model, starting within hours of the release
    for r, rts in enumerate(c.em.rel.ts):
        start = rts + int(rng.uniform(0.3, 2.0) * HOUR)
        dur = rng.uniform(8, 20)
        if start >= c.t1 - HOUR:
            continue
        n = int(c.u(hn.eval_burst_per_hour) * dur)
        ts = np.sort(rng.integers(start, min(c.t1, start + int(dur * HOUR)), size=n))
        who = rng.integers(0, len(accts), size=n)
        items = np.arange(n) % 4000          # the same benchmark items at every release
        for i, a in enumerate(accts):
            m = who == i
            k = int(m.sum())
            c.em.emit(a, ts[m], conv=c.em.convs(k), turn=np.zeros(k, np.int64),
                      kind=np.full(k, w.kind("eval_bench")), pseed=items[m].astype(np.int64),
                      model=np.full(k, c.em.rel.model[r], np.int32))


def _labelling(c: Ctx) -> None:
    w, rng, hn = c.w, c.rng, c.cfg.hard_negatives
    country = c.pick(["PH", "KE", "IN"])
    org = w.new_org(name=c.org_name(country), country=country, created_ms=_old(c),
                    kyc="verified", org_type="company")
    office = [w.ip("residential", country) for _ in range(2)]
    sys = w.new_sys(900)
    card = w.card()
    accts = []
    for _ in range(hn.labelling_accounts):
        a = person(c, country=country, org=org, created_ms=_old(c, 5, 300), channel=0,
                   kind=HN, family="labelling", payment=card, home_ip=office[0],
                   rate=hn.labelling_rate * float(rng.uniform(0.7, 1.3)))
        w.prof[a].update(ips=office, ip_w=[1, 1], kinds=[w.kind("labelling")], sys=(sys,),
                         p_sys=1.0, turns_mean=1.0, shape=2, temp=0.0, day_k=6.0,
                         think_p=0.0, tiers=(0,), tier_w=(1.0,))
        accts.append(a)
    emit_sessions(c, accts, churn=0.0)


def _saas(c: Ctx) -> None:
    w, rng, hn = c.w, c.rng, c.cfg.hard_negatives
    allk = [w.kind(f"organic_{x}") for x in ("en", "en", "en", "es", "de", "fr", "ja", "pt",
                                             "zh", "ko", "hi")]
    for _ in range(hn.saas_orgs):
        country = c.pick(["US", "GB", "DE"])
        org = w.new_org(name=c.org_name(country), country=country, created_ms=_old(c),
                        kyc="verified", org_type="company")
        ips = [w.ip("hosting", "US") for _ in range(3)]
        sys = w.new_sys(int(rng.integers(1500, 6000)))
        ns = len(w.cu_ns)
        w.cu_ns.append(w.new_id("", 3))
        card = w.card()
        accts = []
        for _ in range(hn.saas_accounts_per_org):
            a = person(c, country=country, org=org, created_ms=_old(c), channel=0, kind=HN,
                       family="saas_relay", payment=card, home_ip=ips[0],
                       rate=hn.saas_rate * float(rng.uniform(0.6, 1.4)))
            w.prof[a].update(ips=ips, ip_w=[1, 1, 1], kinds=allk, sys=(sys,), p_sys=1.0,
                             cu_ns=ns, cu_n=hn.saas_end_users, shape=3, turns_mean=2.5,
                             day_k=5.0, tz=-5.0, p429=0.01)
            accts.append(a)
        emit_sessions(c, accts, churn=0.0)


def _coding_agent(c: Ctx) -> None:
    w, rng, hn = c.w, c.rng, c.cfg.hard_negatives
    org = w.new_org(name=c.org_name("US"), country="US", created_ms=_old(c),
                    kyc="verified", org_type="startup")
    ips = [w.ip("hosting", "US") for _ in range(4)]
    sys = w.new_sys(14000)
    tools = w.new_tools(int(rng.integers(28, 40)))
    card = w.card()
    accts = []
    for _ in range(hn.coding_agent_accounts):
        a = person(c, country="US", org=org, created_ms=_old(c), channel=0, kind=HN,
                   family="coding_agent", payment=card, home_ip=ips[0],
                   rate=hn.coding_agent_rate * float(rng.uniform(0.6, 1.4)))
        w.prof[a].update(ips=ips, ip_w=[1] * 4, kinds=[w.kind("coding_agent")], sys=(sys,),
                         p_sys=1.0, tools=tools, p_tools=1.0, turns_mean=12.0, shape=3,
                         day_k=4.0, tz=-7.0, max_tokens=(16000, 32000), think_p=0.3,
                         think_budget=16000, stream_p=1.0)
        accts.append(a)
    emit_sessions(c, accts, churn=0.0)


def _university(c: Ctx) -> None:
    w, rng, hn = c.w, c.rng, c.cfg.hard_negatives
    for lab in range(hn.university_labs):
        country = c.pick(["US", "GB", "DE", "JP", "KR", "CA"])
        org = w.new_org(name=f"{c.org_name(country).split()[0]} Lab, {country} university",
                        country=country, created_ms=_old(c), kyc="verified",
                        org_type="university")
        nat = [w.ip("education", country) for _ in range(2)]
        dom = c.pick(EDU_DOMAINS.get(country, EDU_DOMAINS["US"]))
        accts = []
        for _ in range(hn.university_accounts):
            a = person(c, country=country, org=org, created_ms=_old(c, 10, 400), channel=0,
                       kind=HN, family="university", program="edu", home_ip=nat[0],
                       email=c.email(domain=dom),
                       rate=hn.university_rate * float(rng.lognormal(0, 0.5)))
            p = w.prof[a]
            p.update(ips=[*nat, p["ips"][1]], ip_w=[1.0, 1.0, 0.15],
                     kinds=[w.kind("university"), w.kind("university"), w.kind("organic_en")],
                     shape=4, turns_mean=1.0, temp=0.0, think_p=0.2)
            accts.append(a)
        first = len(c.em.frames)
        emit_sessions(c, accts, churn=0.0)
        # benchmark items: the lab's students run overlapping ranges of one item list
        for fr in c.em.frames[first:]:
            uni = fr["kind"] == w.kind("university")
            fr["pseed"][uni] = lab * 100000 + rng.integers(0, 3000, size=int(uni.sum()))


def _agency(c: Ctx) -> None:
    w, rng, hn = c.w, c.rng, c.cfg.hard_negatives
    country = "GB"
    created = _old(c, 60, 400)
    agency = w.new_org(name=c.org_name(country), country=country, created_ms=created,
                       kyc="verified", org_type="agency")
    office = w.ip("residential", country)
    dev, card = w.device(), w.card()
    dom = w.orgs[agency]["name"].split()[0].lower() + ".co.uk"
    accts = [person(c, country=country, org=agency, created_ms=created, channel=0, kind=HN,
                    family="agency", payment=card, device=dev, home_ip=office,
                    email=c.email(domain=dom), rate=hn.agency_rate)]
    for k in range(hn.agency_clients):
        # clients onboarded over time, some during the window
        cc = c.pick(["GB", "GB", "GB", "US", "DE", "FR", "NL"])
        t = created + int(rng.uniform(1, (c.t0 + 10 * DAY - created) / DAY) * DAY)
        org = w.new_org(name=c.org_name(cc), country=cc, created_ms=t, kyc="basic",
                        org_type="company")
        for _ in range(1 if rng.random() < 0.8 else 2):
            a = person(c, country=country, org=org, created_ms=t + int(rng.integers(0, HOUR)),
                       channel=0, kind=HN, family="agency", payment=card, device=dev,
                       home_ip=office, email=f"client{k}.{c.email(domain=dom)}",
                       rate=hn.agency_rate * float(rng.lognormal(0, 0.6)))
            accts.append(a)
    for a in accts:
        w.prof[a].update(ips=[office, w.prof[a]["ips"][1]], ip_w=[1.0, 0.05],
                         kinds=[w.kind("agency"), w.kind("agency"), w.kind("organic_en")],
                         shape=0, tz=0.0)
    emit_sessions(c, accts, churn=0.0)


def _oss_framework(c: Ctx) -> None:
    w, rng, hn = c.w, c.rng, c.cfg.hard_negatives
    fw_sys = w.new_sys(2600)
    fw_tools = w.new_tools(9)
    accts = []
    names = [k for k in ("US", "GB", "DE", "IN", "FR", "JP", "BR", "CA", "KR", "SG")]
    for _ in range(hn.oss_framework_accounts):
        country = c.pick(names)
        created = _old(c, 1, 300) if rng.random() > 0.1 else c.t0 + int(
            rng.uniform(0, c.hours - 24) * HOUR)
        org = w.new_org(name=c.org_name(country), country=country, created_ms=created,
                        kyc=c.pick(["none", "basic"]), org_type=c.pick(["individual",
                                                                         "startup"]))
        a = person(c, country=country, org=org, created_ms=created, channel=0, kind=HN,
                   family="oss_framework")
        w.prof[a].update(sys=(fw_sys,), p_sys=0.95, tools=fw_tools, p_tools=0.8,
                         ua=[w.uas.index("python-httpx/0.27.2")])
        accts.append(a)
    emit_sessions(c, accts)


def _shared_egress(c: Ctx) -> None:
    w, rng, hn = c.w, c.rng, c.cfg.hard_negatives
    exits = [w.ip("vpn") for _ in range(10)]
    accts = []
    for _ in range(hn.vpn_users):
        country = c.pick(["US", "GB", "DE", "FR", "NL", "SE", "CA", "AU"])
        org = w.new_org(name="personal", country=country, created_ms=_old(c, 1, 500),
                        kyc="none", org_type="individual")
        w.orgs[org]["name"] = c.personal_org_name(country)
        a = person(c, country=country, org=org, created_ms=w.orgs[org]["created_ms"],
                   kind=HN, family="shared_egress", home_ip=c.pick(exits))
        p = w.prof[a]
        p.update(ips=[p["ips"][0], c.pick(exits), p["ips"][1]], ip_w=[1.0, 0.6, 0.1])
        accts.append(a)
    country = c.pick(["US", "GB", "CA"])
    nat = [w.ip("education", country) for _ in range(3)]
    dom = c.pick(EDU_DOMAINS[country])
    for _ in range(hn.nat_users):
        org = w.new_org(name="personal", country=country, created_ms=_old(c, 1, 500),
                        kyc="none", org_type="individual")
        w.orgs[org]["name"] = c.personal_org_name(country)
        edu = rng.random() < 0.5
        a = person(c, country=country, org=org, created_ms=w.orgs[org]["created_ms"],
                   kind=HN, family="shared_egress", home_ip=c.pick(nat),
                   program="edu" if edu else "none",
                   email=c.email(domain=dom) if edu else None)
        p = w.prof[a]
        p.update(ips=[c.pick(nat), c.pick(nat), p["ips"][1]], ip_w=[1.0, 0.5, 0.3], shape=4)
        accts.append(a)
    emit_sessions(c, accts)


def hard_negatives(c: Ctx) -> None:
    """Create every legitimate heavy-user group and emit its traffic."""
    _eval_lab(c)
    _labelling(c)
    _saas(c)
    _coding_agent(c)
    _university(c)
    _agency(c)
    _oss_framework(c)
    _shared_egress(c)
    classroom(c)
