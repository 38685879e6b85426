"""Retrieval against a real-entity index with aliases, one name of each record held out.

    .venv/bin/python benchmarks/retrieval_real.py [--part dev|test] [--data /work/shared/data]
                                                  [--errors N] [--distractors N]
                                                  [--reuse-index FILE] [--no-rapidfuzz]

The records are those of ``benchmarks/real_pairs.py`` (its sources, cited there: the OFAC
consolidated enhanced XML and SDN CSV excerpt, the UK HM Treasury 2014 excerpt, the UN
Security Council consolidated list, GLEIF golden copy and API records and the BODS
statements built from GLEIF), split into dev and test by the same hash of the source
record id (``real_pairs.part_of``). Only the chosen part is used; ``test`` is for one final
run, never for tuning.

Per part:

* Records that list the same name (casefolded) are one organisation listed twice (OFAC
  and the UN, GLEIF and BODS): they form a group, and any record of the group is a right
  answer.
* One group in five (by a hash of its first record id) is left out of the index: its
  records are queried by a name and must match nothing (``absent``; a top candidate with
  ``match`` is a false match).
* Every other record is indexed with all its names and their kinds (primary = legal;
  list a.k.a. = alias, OFAC low-quality a.k.a. = weak_alias, f.k.a. and previous legal
  names = former, GLEIF transliterated names = transliteration, a list's name in another
  script = other), except one name held out at random (seeded by the record id) among
  its non-primary names; records with a single name are indexed whole and not queried.
* The index also holds ``--distractors`` synthetic entities (default 100,000, the
  generator of ``benchmarks/retrieval.py``, seed 7), so that word weights are those of a
  snapshot of realistic size rather than of a few hundred records.
* Each held-out name is a query, labelled with the kind ``real_pairs.py`` gives that
  pair (script / translit, list_alias / list_alias_other / abbrev, former_name).

Reported: top-1 (the first candidate is of the right group *and* matches at the default
threshold, *confidently*), right-first-but-below-threshold, top-5 (a right record among
the first five, matched or not), per kind, and the false matches of the absent queries.
``wrong``: the first candidate of a held-out query matches confidently and is another
record (an unrelated company denied); a flagged match of another record (below) is in
neither ``wrong`` nor ``review``.

A match flagged ``initials_ambiguous`` or ``registered_form_differs`` (read by
``ringfence.resolve.needs_review``; a bare acronym that spells several indexed
names' initials, or a full registered name inside a longer one; see
``resolve.gates.ambiguous_initials``) is what onboarding sends to review, not a confident
match; it is counted against ringfence both ways: a right first candidate
so flagged is *not* top-1 (column ``review``), and an absent record whose first
candidate is so flagged *is* counted among the absent records matched (and shown as
``review`` beside them): sending an unrelated company to review is still a false alarm.

For iterating on search-side rules, ``--distractors 0`` runs on the real records alone
(a few seconds, easier than the default: fewer acronym and Han collisions), and
``--reuse-index FILE`` pickles the built index to FILE and loads it on later runs
(delete the file when the index keys or the records change). ``--no-rapidfuzz`` skips
the baseline. Confirm a figure on the default run before quoting it.

Also reported: how many right-first-below-threshold queries, and how many absent records'
unmatched first candidates, carry the ``name_within`` flag (the candidate's whole name is
inside the query; not a match, see ``resolve.within.name_within``).

rapidfuzz's
``process.extractOne`` (``WRatio`` over every indexed name, its score cut at 90, chosen on
nothing) runs on the same queries in the same run as a plain string baseline.
"""

from __future__ import annotations

import argparse
import pickle
import random
import resource
import sys
import time
import zlib
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import real_pairs as rp
from alias_evidence import has_string_evidence
from rapidfuzz import fuzz, process
from retrieval import synth_entity

from ringfence.exc import InputError
from ringfence.packaged import use_packaged_dictionaries
from ringfence.resolve import (
    Candidate,
    EntityNames,
    Record,
    ScreeningIndex,
    needs_review,
    parse_id,
)

use_packaged_dictionaries()

# the index's name kinds (ringfence.resolve.kinds) for the kinds the sources give
INDEX_KIND = {"list_alias": "alias", "weak_alias": "weak_alias", "former_name": "former",
              "translit": "transliteration", "non_latin": "other"}
RAPIDFUZZ_CUT = 90


def load(data: Path) -> list[rp.Org]:
    orgs = rp.ofac_entities(data / "sanctions/ofac_xml/CONS_ENHANCED.ZIP")
    orgs += rp.sdn_csv_entities(data / "sanctions/ofac_sdn_csv/excerpt_2021-07")
    orgs += rp.uk_entities(data / "sanctions/uk_hmt/sanctionsconlist_2014-04-02_excerpt.csv")
    orgs += rp.un_entities(data / "sanctions/un_sc/UN_consolidated.xml")
    orgs += rp._unique(rp.gleif_entities(data / "gleif") + rp.bods_entities(
        [data / "bods/0.4-gleif-real-cc0", data / "bods/0.4-oo-published-gleif-cc0"]))
    return orgs


