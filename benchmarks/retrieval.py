"""Retrieval benchmark: build a large synthetic screening index, time queries, check top-1.

    .venv/bin/python benchmarks/retrieval.py [--entities 1000000] [--queries 2000] [--seed 7]

Synthetic entities have names in Latin, Chinese (simplified, some traditional), Russian and
Persian script, built from word pools with legal forms; about a third carry a second name
in another script or a transliteration, and a tenth carry an identifier. The real public
groups (shared/data/public-groups) are mixed in. Reported:

* build time and peak memory (RSS) of the index;
* query latency p50/p95/p99 over random synthetic queries (exact, typo, other-script
  and legal-form variants) and the real-entity queries;
* real-entity top-1: each public-group entity queried by its *other* names against the
  whole index, plus made-up organisations that must match nothing.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import string
import sys
import time
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

from ringfence.packaged import use_packaged_dictionaries
from ringfence.packaged.screening_eval import UNKNOWN
from ringfence.resolve import EntityNames, Record, ScreeningIndex, parse_id
from ringfence.resolve.ids import ParsedId

use_packaged_dictionaries()  # name screening's data, as the entry points hand it in

PUBLIC = Path(str(files("ringfence") / "data" / "public-groups"))

_LATIN_STEMS = [
    random.Random(i).choice("bcdfghjklmnprstvz")
    + "".join(random.Random(i + 1).choices("aeiou", k=1))
    + "".join(random.Random(i + 2).choices("bcdfghklmnprst", k=1))
    for i in range(300)
]
_LATIN_WORDS = [
    "Trading",
    "Industrial",
    "Shipping",
    "Energy",
    "Technology",
    "Holdings",
    "Investment",
    "Logistics",
    "Mining",
    "Steel",
    "Chemical",
    "Electronics",
    "Petroleum",
    "Agricultural",
    "Construction",
    "Pharmaceutical",
    "Marine",
    "Aviation",
    "Textile",
    "Machinery",
    "Bank",
    "Insurance",
    "Capital",
    "Development",
    "International",
    "Global",
    "Pacific",
    "Golden",
    "Star",
    "United",
    "Northern",
    "Eastern",
    "Ocean",
    "Silk",
    "Dragon",
    "Phoenix",
    "Crown",
]
_LATIN_FORMS = ["Co., Ltd.", "Limited", "LLC", "Inc.", "GmbH", "PJSC", "JSC", "Pte. Ltd.", "plc"]
_HAN_CHARS = (
    "华中国东方长城海天龙金信达通电子科技实业投资发展贸易能源化工钢铁机械航运银行保险"
    "集团控股新兴光明振兴宏远鑫盛泰安恒瑞博众联创智云数据网络医药生物材料建设工程"
)
_HAN_PLACES = ["北京", "上海", "深圳", "广州", "杭州", "天津", "重庆", "武汉", "成都", "南京"]
_HAN_FORMS = ["有限公司", "股份有限公司", "有限责任公司", "集团有限公司"]
_CYR_ROOTS = [
    "Газ",
    "Нефть",
    "Строй",
    "Транс",
    "Пром",
    "Энерго",
    "Мет",
    "Хим",
    "Агро",
    "Техно",
    "Рос",
    "Сиб",
    "Урал",
    "Волга",
    "Север",
    "Инвест",
    "Торг",
    "Маш",
    "Авто",
    "Телеком",
]
_CYR_FORMS = ["ООО", "ПАО", "АО", "ЗАО"]
_FA_WORDS = [
    "بانک",
    "صنایع",
    "پارس",
    "نفت",
    "گاز",
    "فولاد",
    "خودرو",
    "کشتیرانی",
    "پتروشیمی",
    "توسعه",
    "ملی",
    "ایران",
    "سپهر",
    "آریا",
    "کیان",
    "مهر",
    "نوین",
    "تجارت",
    "البرز",
    "زاگرس",
]
_FA_FORMS = ["", "سهامی خاص", "سهامی عام"]


def _latin_word(rng: random.Random) -> str:
    stem = rng.choice(_LATIN_STEMS) + rng.choice(_LATIN_STEMS)
    return stem.capitalize() + rng.choice(["", "tek", "ex", "ia", "on", "ar"])


def synth_entity(i: int, rng: random.Random) -> tuple[EntityNames, str]:
    """One synthetic entity and a query name for it (a variant, not always exact)."""
    kind = rng.random()
    names: list[str]
    if kind < 0.45:
        core = " ".join([_latin_word(rng), *rng.sample(_LATIN_WORDS, rng.randint(0, 2))])
        names = [f"{core} {rng.choice(_LATIN_FORMS)}"]
        country = rng.choice(["SG", "HK", "GB", "DE", "US", "AE", "CY"])
    elif kind < 0.7:
        core = "".join(rng.choices(_HAN_CHARS, k=rng.randint(2, 4)))
        place = rng.choice(_HAN_PLACES) if rng.random() < 0.5 else ""
        names = [f"{place}{core}{rng.choice(_HAN_FORMS)}"]
        country = "CN"
    elif kind < 0.9:
        core = rng.choice(_CYR_ROOTS) + rng.choice(_CYR_ROOTS).lower()
        names = [f"{rng.choice(_CYR_FORMS)} «{core}»"]
        country = "RU"
    else:
        words = rng.sample(_FA_WORDS, rng.randint(2, 3))
        names = [" ".join([*words, rng.choice(_FA_FORMS)]).strip()]
        country = "IR"
    if rng.random() < 0.33:
        names.append(f"{_latin_word(rng)} {rng.choice(_LATIN_WORDS)} {rng.choice(_LATIN_FORMS)}")
    ids: tuple[ParsedId, ...] = ()
    if rng.random() < 0.1:
        ids = (parse_id(f"reg_{country.lower()}", f"{i:09d}"),)
    query = names[0]
    r = rng.random()
    if r < 0.3 and query.isascii():  # one typo
        pos = rng.randrange(len(query))
        query = query[:pos] + rng.choice(string.ascii_lowercase) + query[pos + 1 :]
    elif r < 0.5 and len(names) > 1:
        query = names[1]
    return EntityNames(f"syn{i}", tuple(names), frozenset({country}), ids), query


def real_entities() -> tuple[list[EntityNames], list[tuple[str, str]]]:
    ents = list(csv.DictReader((PUBLIC / "entities.csv").open(encoding="utf-8")))
    names = list(csv.DictReader((PUBLIC / "names.csv").open(encoding="utf-8")))
    main = {e["id"]: e["name"] for e in ents}
    out = [
        EntityNames(
            e["id"], (e["name"],), frozenset(c for c in (e["hq_country"], e["jurisdiction"]) if c)
        )
        for e in ents
    ]
    queries = [(n["name"], n["entity"]) for n in names if n["name"] != main[n["entity"]]]
    return out, queries


NO_MATCH = [
    "Acme Widgets GmbH",
    "Sunrise Bakery LLC",
    "Nordic Timber AB",
    "Blue Lagoon Travel Ltd",
    "ООО «Лента»",
    "بانک آینده",
    "深圳市大疆创新科技有限公司",
    "Meridian Dental Clinic Pte. Ltd.",
]
# plus the real organisations absent from the public groups (the evaluation's negatives)
NO_MATCH += [n for n, _ in UNKNOWN if n not in NO_MATCH]


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entities", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2, help="processes analysing names")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    reals, real_queries = real_entities()
    queries: list[tuple[str, str]] = []

    def stream() -> Iterator[EntityNames]:
        yield from reals
        every = max(1, args.entities // args.queries)
        for i in range(args.entities):
            ent, q = synth_entity(i, rng)
            if i % every == 0:
                queries.append((q, ent.id))
            yield ent

    t0 = time.perf_counter()
    last = [t0]

    def progress(n: int) -> None:
        if time.perf_counter() - last[0] > 30:
            last[0] = time.perf_counter()
            print(f"  indexed {n:,} in {last[0] - t0:.0f}s", file=sys.stderr, flush=True)

    cpu0 = _cpu()
    index = ScreeningIndex.build(stream(), progress=progress, workers=args.workers)
    build = time.perf_counter() - t0
    build_cpu = _cpu() - cpu0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"index: {len(index):,} entities built in {build:.1f}s with {args.workers} "
        f"worker(s), {build_cpu:.0f} CPU-s in all processes (incl. generating the data), "
        f"peak RSS {rss_mb:,.0f} MB (main process)"
    )

    index.search(Record.of("warm up"))  # loads the dictionaries in this process
    lat: list[float] = []
    cpu: list[float] = []  # per-query CPU time of this thread: other load does not inflate it
    syn_hits = 0
    for q, want in queries:
        t, c = time.perf_counter(), time.thread_time()
        found = index.search(Record.of(q), limit=5)
        lat.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
        syn_hits += bool(found and found[0].entity_id == want)
    real_hits = 0
    for q, want in real_queries:
        t, c = time.perf_counter(), time.thread_time()
        found = index.search(Record.of(q), limit=5)
        lat.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
        real_hits += bool(found and found[0].entity_id == want)
    false_matches = 0
    for q in NO_MATCH:
        t, c = time.perf_counter(), time.thread_time()
        found = index.search(Record.of(q), limit=5)
        lat.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
        if any(c.match for c in found):
            false_matches += 1
            print(f"  false match: {q!r} -> {found[0].name!r} {found[0].score:.3f}")
    print(
        f"queries: {len(lat):,}; latency ms p50 {pct(lat, 0.5):.2f}  p95 {pct(lat, 0.95):.2f}"
        f"  p99 {pct(lat, 0.99):.2f}  max {max(lat):.1f}"
    )
    print(
        f"query CPU ms (thread time): p50 {pct(cpu, 0.5):.2f}  p95 {pct(cpu, 0.95):.2f}"
        f"  p99 {pct(cpu, 0.99):.2f}"
    )
    print(f"synthetic top-1: {syn_hits}/{len(queries)} ({syn_hits / max(1, len(queries)):.1%})")
    print(
        f"real-entity top-1 (other names, whole index): {real_hits}/{len(real_queries)} "
        f"({real_hits / max(1, len(real_queries)):.1%})"
    )
    print(f"made-up organisations matched: {false_matches}/{len(NO_MATCH)} (want 0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
