"""Random graphs and worked cases written as real snapshots, for the engine tests."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import numpy as np
from oracle import H, Setup
from randgraph import random_graph

from ringfence.attribution.graph import KIND_NAMES, TYPE_NAMES, EntityTable
from ringfence.model import Entity, Holding, Share, SourceRef
from ringfence.policy import LoadedPolicy, PolicySettings, parse_policy
from ringfence.snapshot import Snapshot, SnapshotWriter, open_snapshot

AS_OF = dt.date(2025, 1, 1)


def as_policy(settings: PolicySettings, name: str = "test") -> LoadedPolicy:
    data = settings.model_dump(mode="json", exclude={"enabled"})
    return parse_policy({"name": name, **data})


def write(out: Path, entities: list[Entity], holdings: list[Holding]) -> Snapshot:
    with SnapshotWriter(out) as w:
        w.add_entities(entities)
        w.add_holdings(holdings)
        w.publish(check=False)  # random graphs may hold over 100%: the engine must cope
    return open_snapshot(out)


def component(prefix: str, ents: EntityTable, holds: list[H]) -> tuple[list[Entity],
                                                                        list[Holding]]:
    """One random graph as records, its ids prefixed (many graphs share a snapshot)."""
    out = []
    for i in range(len(ents)):
        lists = ents.list_idx[ents.list_ptr[i]:ents.list_ptr[i + 1]]
        out.append(Entity(id=f"{prefix}{ents.ids[i]}", type=TYPE_NAMES[int(ents.type[i])],
                          hq_country=ents.countries[int(ents.hq[i])],
                          jurisdiction=ents.countries[int(ents.jurisdiction[i])],
                          lists=tuple(ents.list_names[int(c)] for c in lists)))
    hs = [Holding(f"{prefix}{ents.ids[h.owner]}", f"{prefix}{ents.ids[h.owned]}",
                  KIND_NAMES[h.kind], Share(h.lo, h.hi, h.lo_open, h.hi_open),
                  source=SourceRef("random", record=f"{prefix}{k}"))
          for k, h in enumerate(holds)]
    return out, hs


def random_batch(rng: random.Random, out: Path, *, mode: str, aggregate: bool,
                 inclusive: bool, graphs: int, **kw: Any
                 ) -> tuple[Snapshot, PolicySettings, list[tuple[str, EntityTable, Setup]]]:
    """``graphs`` random graphs under one policy (the first graph's), as one snapshot."""
    parts: list[tuple[str, EntityTable, Setup]] = []
    entities: list[Entity] = []
    holdings: list[Holding] = []
    settings: PolicySettings | None = None
    for g in range(graphs):
        ents, _, pol, setup = random_graph(rng, mode=mode, aggregate=aggregate,
                                           inclusive=inclusive, **kw)
        if settings is None:
            settings = pol
        setup = Setup(setup.n, setup.holdings, mode, settings.threshold_ppb, inclusive,
                      aggregate, settings.unaccounted_equity == "unknown")
        prefix = f"g{g}:"
        es, hs = component(prefix, ents, setup.holdings)
        entities += es
        holdings += hs
        parts.append((prefix, ents, setup))
    assert settings is not None
    return write(out, entities, holdings), settings, parts


def ids(prefix: str, ents: EntityTable) -> list[str]:
    return [f"{prefix}{e}" for e in ents.ids]


def flags(values: list[bool]) -> np.ndarray:
    return np.array(values, dtype=np.bool_)
