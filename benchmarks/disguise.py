"""Adversarial screening benchmark: disguised names of the demo's restricted companies.

    .venv/bin/python benchmarks/disguise.py [--seeds 3] [--json OUT] [--errors]

The bundled public-groups data is ingested as a snapshot and attributed under the default
policy; every name (legal, other-script, alias) of every *restricted* company is disguised
in each way ``ringfence.resolve.adversarial.KINDS`` knows (invisible and bidi characters,
variation selectors, tag and control characters, Cyrillic/Greek homoglyphs, digit
look-alikes, full width, split/joined/hyphenated words, diacritics, combining marks, case)
with several seeds, and screened against the index of the whole snapshot. A disguised
query is *resolved* when the top candidate is its entity and matches. Only names whose
undisguised form resolves are counted (the others measure something else; their number is
printed). The negatives of ``ringfence.packaged.screening_eval`` (real organisations absent from
the data, generated look-alike subsidiaries) are screened in the same run: their false
matches must not rise.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from ringfence.packaged import use_packaged_dictionaries
from ringfence.packaged.screening_eval import folds, public_entities, public_groups_dir
from ringfence.resolve import EntityNames, Record, ScreeningIndex
from ringfence.resolve.adversarial import KINDS, disguise

use_packaged_dictionaries()  # name screening's data, as the entry points hand it in

def restricted_companies() -> set[str]:
    from ringfence.engines.local import evaluate
    from ringfence.ingest.run import ingest_csv
    from ringfence.policy import DEFAULT_POLICY

    d = public_groups_dir()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "snap"
        ingest_csv(entities=d / "entities.csv", holdings=d / "holdings.csv",
                   names=d / "names.csv", identifiers=d / "identifiers.csv", out=out)
        book = evaluate(out, DEFAULT_POLICY)
        return {v.entity for v in book.items() if v.verdict == "restricted"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--errors", action="store_true", help="print unresolved queries")
    args = ap.parse_args(argv)

    ents, names, _ids = public_entities()
    types = {e["id"]: e["type"] for e in ents}
    restricted = sorted(e for e in restricted_companies() if types.get(e) == "company")
    index = ScreeningIndex.build(
        EntityNames(e["id"], tuple(names[e["id"]]), frozenset({e["hq_country"]} - {""}))
        for e in ents
    )

    def top(name: str) -> str:
        found = index.search(Record.of(name), limit=1)
        return found[0].entity_id if found and found[0].match else ""

    base_ok = [(e, n) for e in restricted for n in names[e] if top(n) == e]
    base_total = sum(len(names[e]) for e in restricted)
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    errors: list[tuple[str, str, str, str]] = []
    t0 = time.perf_counter()
    for kind in KINDS:
        seen: set[str] = set()
        for seed in range(args.seeds):
            for e, n in base_ok:
                q = disguise(n, kind, seed)
                if q == n or q in seen:
                    continue
                seen.add(q)
                got = top(q)
                per_kind[kind][0] += got == e
                per_kind[kind][1] += 1
                if got != e:
                    errors.append((kind, e, q, got))
    elapsed = time.perf_counter() - t0
    _, queries = folds()
    negatives = [q for q in queries if not q.want and q.fold == 0]
    false = [(q.name, got) for q in negatives if (got := top(q.name))]
    ok = sum(v[0] for v in per_kind.values())
    total = sum(v[1] for v in per_kind.values())
    print(f"restricted companies: {len(restricted)}; their names resolving undisguised: "
          f"{len(base_ok)} of {base_total}")
    print(f"{'kind':<20}{'resolved':>10}{'total':>8}{'rate':>8}")
    for kind, (c, n) in per_kind.items():
        print(f"{kind:<20}{c:>10}{n:>8}{c / max(n, 1):>8.3f}")
    print(f"{'all':<20}{ok:>10}{total:>8}{ok / max(total, 1):>8.3f}")
    print(f"negatives falsely matched: {len(false)} of {len(negatives)}")
    print(f"{total} disguised queries in {elapsed:.1f} s")
    if args.errors:
        for kind, e, q, got in errors:
            print(f"  {kind}: {e}: {q!r} -> {got or '-'}")
        for name, got in false:
            print(f"  negative {name!r} -> {got}")
    if args.json:
        out: dict[str, Any] = {
            "restricted": len(restricted),
            "names_resolving": len(base_ok),
            "names_total": base_total,
            "per_kind": {k: {"resolved": c, "total": n} for k, (c, n) in per_kind.items()},
            "resolved": ok,
            "total": total,
            "negatives_false": len(false),
            "negatives": len(negatives),
        }
        args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