def names_of(org: rp.Org) -> list[tuple[str, str]]:
    """(name, source kind), primary first, each casefolded name once."""
    out: list[tuple[str, str]] = [(org.primary, "primary")]
    seen = {org.primary.casefold()}
    for kind, name in org.others:
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            out.append((name, kind))
    return out


def groups_of(orgs: list[rp.Org]) -> dict[str, str]:
    """Record id → its group's first record id (records sharing a casefolded name)."""
    parent = {o.rid: o.rid for o in orgs}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_name: dict[str, str] = {}
    for o in orgs:
        for name, _ in names_of(o):
            other = by_name.setdefault(name.casefold(), o.rid)
            a, b = find(other), find(o.rid)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {o.rid: find(o.rid) for o in orgs}


def pair_kind(name: str, kind: str, primary: str) -> str:
    """The label real_pairs.py gives the pair (held-out name, primary)."""
    if kind == "non_latin":
        return rp.script_or_translit(name, primary)
    if kind in ("list_alias", "weak_alias") and rp.is_acronym_of(name, primary):
        return "abbrev"
    if kind == "list_alias" and not has_string_evidence(name, primary,
                                                        frozenset(rp._FORM_WORDS)):
        return "list_alias_other"
    return kind


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _rapidfuzz_best(name: str, choices: list[str]) -> int | None:
    """The baseline's pick: the position of the indexed name WRatio puts first at
    ``RAPIDFUZZ_CUT`` or more (casefolded), None when there is none."""
    got = process.extractOne(name, choices, scorer=fuzz.WRatio,
                             processor=lambda s: s.casefold(), score_cutoff=RAPIDFUZZ_CUT)
    return int(got[2]) if got and got[1] >= RAPIDFUZZ_CUT else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", choices=("dev", "test"), default="dev")
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    ap.add_argument("--errors", type=int, default=0, help="print this many misses")
    ap.add_argument("--distractors", type=int, default=100_000,
                    help="synthetic entities of benchmarks/retrieval.py added to the index")
    ap.add_argument("--reuse-index", type=Path, default=None,
                    help="pickle the built index here and load it on later runs "
                         "(iteration only; delete it when keys change)")
    ap.add_argument("--no-rapidfuzz", action="store_true", help="skip the baseline")
    args = ap.parse_args(argv)
    orgs = [o for o in load(args.data) if rp.part_of(o.rid) == args.part]
    group = groups_of(orgs)
    absent_groups = {g for g in set(group.values()) if zlib.crc32(g.encode()) % 5 == 0}
    entities: list[EntityNames] = []
    queries: list[tuple[str, str, str]] = []  # (name, kind, record id)
    absent: list[tuple[str, str]] = []  # (name, record id)
    for org in orgs:
        named = names_of(org)
        rng = random.Random(f"retrieval:{org.rid}")
        if group[org.rid] in absent_groups:
            absent.append((rng.choice(named)[0], org.rid))
            continue
        held = rng.randrange(1, len(named)) if len(named) > 1 else 0
        if held:
            name, kind = named[held]
            queries.append((name, pair_kind(name, kind, org.primary), org.rid))
        keep = [(n, "legal" if k == "primary" else INDEX_KIND.get(k, "alias"))
                for i, (n, k) in enumerate(named) if i != held or not held]
        ids = []
        for scheme, value in org.ids:
            try:
                ids.append(parse_id(scheme, value))
            except InputError:
                continue
        entities.append(EntityNames.with_kinds(org.rid, keep, ids=tuple(ids)))
    print(f"part {args.part}: {len(orgs)} records in {len(set(group.values()))} groups; "
          f"indexed {len(entities)}, {sum(len(e.names) for e in entities)} names; "
          f"{len(queries)} held-out queries, {len(absent)} queries of absent records; "
          f"{args.distractors:,} synthetic distractors")
    drng = random.Random(7)
    distractors = [synth_entity(i, drng)[0] for i in range(args.distractors)]
    c0, t0 = _cpu(), time.perf_counter()
    if args.reuse_index and args.reuse_index.exists():
        with args.reuse_index.open("rb") as fh:
            index = pickle.load(fh)  # our own file, written below
        print(f"index loaded from {args.reuse_index} in {time.perf_counter() - t0:.1f}s")
    else:
        index = ScreeningIndex.build([*entities, *distractors], workers=2)
        print(f"index built in {time.perf_counter() - t0:.1f}s ({_cpu() - c0:.1f} CPU-s)")
        if args.reuse_index:
            with args.reuse_index.open("wb") as fh:
                pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)

    flat = [(n, e.id) for e in (*entities, *distractors) for n in e.names]
    choices = [n for n, _ in flat]
    per: dict[str, Counter[str]] = {}
    misses: list[str] = []
    c0, t0 = _cpu(), time.perf_counter()
    for name, kind, rid in queries:
        found = index.search(Record.of(name), limit=5)
        right = [group.get(c.entity_id) == group[rid] for c in found]
        tally = per.setdefault(kind, Counter())
        tally["n"] += 1
        flagged = bool(found) and found[0].match and needs_review(found[0].explanation)
        confident = bool(right and right[0] and found[0].match and not flagged)
        if confident:
            tally["top1"] += 1
        elif right and right[0] and found[0].match:
            tally["review"] += 1
        elif found and found[0].match and not flagged:
            tally["wrong"] += 1  # another record matched confidently
        elif right and right[0]:
            tally["first_unmatched"] += 1
            tally["within"] += _within_flag(found[0])
        if any(right):
            tally["top5"] += 1
        if not confident:
            best = (f"{found[0].name!r} {found[0].score:.2f} "
                    f"{_verdict(found[0])}") if found else "nothing"
            want = next(e.names[0] for e in entities if e.id == rid)
            rank = next((f"#{i + 1} {found[i].score:.2f}" for i, r in enumerate(right) if r),
                        "not in top 5")
            misses.append(f"  [{kind}] {name!r} (of {want!r}, {rid}): got {best}; "
                          f"right: {rank}")
        if args.no_rapidfuzz:
            continue
        got = _rapidfuzz_best(name, choices)
        if got is not None and group.get(flat[got][1]) == group[rid]:
            tally["rf_top1"] += 1
    false_rf = 0
    false: list[str] = []
    false_review = 0
    absent_within: list[str] = []
    for name, rid in absent:
        found = index.search(Record.of(name), limit=1)
        if found and not found[0].match and _within_flag(found[0]):
            absent_within.append(f"  absent {name!r} ({rid}) -> {found[0].name!r} "
                                 f"{found[0].score:.2f} flagged name_within")
        if found and found[0].match:
            false_review += needs_review(found[0].explanation)
            false.append(f"  absent {name!r} ({rid}) -> {found[0].name!r} {found[0].score:.2f}"
                         f" {_verdict(found[0])}")
        if args.no_rapidfuzz:
            continue
        false_rf += _rapidfuzz_best(name, choices) is not None
    spent, wall = _cpu() - c0, time.perf_counter() - t0
    print(f"{len(queries) + len(absent)} queries (both matchers) in {wall:.1f}s, "
          f"{spent:.1f} CPU-s")
    print(f"{'kind':<18} {'n':>4} {'top-1':>11} {'review':>6} {'wrong':>5} {'1st<thr':>7} "
          f"{'top-5':>11} {'rapidfuzz':>11}")
    total: Counter[str] = Counter()
    for kind in sorted(per):
        t = per[kind]
        total.update(t)
        print(f"{kind:<18} {t['n']:>4} {_frac(t['top1'], t['n']):>11} {t['review']:>6} "
              f"{t['wrong']:>5} {t['first_unmatched']:>7} {_frac(t['top5'], t['n']):>11} "
              f"{_frac(t['rf_top1'], t['n']):>11}")
    print(f"{'all':<18} {total['n']:>4} {_frac(total['top1'], total['n']):>11} "
          f"{total['review']:>6} {total['wrong']:>5} {total['first_unmatched']:>7} "
          f"{_frac(total['top5'], total['n']):>11} {_frac(total['rf_top1'], total['n']):>11}")
    print(f"absent records matched: ringfence {len(false)}/{len(absent)} "
          f"(of which review, needs_review: {false_review}), "
          f"rapidfuzz {false_rf}/{len(absent)} (want 0)")
    for line in false:
        print(line)
    print(f"right first below the threshold, flagged name_within: {total['within']}; "
          f"absent records whose unmatched first candidate is so flagged: "
          f"{len(absent_within)}/{len(absent)}")
    for line in absent_within:
        print(line)
    for line in misses[: args.errors]:
        print(line)
    return 0


def _within_flag(c: Candidate) -> bool:
    """The candidate's whole name is inside the query (``resolve.within.name_within``)."""
    return bool(c.explanation) and c.explanation[0].feature == "name_within"


def _verdict(c: Candidate) -> str:
    if not c.match:
        return "no match"
    return "review" if needs_review(c.explanation) else "match"


def _frac(k: int, n: int) -> str:
    return f"{k}/{n} {k / max(n, 1):.2f}"


if __name__ == "__main__":
    sys.exit(main())
