"""Re-match on publish: the cost of screening a whole book again against a snapshot.

    .venv/bin/python benchmarks/rematch.py [--entities 100000] [--book 10000] [--dup 0.1]
        [--known 0.3] [--scan-sample 3] [--seed 7]

A synthetic screening index (``benchmarks/retrieval.py``'s generator: Latin, Chinese,
Russian and Persian names, a third with a second name, a tenth with a register number) and
a synthetic book: ``--known`` of the organisations declare a variant of an indexed entity's
name (exact, typo, other script, legal form), the rest made-up names of the same shape that
are not indexed; ``--dup`` of the rows repeat an earlier row's declaration (one company the
end customer of several intermediaries, or onboarded twice).

Three ways of re-screening the book, CPU seconds of this process (the name caches are
cleared before each, so none profits from another's warm caches):

* **bulk** (what a publish runs): ``service.rematch.Rescreener``, one pass over the book,
  one index look-up per distinct declaration;
* **per customer**: ``SnapshotResolver.best_match`` called for every row as onboarding does,
  no sharing between rows;
* **full scan** (what "no per-customer full scan" rules out): every row compared with every
  entity (``resolve.compare``); measured on ``--scan-sample`` rows and extrapolated.

The matches of the bulk and the per-customer runs are checked to be identical.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from retrieval import synth_entity

from ringfence.resolve import ScreeningIndex, clear_caches, compare
from ringfence.service.rematch import Rescreener
from ringfence.snapshot.screening import SnapshotResolver, declared_record


def _book(n: int, *, entities: int, known: float, dup: float,
          rng: random.Random) -> list[Any]:
    rows: list[Any] = []
    for k in range(n):
        if rows and rng.random() < dup:
            prev = rng.choice(rows)
            rows.append(SimpleNamespace(**{**vars(prev), "id": f"org{k}"}))
            continue
        if rng.random() < known:  # a variant of an indexed entity's name
            _ent, name = synth_entity(rng.randrange(entities), random.Random(rng.random()))
        else:  # the same generator past the index's end: never indexed
            ent, _q = synth_entity(entities + k, random.Random(rng.random()))
            name = ent.names[0]
        rows.append(SimpleNamespace(id=f"org{k}", name=name, country=None, identifiers=[],
                                    dismissed=None))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--book", type=int, default=10_000)
    ap.add_argument("--known", type=float, default=0.3)
    ap.add_argument("--dup", type=float, default=0.1)
    ap.add_argument("--scan-sample", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--skip-per-customer", action="store_true",
                    help="only the bulk pass (for the largest books)")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    c0 = time.process_time()
    index = ScreeningIndex.build(synth_entity(i, rng)[0] for i in range(args.entities))
    print(f"index: {len(index):,} entities, built in {time.process_time() - c0:.1f} CPU-s")
    rows = _book(args.book, entities=args.entities, known=args.known, dup=args.dup, rng=rng)
    distinct = len({(r.name, r.country) for r in rows})
    print(f"book: {len(rows):,} organisations, {distinct:,} distinct declarations, "
          f"{args.known:.0%} of the new ones naming an indexed entity")
    resolver = SnapshotResolver(index)

    clear_caches()
    c0 = time.process_time()
    rescreener = Rescreener(resolver)
    bulk = rescreener.book(rows)
    t_bulk = time.process_time() - c0
    matched = sum(1 for v in bulk.values() if v.match is not None)
    print(f"bulk:         {t_bulk:8.1f} CPU-s  ({t_bulk / len(rows) * 1000:.2f} ms per "
          f"organisation; {rescreener.queries:,} index look-ups; {matched:,} matched)")

    if not args.skip_per_customer:
        clear_caches()
        c0 = time.process_time()
        each = {r.id: resolver.best_match(declared_record(r.name, country=r.country),
                                          declared_name=r.name) for r in rows}
        t_each = time.process_time() - c0
        same = all(each[k] == bulk[k].match for k in each)
        print(f"per customer: {t_each:8.1f} CPU-s  ({t_each / len(rows) * 1000:.2f} ms per "
              f"organisation; bulk is {t_each / t_bulk:.2f}x faster; same matches: {same})")

    clear_caches()
    records = [e.record() for e in index.entities]
    c0 = time.process_time()
    for r in rows[: args.scan_sample]:
        query = declared_record(r.name, country=r.country)
        for rec in records:
            compare(query, rec, weights=index.weights)
    per = (time.process_time() - c0) / max(1, args.scan_sample)
    print(f"full scan:    {per * len(rows):8.0f} CPU-s  extrapolated ({per:.2f} CPU-s per "
          f"organisation over {args.scan_sample} organisations; "
          f"{per * len(rows) / t_bulk:,.0f}x the bulk pass)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
