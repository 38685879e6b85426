"""Retrieval work counted, not timed (so other load does not skew it): on the retrieval
benchmark's synthetic entities plus the public groups, the candidates each query re-scores
with ``compare``, the keys it looks up, and the index's distinct keys.

    .venv/bin/python benchmarks/retrieval_counts.py [--entities 5000] [--queries 1000]

Run two trees side by side by putting one's ``src`` first on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from retrieval import real_entities, synth_entity

import ringfence.resolve.index as index_module
from ringfence.resolve import Record, ScreeningIndex
from ringfence.resolve.keys import Readings, entity_keys, query_groups


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entities", type=int, default=5000)
    ap.add_argument("--queries", type=int, default=1000)
    args = ap.parse_args(argv)
    rng = random.Random(7)
    reals, real_queries = real_entities()
    pairs = [synth_entity(i, rng) for i in range(args.entities)]
    ents = reals + [p[0] for p in pairs]
    index = ScreeningIndex.build(ents)
    distinct: set[str] = set()
    readings = Readings()
    for ent in ents:
        distinct.update(entity_keys(ent.names, readings))
    qrng = random.Random(11)
    queries = [pairs[qrng.randrange(len(pairs))][1] for _ in range(args.queries)]
    queries += [q for q, _ in real_queries]
    calls = [0]
    compare = index_module.compare

    def counted(*a: Any, **k: Any) -> Any:
        calls[0] += 1
        return compare(*a, **k)

    index_module.compare = counted  # type: ignore[assignment]
    looked = 0
    for q in queries:
        index.search(Record.of(q))
        looked += sum(len(g) for g in query_groups((q,)))
    n = len(queries)
    print(f"{len(ents):,} entities, {n:,} queries: {calls[0] / n:.2f} candidates re-scored "
          f"a query, {looked / n:.1f} keys looked up a query, {len(distinct):,} distinct keys")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
