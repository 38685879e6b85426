"""Request timing (diurnal shapes, sessions, scheduler ticks) and per-request attributes.

Timestamps are drawn per account with NumPy: expected sessions per hour from the account's
daily rate, a diurnal shape in its own time zone, a weekend factor and a day-to-day gamma
factor (heavy-tailed activity), then Poisson counts, then turns within each session.
``Emitter.emit`` fills every other field of a request from the account's profile, with
family-specific overrides (IPs, models, prompts), and keeps the columns as NumPy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ringfence.traffic.sim.world import World

__all__ = ["SHAPES", "Emitter", "Releases", "sessions", "ticks"]

I64 = NDArray[np.int64]
HOUR = 3_600_000
DAY = 24 * HOUR

# relative intensity by local hour; index: 0 work, 1 hobby, 2 flat (24/7), 3 ops (24/7 with
# a daytime lift), 4 student (late)
SHAPES = np.array([
    [.15, .08, .05, .04, .04, .08, .25, .6, 1.1, 1.6, 1.8, 1.7, 1.2, 1.5, 1.7, 1.7, 1.5, 1.2,
     .9, .8, .8, .7, .5, .3],
    [.5, .3, .15, .08, .05, .05, .1, .3, .5, .6, .7, .8, .9, .8, .8, .9, 1, 1.2, 1.5, 1.9,
     2.1, 2, 1.6, 1],
    [1.0] * 24,
    [.6, .55, .5, .5, .5, .55, .7, .9, 1.3, 1.5, 1.6, 1.6, 1.4, 1.5, 1.6, 1.6, 1.5, 1.3, 1.1,
     1, .9, .8, .7, .65],
    [.9, .7, .4, .2, .1, .05, .05, .1, .3, .6, .9, 1.1, 1.2, 1.3, 1.4, 1.4, 1.3, 1.2, 1.2, 1.3,
     1.5, 1.6, 1.5, 1.2],
])
SHAPES = SHAPES / SHAPES.mean(axis=1, keepdims=True)
WEEKEND = np.array([0.3, 1.25, 1.0, 0.9, 0.9])


def _hour_lambda(rng: np.random.Generator, t0_ms: int, hours: int, rate: NDArray[Any],
                 tz: NDArray[Any], shape: NDArray[Any], start_h: NDArray[Any],
                 end_h: NDArray[Any], day_k: float) -> NDArray[np.float64]:
    h = np.arange(hours)
    local = (h[None, :] + np.round(tz)[:, None]).astype(np.int64)
    weekday = ((t0_ms // DAY + 3) * 24 + local) // 24 % 7  # 1970-01-01 was a Thursday
    w = SHAPES[shape[:, None], local % 24]
    w = w * np.where(weekday >= 5, WEEKEND[shape][:, None], 1.0)
    days = (hours + 23) // 24
    g = rng.gamma(day_k, 1.0 / day_k, size=(len(rate), days))
    w = w * g[:, h // 24]
    lam = rate[:, None] / 24.0 * w
    lam[(h[None, :] < start_h[:, None]) | (h[None, :] >= end_h[:, None])] = 0.0
    return np.asarray(lam, dtype=np.float64)


def sessions(rng: np.random.Generator, t0_ms: int, hours: int, *, rate: NDArray[Any],
             tz: NDArray[Any], shape: NDArray[Any], start_h: NDArray[Any],
             end_h: NDArray[Any], turns_mean: NDArray[Any], gap_s: float = 50.0,
             day_k: float = 0.8) -> tuple[I64, I64, I64, I64]:
    """Sessions of several turns for n accounts at once.

    ``rate`` is requests per day; sessions per day is ``rate / turns_mean``. Returns
    (account position, ts ms, session number, turn index) sorted by account then time.
    """
    lam = _hour_lambda(rng, t0_ms, hours, rate / turns_mean, tz, shape, start_h, end_h, day_k)
    counts = rng.poisson(lam)
    acc, hr = np.nonzero(counts)
    c = counts[acc, hr]
    acc = np.repeat(acc, c)
    hr = np.repeat(hr, c)
    start = t0_ms + hr * HOUR + rng.integers(0, HOUR, size=len(hr))
    nturn = rng.geometric(1.0 / np.asarray(turns_mean, dtype=np.float64)[acc])
    nturn = np.minimum(nturn, 60)
    sess = np.repeat(np.arange(len(acc)), nturn)
    first = np.repeat(np.cumsum(nturn) - nturn, nturn)
    turn = np.arange(len(sess)) - first
    gaps = rng.exponential(gap_s * 1000.0, size=len(sess)).astype(np.int64) + 2000
    gaps[turn == 0] = 0
    cg = np.cumsum(gaps)
    offs = cg - np.repeat(cg[np.cumsum(nturn) - nturn], nturn)
    ts = start[sess] + offs
    a = acc[sess]
    order = np.lexsort((ts, a))
    return (a[order].astype(np.int64), ts[order].astype(np.int64),
            sess[order].astype(np.int64), turn[order].astype(np.int64))


def ticks(rng: np.random.Generator, start_ms: int, end_ms: int, period_min: float, *,
          pause_share: float = 0.08) -> I64:
    """A central scheduler's dispatch times: a period with small drift and a few pauses."""
    if end_ms <= start_ms:
        return np.zeros(0, np.int64)
    n = int((end_ms - start_ms) / (period_min * 60_000)) + 1
    step = period_min * 60_000 * rng.normal(1.0, 0.03, size=n)
    t = start_ms + np.cumsum(step).astype(np.int64)
    t = t[t < end_ms]
    # pauses: a few maintenance gaps of 1-3 hours
    keep = np.ones(len(t), dtype=bool)
    for _ in range(int(pause_share * (end_ms - start_ms) / (2 * HOUR))):
        s = rng.integers(start_ms, end_ms)
        keep &= ~((t >= s) & (t < s + int(rng.uniform(1, 3) * HOUR)))
    return t[keep]


