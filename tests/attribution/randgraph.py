"""Random small ownership graphs with ties, ranges, open ends and uncertain origins."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
from oracle import H, Setup

from ringfence.attribution.graph import NO_DATE_MAX, NO_DATE_MIN, EntityTable, HoldingTable
from ringfence.policy.schema import PolicySettings

SCALE = 1_000_000_000
GRID = [0, 100, 200, 250, 300, 333, 400, 450, 500, 550, 600, 700, 750, 800, 1000]
COUNTRIES = ("", "CN", "US", "RU", "DE")
THRESHOLDS = (0.5, 0.5, 0.25, 0.3, 0.75, 1.0)


def ppm(x: int) -> int:
    return x * 1_000_000


def random_share(rng: random.Random, ranges: bool) -> tuple[int, int, bool, bool]:
    a = ppm(rng.choice(GRID))
    if not ranges or rng.random() < 0.6:
        return a, a, False, False
    b = ppm(rng.choice(GRID))
    lo, hi = min(a, b), max(a, b)
    if lo == hi:
        return lo, hi, False, False
    return lo, hi, rng.random() < 0.4, rng.random() < 0.4


def random_graph(rng: random.Random, *, mode: str, aggregate: bool, inclusive: bool,
                 dag: bool | None = None, ranges: bool = True,
                 n: int | None = None) -> tuple[EntityTable, HoldingTable, PolicySettings,
                                                Setup]:
    n = n or rng.randint(2, 8)
    types = [rng.choice((0, 0, 0, 0, 1, 1, 2, 3)) for _ in range(n)]
    hq = [rng.randrange(len(COUNTRIES)) for _ in range(n)]
    jur = [rng.randrange(len(COUNTRIES)) for _ in range(n)]
    lists = [[0] if rng.random() < 0.12 else [] for _ in range(n)]
    if dag is None:
        dag = rng.random() < 0.5
    perm = list(range(n))
    rng.shuffle(perm)
    holds: list[H] = []
    for _ in range(rng.randint(1, 3 * n)):
        a, b = rng.randrange(n), rng.randrange(n)
        if a == b and rng.random() < 0.8:
            continue
        if dag and perm[a] >= perm[b]:
            continue
        kind = 0 if mode != "control" else rng.choice((0, 0, 1, 1, 2))
        lo, hi, lo_open, hi_open = random_share(rng, ranges)
        holds.append(H(a, b, kind, lo, hi, lo_open, hi_open))
    settings = PolicySettings.model_validate({
        "restricted_regions": rng.choice((["CN", "RU"], ["CN"], [])),
        "origin": {
            "companies": rng.choice(("headquarters", "headquarters_or_jurisdiction",
                                     "jurisdiction")),
            "states": rng.random() < 0.8,
            "persons": rng.choice(("ignore", "restricted", "uncertain")),
            "lists": rng.choice((["*"], ["designated"], ["other"])),
        },
        "ownership": {"propagation": mode, "threshold": rng.choice(THRESHOLDS),
                      "inclusive": inclusive, "aggregate": aggregate},
        "unknown_ownership": rng.choice(("ignore", "review")),
        "unaccounted_equity": rng.choice(("ignore", "ignore", "unknown")),
    })
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum([len(x) for x in lists], out=ptr[1:])
    ents = EntityTable(
        ids=[f"e{i}" for i in range(n)], type=np.array(types, dtype=np.int8),
        hq=np.array(hq, dtype=np.int16), jurisdiction=np.array(jur, dtype=np.int16),
        countries=COUNTRIES, list_ptr=ptr,
        list_idx=np.array([c for x in lists for c in x], dtype=np.int32),
        list_names=("designated",),
    )
    setup = Setup(n, holds, mode, settings.threshold_ppb, inclusive, aggregate,
                  settings.unaccounted_equity == "unknown")
    return ents, table(holds), settings, setup


def table(holds: list[H], rows: list[int] | None = None, **dates: Any) -> HoldingTable:
    m = len(holds)
    return HoldingTable(
        owner=np.array([h.owner for h in holds], dtype=np.int32),
        owned=np.array([h.owned for h in holds], dtype=np.int32),
        kind=np.array([h.kind for h in holds], dtype=np.int8),
        lo=np.array([h.lo for h in holds], dtype=np.int64),
        hi=np.array([h.hi for h in holds], dtype=np.int64),
        lo_open=np.array([h.lo_open for h in holds], dtype=np.bool_),
        hi_open=np.array([h.hi_open for h in holds], dtype=np.bool_),
        valid_from=np.array(dates.get("valid_from", [NO_DATE_MIN] * m), dtype=np.int32),
        valid_to=np.array(dates.get("valid_to", [NO_DATE_MAX] * m), dtype=np.int32),
        row=np.array(rows if rows is not None else range(m), dtype=np.int64),
    )
