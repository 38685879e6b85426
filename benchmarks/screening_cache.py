"""Screening index on one snapshot: cold build vs warm load, and one CLI query cold vs warm.

    .venv/bin/python benchmarks/screening_cache.py [--entities 200000] [--seed 7] [--keep DIR]
    .venv/bin/python benchmarks/screening_cache.py --snapshot PATH

Without ``--snapshot`` a synthetic snapshot is written first: the retrieval benchmark's
entities (Latin 45%, Chinese 25%, Russian 20%, Persian 10%; a third with a second name in
another script, a tenth with a register number) plus every name and identifier of the real
public groups, no holdings. It goes in a temporary folder unless ``--keep DIR``.

Reported, side by side, on the same snapshot:

* in this process: ``cli.screen.load_index`` with no cache (reads the tables, builds the
  index, saves it in ``cache/screening``: what every ``screen`` call paid before) vs
  ``snapshot.screenindex.load_index`` of the saved arrays; the save alone; the folder's
  size; and that both indexes give identical answers (candidates, scores, evidence)
  on sample queries;
* the CLI in new processes: ``ringfence screen SNAP --name Q --json`` with no cache (cold:
  builds and saves), then again (warm: loads), wall and CPU time; a Chinese query warm
  (it still imports ToJyutping to read the query itself); ``ringfence screen --help``.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from ringfence.model import Entity, EntityType, Identifier, Name
from ringfence.packaged import use_packaged_dictionaries
from ringfence.packaged.screening_eval import public_entities
from ringfence.resolve import Record, ScreeningIndex
from ringfence.snapshot import SnapshotWriter, open_snapshot
from ringfence.snapshot.publish import publish_folder
from ringfence.snapshot.screenindex import load_index, save_index

use_packaged_dictionaries()  # name screening's data, as the entry points hand it in

HERE = Path(__file__).resolve().parent


def _retrieval() -> object:
    spec = importlib.util.spec_from_file_location("retrieval", HERE / "retrieval.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _entities(n: int, seed: int, queries: list[str]) -> Iterator[Entity]:
    ents, names, ids = public_entities()
    for e in ents:
        yield Entity(
            id=e["id"],
            type=EntityType(e["type"]),
            name=e["name"],
            hq_country=e["hq_country"],
            jurisdiction=e["jurisdiction"],
            names=tuple(Name(v, kind="alias") for v in names[e["id"]][1:]),
            identifiers=tuple(Identifier(s, v) for s, v in ids.get(e["id"], [])),
        )
    synth = _retrieval().synth_entity  # type: ignore[attr-defined]
    rng = random.Random(seed)
    every = max(1, n // 200)
    for i in range(n):
        ent, query = synth(i, rng)
        if i % every == 0:
            queries.append(query)
        yield Entity(
            id=ent.id,
            type=EntityType.COMPANY,
            name=ent.names[0],
            hq_country=min(ent.countries),
            names=tuple(Name(v, kind="alias") for v in ent.names[1:]),
            identifiers=tuple(Identifier(p.scheme, p.raw) for p in ent.ids),
        )


def write_snapshot(out: Path, n: int, seed: int) -> list[str]:
    queries: list[str] = []
    with SnapshotWriter(out, replace=True) as w:
        w.add_entities(_entities(n, seed, queries))
        w.publish()
    return queries


def _cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _cli(args: list[str]) -> tuple[float, float, str]:
    exe = Path(sys.executable).parent / "ringfence"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "ringfence.cli.main"]
    t, c = time.perf_counter(), _cpu_children()
    proc = subprocess.run([*cmd, *args], capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - t, _cpu_children() - c
    if proc.returncode != 0:
        raise SystemExit(f"ringfence {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return wall, cpu, proc.stdout


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entities", type=int, default=200_000, help="synthetic entities")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--snapshot", type=Path, help="use this snapshot instead")
    ap.add_argument("--keep", type=Path, help="write the synthetic snapshot here and keep it")
    ap.add_argument("--name", default="Huawei Technologies", help="the CLI query")
    ap.add_argument("--han-name", default="华为技术有限公司", help="a Chinese CLI query")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="screening-cache-"))
    try:
        queries: list[str] = []
        if args.snapshot:
            snap_path = args.snapshot
        else:
            snap_path = args.keep or tmp / "snap"
            t = time.perf_counter()
            queries = write_snapshot(snap_path, args.entities, args.seed)
            print(
                f"snapshot: {args.entities:,} synthetic + public groups written in "
                f"{time.perf_counter() - t:.1f}s"
            )
        snap = open_snapshot(snap_path)
        folder = snap.root / "cache" / "screening"
        queries = [*queries, args.name, args.han_name, "Bank Mellat", "ПАО «НК «Роснефть»"]

        from ringfence.cli.screen import load_index as cli_load_index

        shutil.rmtree(folder, ignore_errors=True)
        t, c = time.perf_counter(), _cpu_self()
        built = cli_load_index(snap_path)  # no cache: read tables, build, save
        cold, cold_cpu = time.perf_counter() - t, _cpu_self() - c
        t = time.perf_counter()
        save_index(built, tmp / "again", snapshot_id=snap.id, publish=publish_folder)
        save = time.perf_counter() - t
        t, c = time.perf_counter(), _cpu_self()
        loaded = load_index(folder, snapshot_id=snap.id)
        warm, warm_cpu = time.perf_counter() - t, _cpu_self() - c
        print(f"index: {len(built):,} entities, cache folder {_size(folder) / 1e6:,.1f} MB")
        print(
            f"  cold (read tables, build, save): {cold:8.2f} s wall {cold_cpu:8.2f} CPU-s"
            f"  (of which save {save:.2f} s)"
        )
        print(f"  warm (load saved arrays):        {warm:8.2f} s wall {warm_cpu:8.2f} CPU-s")
        print(
            f"  cold / warm: {cold / warm:,.0f}x wall, {cold_cpu / max(warm_cpu, 1e-9):,.0f}x CPU"
        )

        def answers(index: ScreeningIndex, q: str) -> list[tuple[object, ...]]:
            return [
                (c.entity_id, c.score, c.match, c.explanation)
                for c in index.search(Record.of(q), limit=5)
            ]

        same = sum(answers(built, q) == answers(loaded, q) for q in queries)
        print(f"  identical answers, built vs loaded: {same}/{len(queries)} queries")
        del built, loaded

        shutil.rmtree(folder, ignore_errors=True)
        query = ["screen", str(snap_path), "--name", args.name, "--json"]
        print(f"CLI `ringfence screen SNAP --name {args.name!r} --json`, new process each:")
        cold_wall, cold_cpu, cold_out = _cli(query)
        print(f"  cold (builds, saves): {cold_wall:8.2f} s wall {cold_cpu:8.2f} CPU-s", flush=True)
        warm_wall, warm_cpu, warm_out = _cli(query)
        print(f"  warm (loads):         {warm_wall:8.2f} s wall {warm_cpu:8.2f} CPU-s")
        print(
            f"  cold / warm: {cold_wall / warm_wall:,.1f}x wall, {cold_cpu / warm_cpu:,.1f}x CPU;"
            f" same output: {cold_out == warm_out}",
            flush=True,
        )
        han_wall, han_cpu, _ = _cli(["screen", str(snap_path), "--name", args.han_name, "--json"])
        print(f"  warm, Chinese query {args.han_name}: {han_wall:.2f} s wall {han_cpu:.2f} CPU-s")
        help_wall, help_cpu, _ = _cli(["screen", "--help"])
        print(f"  `ringfence screen --help`: {help_wall:.2f} s wall {help_cpu:.2f} CPU-s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