@dataclass
class Releases:
    ts: list[int]
    model: list[int]   # model code
    tier: list[int]    # base-model index the release succeeds


class Emitter:
    """Collects request columns; fills defaults from the account profile."""

    def __init__(self, world: World, rng: np.random.Generator, releases: Releases) -> None:
        self.w = world
        self.rng = rng
        self.rel = releases
        self.frames: list[dict[str, NDArray[Any]]] = []
        self.next_conv = 1
        self._cache: dict[str, NDArray[np.int64]] = {}

    def convs(self, n: int) -> I64:
        out = np.arange(self.next_conv, self.next_conv + n, dtype=np.int64)
        self.next_conv += n
        return out

    def models_for(self, p: dict[str, Any], ts: I64, *, adopt_h: list[float] | None = None,
                   p_adopt: float | None = None) -> NDArray[np.int32]:
        rng = self.rng
        tiers = p.get("tiers", (0,))
        tw = p.get("tier_w", (1.0,))
        m = np.asarray(tiers)[rng.choice(len(tiers), size=len(ts), p=tw)].astype(np.int32)
        adopt = adopt_h if adopt_h is not None else p["adopt_h"]
        for r, (rts, rmodel, rtier) in enumerate(zip(self.rel.ts, self.rel.model,
                                                     self.rel.tier, strict=True)):
            if not np.isfinite(adopt[r]):
                continue
            same = m == rtier
            pa = p_adopt if p_adopt is not None else 0.85
            take = (ts >= rts + int(adopt[r] * HOUR)) & (
                rng.random(len(ts)) < np.where(same, pa, pa * 0.1))
            m[take] = rmodel
        return m

    def emit(self, acct: int, ts: I64, *, conv: I64, turn: I64, kind: NDArray[Any],
             pseed: I64, distill: NDArray[np.bool_] | bool = False,
             **over: NDArray[Any]) -> None:
        """Append the requests of one account; ``over`` replaces any default column."""
        n = len(ts)
        if n == 0:
            return
        rng, p = self.rng, self.w.prof[acct]
        cols: dict[str, NDArray[Any]] = {
            "ts": ts.astype(np.int64), "acct": np.full(n, acct, np.int32),
            "conv": conv.astype(np.int64), "turn": turn.astype(np.int16),
            "kind": np.asarray(kind, np.int16) * np.ones(n, np.int16),
            "pseed": pseed.astype(np.int64),
            "distill": np.asarray(distill, bool) * np.ones(n, bool)}
        nkeys = len(self.w.accounts[acct]["api_key_ids"])
        cols["key"] = rng.integers(0, nkeys, size=n).astype(np.int8)
        cols["channel"] = np.full(n, p["channel"], np.int8)
        cols["endpoint"] = (rng.random(n) < p.get("p_batch", 0.0)).astype(np.int8)
        uas = np.asarray(p["ua"], np.int16)
        cols["ua"] = uas[rng.integers(0, len(uas), size=n)]
        if "ip" not in over:
            ips = np.asarray(p["ips"], np.int32)
            ipw = np.asarray(p["ip_w"], np.float64)
            cols["ip"] = ips[rng.choice(len(ips), size=n, p=ipw / ipw.sum())]
        if "model" not in over:
            cols["model"] = self.models_for(p, cols["ts"])
        cols["stream"] = rng.random(n) < p.get("stream_p", 0.5)
        mt = np.asarray(p.get("max_tokens", (1024, 4096)))
        cols["max_tokens"] = mt[rng.integers(0, len(mt), size=n)].astype(np.int32)
        cols["temp"] = np.full(n, p.get("temp", -1.0), np.float32)
        think = rng.random(n) < p.get("think_p", 0.0)
        cols["thinking"] = np.where(think, p.get("think_budget", 4096), 0).astype(np.int32)
        cols["tools"] = np.where(rng.random(n) < p.get("p_tools", 0.0), p.get("tools", -1),
                                 -1).astype(np.int32)
        sysc = np.asarray(p.get("sys", (-1,)), np.int32)
        use_sys = rng.random(n) < p.get("p_sys", 0.0)
        cols["sys"] = np.where(use_sys, sysc[rng.integers(0, len(sysc), size=n)], -1
                               ).astype(np.int32)
        img = rng.random(n) < p.get("img_p", 0.0)
        cols["images"] = np.where(img, rng.integers(1, 4, size=n), 0).astype(np.int16)
        ns = p.get("cu_ns", -1)
        if ns >= 0:
            users = rng.zipf(1.3, size=n) % p.get("cu_n", 1000)
            cols["cu"] = (ns * 10_000_000 + users).astype(np.int64)
        else:
            cols["cu"] = np.full(n, -1, np.int64)
        cols.update(over)
        self._tokens_status(cols, p)
        self.frames.append(cols)

    def _table(self, which: str) -> NDArray[np.int64]:
        """System prompt lengths / tool counts by code (index -1: none), cached until the
        world's table grows."""
        src: list[Any] = self.w.sys if which == "sys" else self.w.tools
        hit = self._cache.get(which)
        if hit is None or len(hit) != len(src) + 1:
            vals = [x[2] for x in src] if which == "sys" else [x[0] for x in src]
            hit = np.asarray([*vals, 0], np.int64)
            self._cache[which] = hit
        return hit

    def _tokens_status(self, cols: dict[str, NDArray[Any]], p: dict[str, Any]) -> None:
        rng = self.rng
        n = len(cols["ts"])
        sys_chars = self._table("sys")[cols["sys"]]
        tools_n = self._table("tools")[cols["tools"]]
        base_in = rng.lognormal(np.log(p.get("in_tok", 120)), 0.6, size=n)
        cols["in_tok"] = (base_in + sys_chars // 4 + tools_n * 180
                          + cols["turn"].astype(np.int64) * rng.integers(150, 600, size=n)
                          + cols["images"].astype(np.int64) * 1200).astype(np.int32)
        out = rng.lognormal(np.log(p.get("out_tok", 350)), 0.7, size=n)
        out = out + (cols["thinking"] > 0) * rng.uniform(0.3, 0.9, size=n) * cols["thinking"]
        cols["out_tok"] = np.minimum(out, cols["max_tokens"]).astype(np.int32)
        r = rng.random(n)
        after = np.zeros(n, bool)
        for rts in self.rel.ts:
            after |= (cols["ts"] >= rts) & (cols["ts"] < rts + 6 * HOUR)
        p429 = p.get("p429", 0.004)
        p529 = np.where(after, 0.03, 0.002)
        status = np.full(n, 200, np.int16)
        status[r < p429] = 429
        status[(r >= p429) & (r < p429 + p529)] = 529
        cols["status"] = status
        cols["out_tok"][status != 200] = 0
