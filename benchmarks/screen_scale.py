"""Screening at scale (issue 14 item 6): a synthetic snapshot's index built and saved by the
command path, query latency on the saved index against a rapidfuzz brute force, and a
batch ``ringfence screen --input/--output`` of many declared organisations.

    .venv/bin/python -u benchmarks/screen_scale.py --entities 1000000 --batch 100000 \\
        [--keep DIR | --snapshot DIR] [--latency 2000] [--brute 30] \\
        [--against COMMIT [--other-first]] [--steps build,latency,batch] [--rounds 1] [--dump DIR]

Each heavy step runs in its own process under ``/usr/bin/time -v`` (wall, user+sys CPU of
the process and its workers, peak RSS):

1. the snapshot is written (the retrieval benchmark's synthetic entities plus the public
   groups, as ``benchmarks/screening_cache.py`` writes it), unless ``--snapshot``;
2. ``build``: ``snapshot.screening.screening_index(snap, parallel=True)`` with no cache,
   what the first ``ringfence screen`` on a snapshot does (one forked worker per core,
   at most 4, then the arrays saved in ``cache/screening``);
3. ``latency``: the saved index loaded, then single-threaded queries (exact, one-typo,
   other-script names of synthetic entities, the public groups' other names, made-up
   organisations): wall and thread CPU per query; beside it, on the first ``--brute``
   queries, rapidfuzz ``process.extract`` (``token_set_ratio``, names pre-processed once)
   over every indexed name, the brute force a screening index replaces;
4. ``batch``: ``ringfence screen SNAP --input orgs.csv --output results.csv`` on
   ``--batch`` rows drawn the same way (its progress bar goes to stderr).

With ``--against COMMIT`` (or a folder holding an earlier tree's ``src``), every step also
runs on that commit's code (``git archive COMMIT src``, put first on ``PYTHONPATH``), this
tree first, then the other, alternating ``--rounds`` times for the latency step, each in a
fresh process on the same queries; the other code reads a copy of the snapshot (its tables
hard-linked, its own ``cache/screening``: the saved index is stamped with the analysis
code). ``--steps`` picks the steps (an existing ``--snapshot`` whose index is saved needs
no ``build``); ``--dump DIR`` writes each latency run's candidates (entity, score, match,
evidence) as JSON lines, for a same-results check between two codes.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _module(name: str) -> object:
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _timed(args: list[str], label: str, src: Path | None = None, *,
           stderr: Path | None = None) -> dict[str, float]:
    """Run ``args`` under /usr/bin/time -v (``src`` first on ``PYTHONPATH``); wall s, CPU s
    (user+sys), peak RSS MB. With ``stderr``, the command's stderr goes to that file as a
    terminal would get it (rich's live progress bar drawn, not only its last frame)."""
    env = dict(os.environ, **({"PYTHONPATH": str(src)} if src else {}))
    if stderr:
        env.update(TTY_COMPATIBLE="1", TTY_INTERACTIVE="1", COLUMNS="100")
    with open("/proc/loadavg") as fh:
        load0 = fh.read().split()[0]
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out, \
            open(stderr or os.devnull, "w") as err:
        proc = subprocess.run(["/usr/bin/time", "-v", "-o", out.name, *args], check=False,
                              env=env, stderr=err if stderr else None)
        text = Path(out.name).read_text()
    if proc.returncode != 0:
        raise SystemExit(f"{label} failed ({proc.returncode})")

    def field(pattern: str) -> str:
        m = re.search(pattern, text)
        assert m, pattern
        return m.group(1)

    h, _, rest = field(r"Elapsed \(wall clock\) time.*: (\S+)").rpartition(":")
    parts = [float(x) for x in (h.split(":") if h else [])] + [float(rest)]
    wall = sum(v * 60 ** (len(parts) - 1 - i) for i, v in enumerate(parts))
    cpu = float(field(r"User time \(seconds\): (\S+)")) + float(
        field(r"System time \(seconds\): (\S+)"))
    rss = float(field(r"Maximum resident set size \(kbytes\): (\d+)")) / 1024
    with open("/proc/loadavg") as fh:
        load = fh.read().split()[0]
    print(f"{label}: {wall:.1f} s wall, {cpu:.1f} CPU-s (user+sys, with workers), "
          f"peak RSS {rss:,.0f} MB, load average {load0} at the start, {load} at the end",
          flush=True)
    return {"wall": wall, "cpu": cpu, "rss_mb": rss}


def _progress_frames(path: Path, shown: int = 8) -> None:
    """Print ``shown`` frames of the progress bar drawn in ``path``, evenly spaced, and
    the last."""
    text = path.read_text(encoding="utf-8", errors="replace")
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)  # colours, line erases
    frames = [f.strip() for f in re.split(r"[\r\n]", text)]
    frames = [f for i, f in enumerate(frames) if f.startswith("screening")
              and (i == 0 or f != frames[i - 1])]
    if not frames:
        print("  (no progress bar drawn)", flush=True)
        return
    step = max(1, len(frames) // shown)
    for f in [*frames[::step][:shown], frames[-1]]:
        print(f"  | {f}", flush=True)


def _queries(n_entities: int, count: int, seed: int) -> list[tuple[str, str]]:
    """(query name, expected entity id or "") drawn like the retrieval benchmark's: every
    k-th synthetic entity's query variant, plus the public groups' other names and the
    made-up organisations, cycled to ``count``."""
    retrieval = _module("retrieval")
    rng = random.Random(seed)
    every = max(1, n_entities // max(1, count))
    out: list[tuple[str, str]] = []
    for i in range(n_entities):
        ent, query = retrieval.synth_entity(i, rng)  # type: ignore[attr-defined]
        if i % every == 0:
            out.append((query, ent.id))
    _, real = retrieval.real_entities()  # type: ignore[attr-defined]
    extra = [(q, want) for q, want in real] + [(q, "") for q in retrieval.NO_MATCH]  # type: ignore[attr-defined]
    out = out[: max(0, count - len(extra))] + extra
    return out[:count]


def _build(snap: str) -> None:
    from ringfence.packaged import use_packaged_dictionaries
    from ringfence.snapshot import open_snapshot
    from ringfence.snapshot.screening import screening_index

    use_packaged_dictionaries()
    t = time.perf_counter()
    index = screening_index(open_snapshot(snap), parallel=True)
    me, kids = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                     resource.RUSAGE_CHILDREN))
    print(f"  index of {len(index):,} entities built and saved in "
          f"{time.perf_counter() - t:.1f} s (CPU: this process "
          f"{me.ru_utime + me.ru_stime:.1f} s, its workers {kids.ru_utime + kids.ru_stime:.1f} s)",
          flush=True)


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def _latency(snap: str, queries_json: str, brute: int, dump: str | None = None) -> None:
    from rapidfuzz import fuzz, process, utils

    import ringfence
    from ringfence.packaged import use_packaged_dictionaries
    from ringfence.resolve import Record
    from ringfence.snapshot import open_snapshot
    from ringfence.snapshot.screening import screening_index

    use_packaged_dictionaries()
    print(f"  code: {Path(ringfence.__file__).parent}", flush=True)
    t = time.perf_counter()
    index = screening_index(open_snapshot(snap))
    print(f"  saved index loaded in {time.perf_counter() - t:.2f} s", flush=True)
    queries = [tuple(q) for q in json.loads(Path(queries_json).read_text())]
    index.search(Record.of("warm up"))
    wall: list[float] = []
    cpu: list[float] = []
    hits = expected = false = 0
    out = open(dump, "w", encoding="utf-8") if dump else None  # noqa: SIM115
    for name, want in queries:
        t, c = time.perf_counter(), time.thread_time()
        found = index.search(Record.of(name), limit=5)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
        if out:
            out.write(json.dumps([name, [[k.entity_id, k.score, k.match, [
                [f.feature, f.score, f.a, f.b] for f in k.explanation]] for k in found]],
                ensure_ascii=False) + "\n")
        if want:
            expected += 1
            hits += bool(found and found[0].match and found[0].entity_id == want)
        else:
            false += any(c.match for c in found)
    print(f"  ringfence, {len(queries):,} queries: wall ms p50 {_pct(wall, .5):.2f} "
          f"p95 {_pct(wall, .95):.2f} p99 {_pct(wall, .99):.2f}; thread CPU ms p50 "
          f"{_pct(cpu, .5):.2f} p95 {_pct(cpu, .95):.2f} p99 {_pct(cpu, .99):.2f}", flush=True)
    print(f"  top-1 matched and right {hits}/{expected}; made-up organisations matched "
          f"{false}; thread CPU of all queries {sum(cpu) / 1000:.2f} s", flush=True)
    if out:
        out.close()
    if brute <= 0:
        return
    names: list[str] = []
    owners: list[str] = []
    for ent in index.entities:
        names.extend(ent.names)
        owners.extend([ent.id] * len(ent.names))
    t = time.perf_counter()
    choices = [utils.default_process(n) for n in names]
    print(f"  brute force: {len(choices):,} names pre-processed in "
          f"{time.perf_counter() - t:.1f} s", flush=True)
    bwall: list[float] = []
    bcpu: list[float] = []
    bhits = bexpected = 0
    sample = queries[:: max(1, len(queries) // brute)][:brute]
    for name, want in sample:
        t, c = time.perf_counter(), time.thread_time()
        best = process.extract(utils.default_process(name), choices, scorer=fuzz.token_set_ratio,
                               processor=None, limit=5)
        bwall.append((time.perf_counter() - t) * 1000)
        bcpu.append((time.thread_time() - c) * 1000)
        if want:
            bexpected += 1
            bhits += bool(best and best[0][1] >= 85 and owners[best[0][2]] == want)
    rw = [w for (q, _), w in zip(queries, cpu, strict=True) if (q, _) in sample]
    print(f"  rapidfuzz brute force, {len(sample)} queries: wall ms p50 {_pct(bwall, .5):.0f} "
          f"p95 {_pct(bwall, .95):.0f}; thread CPU ms p50 {_pct(bcpu, .5):.0f} p95 "
          f"{_pct(bcpu, .95):.0f}; top-1 >= 85 and right {bhits}/{bexpected}", flush=True)
    if rw:
        print(f"  same queries, ringfence thread CPU ms p50 {_pct(rw, .5):.2f} p95 "
              f"{_pct(rw, .95):.2f}: brute force / ringfence at p95 "
              f"{_pct(bcpu, .95) / max(_pct(rw, .95), 1e-9):.0f}x", flush=True)


def _other_src(against: str, work: Path) -> Path:
    """The ``src`` folder of ``against``: a folder as given, else a commit's, extracted."""
    if Path(against, "ringfence").is_dir():
        return Path(against)
    archive = subprocess.run(["git", "-C", str(HERE.parent), "archive", against, "src"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(work)], input=archive, check=True)
    return work / "src"


def _linked_copy(snap: Path, to: Path) -> Path:
    """``snap``'s tables and caches hard-linked into ``to`` (made once), without its saved
    screening index."""
    if not to.exists():
        shutil.copytree(snap, to, symlinks=True, copy_function=os.link,
                        ignore=shutil.ignore_patterns("screening", ".screening.versions"))
    return to


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entities", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=100_000, help="rows of the batch CSV (0: skip)")
    ap.add_argument("--latency", type=int, default=2000, help="single queries timed")
    ap.add_argument("--brute", type=int, default=30, help="queries given to the brute force")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--snapshot", type=Path, help="an existing snapshot")
    ap.add_argument("--keep", type=Path, help="write the synthetic snapshot here and keep it")
    ap.add_argument("--against", help="also run every step on this commit's (or folder's) src")
    ap.add_argument("--steps", default="build,latency,batch", help="comma-separated")
    ap.add_argument("--rounds", type=int, default=1, help="latency runs per code, alternating")
    ap.add_argument("--dump", type=Path, help="write each latency run's candidates here")
    ap.add_argument("--other-first", action="store_true", help="the --against code runs first")
    ap.add_argument("--step", choices=["build", "latency"], help=argparse.SUPPRESS)
    ap.add_argument("--queries-json", help=argparse.SUPPRESS)
    ap.add_argument("--dump-file", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.step == "build":
        _build(str(args.snapshot))
        return 0
    if args.step == "latency":
        _latency(str(args.snapshot), args.queries_json, args.brute, args.dump_file)
        return 0

    work = Path(tempfile.mkdtemp(prefix="screen-scale-"))
    snap = args.snapshot or args.keep or work / "snap"
    me = [sys.executable, "-u", str(Path(__file__).resolve())]
    steps = set(args.steps.split(","))
    if not args.snapshot:
        cache = _module("screening_cache")
        t = time.perf_counter()
        cache.write_snapshot(snap, args.entities, args.seed)  # type: ignore[attr-defined]
        print(f"snapshot: {args.entities:,} synthetic entities + public groups written in "
              f"{time.perf_counter() - t:.0f} s", flush=True)
    codes = [("this tree", HERE.parent / "src", snap)]
    if args.against:
        codes.append((args.against, _other_src(args.against, work),
                      _linked_copy(snap, Path(f"{snap}-against"))))
        if args.other_first:
            codes.reverse()
    build: dict[str, dict[str, float]] = {}
    if "build" in steps:
        for label, src, at in codes:
            shutil.rmtree(at / "cache" / "screening", ignore_errors=True)
            build[label] = _timed([*me, "--step", "build", "--snapshot", str(at)],
                                  f"build (cold, saved), {label}", src)
    if "latency" in steps:
        lat_q = work / "latency.json"
        lat_q.write_text(json.dumps(_queries(args.entities, args.latency, args.seed + 1)))
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
        for r in range(args.rounds):
            for k, (label, src, at) in enumerate(codes):
                dump = ["--dump-file", str(args.dump / f"latency-{k}-{r + 1}.jsonl")
                        ] if args.dump else []
                _timed([*me, "--step", "latency", "--snapshot", str(at), "--queries-json",
                        str(lat_q), "--brute", str(args.brute), *dump],
                       f"latency (load + queries + brute force), {label}, run {r + 1}", src)
    if args.batch and "batch" in steps:
        orgs = work / "orgs.csv"
        with orgs.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["name", "country", "id"])
            for name, _ in _queries(args.entities, args.batch, args.seed + 2):
                w.writerow([name, "", ""])
        exe = Path(sys.executable).parent / "ringfence"
        outputs: list[list[dict[str, str]]] = []
        for k, (label, src, at) in enumerate(codes):
            results = work / f"results-{k}.csv"
            shown = work / f"progress-{k}.txt"
            batch = _timed([str(exe), "screen", str(at), "--input", str(orgs), "--output",
                            str(results)], f"batch of {args.batch:,}, {label}", src,
                           stderr=shown)
            _progress_frames(shown)
            with results.open(encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
            outputs.append(rows)
            matched = sum(r["match"] == "true" for r in rows)
            print(f"  {len(rows):,} rows written ({results}), {matched:,} matched; "
                  f"{len(rows) / batch['wall']:.0f} rows/s wall, "
                  f"{len(rows) / batch['cpu']:.0f} rows per CPU-s", flush=True)
        if len(outputs) == 2:
            differ = sum(a != b for a, b in zip(*outputs, strict=True))
            print(f"  rows that differ between the two codes: {differ:,}", flush=True)
    print(json.dumps({"build": build}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
