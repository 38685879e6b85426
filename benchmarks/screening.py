"""Name-pair screening benchmark: ringfence vs nomenklatura logic-v2 vs rapidfuzz.

    .venv/bin/python benchmarks/screening.py [PAIRS.jsonl] [--json OUT] [--errors]

Each line of PAIRS.jsonl is ``{"a": {...}, "b": {...}, "match": bool, "kind": str}``.
Reports precision, recall, F1, MCC and accuracy per kind for every matcher in the same run,
and pairs per second on one core. Trade names, former names and list aliases without
string evidence (``list_alias_other``, labelled by ``benchmarks/alias_evidence.py`` from the
two names alone) carry no string evidence, so the figures are given with and without them
("no tr/fo/ot"), and, as they were pooled before ``list_alias_other`` existed, without
trade and former names only ("no tr/fo").

Peers, at their own defaults: nomenklatura ``logic-v2`` (yente's "best" algorithm, match at
0.70) on FollowTheMoney Company entities with name, jurisdiction and the typed identifier
property; rapidfuzz ``token_set_ratio`` on casefolded names, match at 85. Peers are skipped
with a note when not installed (``pip install -e .[bench]``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ringfence.packaged import use_packaged_dictionaries

use_packaged_dictionaries()  # name screening's data, as the entry points hand it in

DEFAULT_PAIRS = (
    Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "names-visible.jsonl"
)
NO_STRING_EVIDENCE = ("trade_name", "former_name", "list_alias_other")
RENAMED = ("trade_name", "former_name")  # the pooling before list_alias_other

Matcher = Callable[[dict[str, Any], dict[str, Any]], bool]


def _ringfence() -> tuple[Matcher, Callable[[], None]]:
    from ringfence.resolve import Record, compare, parse_id

    def rec(side: dict[str, Any]) -> Record:
        ids = []
        if side.get("id_scheme") and side.get("id"):
            ids.append(parse_id(side["id_scheme"], side["id"]))
        return Record.of(side["name"], country=side.get("country"), ids=ids)

    def match(a: dict[str, Any], b: dict[str, Any]) -> bool:
        return compare(rec(a), rec(b)).match

    def reset() -> None:
        from ringfence.resolve import clear_caches

        clear_caches()

    return match, reset


_FTM_ID_PROP = {
    "lei": "leiCode",
    "ru_inn": "innCode",
    "ru_ogrn": "ogrnCode",
    "bic": "swiftBic",
    "cn_uscc": "uscCode",
}


def _nomenklatura() -> tuple[Matcher, Callable[[], None]] | None:
    try:
        from followthemoney import model
        from nomenklatura.matching import get_algorithm
        from nomenklatura.matching.types import ScoringConfig
    except ImportError:
        return None
    algo = get_algorithm("logic-v2")
    if algo is None:
        return None
    config = ScoringConfig.defaults()
    counter = iter(range(1 << 30))

    def ent(side: dict[str, Any]) -> Any:
        e = model.make_entity("Company")
        e.id = f"e{next(counter)}"
        e.add("name", side["name"])
        if side.get("country"):
            e.add("jurisdiction", side["country"])
        if side.get("id"):
            prop = _FTM_ID_PROP.get(side.get("id_scheme", ""), "registrationNumber")
            e.add(prop, side["id"])
            if prop != "registrationNumber":
                e.add("registrationNumber", side["id"])
        return e

    def match(a: dict[str, Any], b: dict[str, Any]) -> bool:
        return bool(algo.compare(ent(a), ent(b), config).score >= 0.7)

    return match, lambda: None


def _rapidfuzz() -> tuple[Matcher, Callable[[], None]] | None:
    try:
        from rapidfuzz import fuzz
    except ImportError:
        return None

    def match(a: dict[str, Any], b: dict[str, Any]) -> bool:
        return bool(fuzz.token_set_ratio(a["name"].casefold(), b["name"].casefold()) >= 85)

    return match, lambda: None


def metrics(rows: list[tuple[bool, bool]]) -> dict[str, float]:
    tp = sum(1 for y, p in rows if y and p)
    tn = sum(1 for y, p in rows if not y and not p)
    fp = sum(1 for y, p in rows if not y and p)
    fn = sum(1 for y, p in rows if y and not p)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    den = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    mcc = (tp * tn - fp * fn) / den if den else 0.0
    return {
        "n": len(rows),
        "precision": prec,
        "recall": rec,
        "f1": f1,
        "mcc": mcc,
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
    }


def run(
    pairs: list[dict[str, Any]], name: str, matcher: Matcher, reset: Callable[[], None]
) -> dict[str, Any]:
    reset()
    t0 = time.process_time()
    preds = [matcher(p["a"], p["b"]) for p in pairs]
    cold = time.process_time() - t0
    # Warm: normalised forms cached, as when screening against a loaded snapshot.
    rounds = 0
    t1 = time.process_time()
    while time.process_time() - t1 < 1.0 or rounds < 2:
        for p in pairs:
            matcher(p["a"], p["b"])
        rounds += 1
    warm = (time.process_time() - t1) / rounds
    by_kind: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for p, pred in zip(pairs, preds, strict=True):
        by_kind[p["kind"]].append((bool(p["match"]), pred))
    allrows = [r for rows in by_kind.values() for r in rows]
    core = [r for k, rows in by_kind.items() if k not in NO_STRING_EVIDENCE for r in rows]
    old = [r for k, rows in by_kind.items() if k not in RENAMED for r in rows]
    return {
        "matcher": name,
        "overall": metrics(allrows),
        "without_trade_former": metrics(old),
        "string_evidence": metrics(core),
        "per_kind": {
            k: sum(y == p for y, p in rows) / len(rows) for k, rows in sorted(by_kind.items())
        },
        "pairs_per_s_cold": len(pairs) / cold if cold else 0.0,
        "pairs_per_s_warm": len(pairs) / warm if warm else 0.0,
        "predictions": preds,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pairs", nargs="?", type=Path, default=DEFAULT_PAIRS)
    ap.add_argument("--json", type=Path, help="write the full results here")
    ap.add_argument("--errors", action="store_true", help="list ringfence's wrong answers")
    args = ap.parse_args(argv)
    pairs = [json.loads(line) for line in args.pairs.read_text().splitlines() if line.strip()]
    matchers: list[tuple[str, tuple[Matcher, Callable[[], None]] | None]] = [
        ("ringfence", _ringfence()),
        ("nomenklatura logic-v2", _nomenklatura()),
        ("rapidfuzz token_set_ratio", _rapidfuzz()),
    ]
    results = []
    for name, m in matchers:
        if m is None:
            print(f"# {name}: not installed, skipped (pip install -e .[bench])")
            continue
        results.append(run(pairs, name, *m))
    print(f"pairs: {len(pairs)} from {args.pairs}")
    hdr = f"{'matcher':28} {'set':11} {'P':>6} {'R':>6} {'F1':>6} {'MCC':>6}"
    print(hdr)
    for r in results:
        for label, key in (
            ("all", "overall"),
            ("no tr/fo", "without_trade_former"),
            ("no tr/fo/ot", "string_evidence"),
        ):
            m = r[key]
            print(
                f"{r['matcher']:28} {label:11} {m['precision']:6.3f} {m['recall']:6.3f} "
                f"{m['f1']:6.3f} {m['mcc']:6.3f}"
            )
    kinds = sorted(results[0]["per_kind"]) if results else []
    print("\naccuracy per kind")
    print(f"{'kind':28}" + "".join(f" {r['matcher'][:14]:>14}" for r in results))
    for k in kinds:
        n = sum(1 for p in pairs if p["kind"] == k)
        print(f"{k + f' ({n})':28}" + "".join(f" {r['per_kind'][k]:14.3f}" for r in results))
    print("\npairs per CPU-second (one core; process time, so other load does not skew it)")
    for r in results:
        print(
            f"{r['matcher']:28} cold {r['pairs_per_s_cold']:10.0f}   "
            f"warm {r['pairs_per_s_warm']:10.0f}"
        )
    if args.errors and results:
        print("\nringfence errors")
        for p, pred in zip(pairs, results[0]["predictions"], strict=True):
            if pred != p["match"]:
                print(
                    f"  {p['kind']:26} want={p['match']!s:5} {p['a']['name']!r} ~ "
                    f"{p['b']['name']!r}"
                )
    if args.json:
        for r in results:
            r.pop("predictions")
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
