"""A seeded simulator of a model provider's request logs (request-logs.md §1), with truth.

    from ringfence.traffic.sim import SimConfig, simulate
    report = simulate(SimConfig.default(seed=1), Path("data/sim"))

writes ``requests.jsonl`` (or ``.jsonl.gz``), ``accounts.jsonl``, ``orgs.jsonl``,
``events.json`` and ``truth/`` (``accounts.csv``, ``distill_requests.csv``,
``campaigns.json``; the detector must never read ``truth/``). See docs/detect-sim.md.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np

from ringfence.traffic.sim.campaigns import campaigns
from ringfence.traffic.sim.config import CampaignMix, HardNegatives, SimConfig
from ringfence.traffic.sim.hardneg import hard_negatives
from ringfence.traffic.sim.organic import Ctx, emit_sessions, organic
from ringfence.traffic.sim.text import WORDINGS
from ringfence.traffic.sim.traffic import HOUR, Emitter, Releases
from ringfence.traffic.sim.world import World
from ringfence.traffic.sim.writer import write_folder

__all__ = ["CampaignMix", "HardNegatives", "SimConfig", "SimReport", "simulate"]


@dataclass
class SimReport:
    out_dir: Path
    requests: int
    accounts: int
    orgs: int
    campaigns: dict[str, int]   # campaign id -> accounts
    seconds: float


def _t0(cfg: SimConfig) -> int:
    return int(datetime.fromisoformat(cfg.start.replace("Z", "+00:00")).timestamp() * 1000)


def simulate(cfg: SimConfig, out: Path) -> SimReport:
    """Simulate ``cfg`` and write the DATA folder ``out`` (replaced if it exists)."""
    if cfg.wording not in WORDINGS:
        raise ValueError(f"SimConfig.wording must be one of {', '.join(WORDINGS)}, not "
                         f"{cfg.wording!r}")
    if cfg.days < 1:
        raise ValueError("SimConfig.days must be at least 1")
    started = time.perf_counter()
    # releases outside the window (e.g. after --days shortened it) do not happen
    cfg = replace(cfg, releases=tuple(r for r in cfg.releases if 0 <= r[0] < cfg.days * 24))
    rng = np.random.default_rng(cfg.seed)
    world = World(rng)
    t0 = _t0(cfg)
    t1 = t0 + cfg.days * 24 * HOUR
    rel = Releases(ts=[], model=[], tier=[])
    for h, name in cfg.releases:
        rel.ts.append(t0 + int(h * HOUR))
        rel.model.append(world.model(name))
        rel.tier.append(2 if "haiku" in name else 1 if "opus" in name else 0)
    em = Emitter(world, rng, rel)
    ctx = Ctx(cfg, world, em, t0)
    accts = organic(ctx)
    # dormant accounts: exist, never send a request in the window
    dormant = organic_dormant(ctx)
    emit_sessions(ctx, accts)
    hard_negatives(ctx)
    campaigns(ctx)
    cols = {k: np.concatenate([f[k] for f in em.frames]) for k in em.frames[0]}
    keep = (cols["ts"] >= t0) & (cols["ts"] < t1)
    order = np.argsort(cols["ts"][keep], kind="stable")
    cols = {k: v[keep][order] for k, v in cols.items()}
    n = write_folder(world, cols, out, t0_ms=t0, t1_ms=t1,
                     releases=[(ts, world.models[m]) for ts, m in zip(rel.ts, rel.model,
                                                                      strict=True)],
                     wording=cfg.wording, gz=cfg.gzip)
    del dormant
    return SimReport(out_dir=out, requests=n,
                     accounts=sum(1 for a in world.accounts if a["created_ms"] < t1),
                     orgs=sum(1 for o in world.orgs if o["created_ms"] < t1),
                     campaigns={k: len(v["accounts"]) for k, v in world.campaigns.items()},
                     seconds=time.perf_counter() - started)


def organic_dormant(ctx: Ctx) -> list[int]:
    """Accounts created (before or during the window) that never send a request."""
    from ringfence.traffic.sim.organic import person

    out = []
    for _ in range(ctx.cfg.dormant_accounts):
        country = ctx.pick(["US", "GB", "IN", "DE", "BR", "JP"])
        created = ctx.t0 - int(ctx.rng.uniform(-ctx.hours / 2, 400 * 24) * HOUR)
        org = ctx.w.new_org(name="personal", country=country, created_ms=created, kyc="none",
                            org_type="individual")
        ctx.w.orgs[org]["name"] = ctx.personal_org_name(country)
        out.append(person(ctx, country=country, org=org, created_ms=created))
    return out
