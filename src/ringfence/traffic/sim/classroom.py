"""A legitimate look-alike of a slow-and-low sweep: a university course (held-out presets).

Students open personal orgs during the first lecture from the campus network (a signup
batch: one /24, one afternoon, KYC none), then in every class session the teacher puts up
an exercise sheet and the students send its exercises within the same few minutes (the
same skeleton from many orgs in one five-minute bucket, session after session). Unlike a
sweep, they do it on the declared country's clock (weekday class hours), pay with their
own cards, work the *same* items as each other, and also ask everyday questions of their
own. Truth kind ``hard_negative``, family ``classroom``: it must never be suspended.
Only generated when ``HardNegatives.classroom_students`` is above zero, so earlier presets
keep their bytes.
"""

from __future__ import annotations

import numpy as np

from ringfence.traffic.sim.organic import EDU_DOMAINS, Ctx, emit_sessions, person
from ringfence.traffic.sim.traffic import DAY, HOUR

__all__ = ["classroom"]


def classroom(c: Ctx) -> None:
    w, rng, hn = c.w, c.rng, c.cfg.hard_negatives
    n = hn.classroom_students
    if n <= 0:
        return
    country = c.pick(["US", "GB", "DE", "CA"])
    tz = c.tz_of(country)
    campus = w.ip("education", country)
    dom = c.pick(EDU_DOMAINS.get(country, EDU_DOMAINS["US"]))
    # the first lecture: day 1 or 2 of the window, 14:00 local
    day0 = int(rng.integers(0, 2))
    lecture = c.t0 + day0 * DAY + int((14 - tz) % 24 * HOUR)
    accts = []
    for _ in range(n):
        created = lecture + int(rng.uniform(0, 1.5) * HOUR)
        org = w.new_org(name="personal", country=country, created_ms=created,
                        kyc="none", org_type="individual")
        w.orgs[org]["name"] = c.personal_org_name(country)
        a = person(c, country=country, org=org, created_ms=created, channel=0,
                   kind="hard_negative", family="classroom", home_ip=campus,
                   email=c.email(domain=dom), rate=float(rng.uniform(1, 4)))
        p = w.prof[a]
        p.update(ips=[campus, p["ips"][1]], ip_w=[0.3, 1.0])
        accts.append(a)
    emit_sessions(c, accts, churn=0.0)
    # class sessions: Monday to Thursday, 10:00 and 15:00 local, 90 minutes; each session
    # works through one sheet of 6-10 exercises, every student on the same ones
    kind = w.kind("classroom")
    sheet = 1
    for day in range(day0, c.hours // 24):
        start_day = c.t0 + day * DAY
        if day % 7 >= 4:  # Friday to Sunday (presets start on a Monday)
            continue
        for local_h in (10, 15):
            t = start_day + int((local_h - tz) % 24 * HOUR)
            if t < lecture + HOUR or t >= c.t1 - 2 * HOUR:
                continue
            n_ex = int(rng.integers(6, 11))
            for ex in range(n_ex):
                at = t + int((ex + 0.5) / n_ex * 85 * 60_000)
                who = np.flatnonzero(rng.random(n) < hn.classroom_attend)
                for i in who:
                    k = int(rng.integers(1, 3))
                    ts = at + np.sort(rng.integers(0, 6 * 60_000, size=k)).astype(np.int64)
                    c.em.emit(accts[i], ts, conv=c.em.convs(k), turn=np.zeros(k, np.int64),
                              kind=np.full(k, kind), distill=False,
                              pseed=np.full(k, sheet * 100 + ex, np.int64),
                              ip=np.full(k, campus, np.int32))
            sheet += 1
