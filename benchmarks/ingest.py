"""Ingest throughput and peak memory on synthetic, schema-shaped golden-copy files.

Writes GLEIF Level 1 / Level 2 / reporting-exception XML (and a BODS JSON Lines file) at
``--scale`` times the size of a full golden copy (≈3M LEI records, ≈0.5M relationships,
≈5M exceptions; ``--reuse`` keeps files already written at that scale), then, each in a
fresh process:

1. the three GLEIF files into one snapshot with ringfence (the requirement: ≤ 10 min,
   ≤ 4 GB at full scale);
2. with ``--per-format``, each format alone;
3. at ``--baseline-scale`` (default: the smaller of ``--scale`` and 0.02, files written
   beside), the same GLEIF ingest and the baselines it is compared with, in the same run:
   ringfence with one process (``RINGFENCE_INGEST_WORKERS=1``), the previous reader
   (``--previous REV``: that commit's ``src`` run on the same files), and a plain
   ``xml.etree.ElementTree.iterparse`` loop that extracts the same fields and keeps
   nothing (no checks, no staging, no merge: a floor for a stdlib reader, not an ingest).

Each run reports wall time, CPU time (user + system of the process and every worker it
waited for, from ``wait4``), the peak RSS of the largest single process (``ru_maxrss``)
and the peak of the whole process tree summed (sampled from /proc every 0.2 s). The
machine is shared: read CPU time and ratios, not wall time alone.

    .venv/bin/python benchmarks/ingest.py --scale 1 --workdir /tmp/rf-full --reuse \\
        --previous 0b81cfc
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from ringfence.ingest import synth
from ringfence.packaged import use_packaged_dictionaries

use_packaged_dictionaries()  # name screening's data, as the entry points hand it in

FULL = {"lei": 3_000_000, "rr": 500_000, "repex": 5_000_000, "bods": 1_000_000}
ROOT = Path(__file__).resolve().parent.parent

_RUN = """
import sys, json
from pathlib import Path
from ringfence.ingest.pipeline import SourceSpec, ingest_sources
fmt, out, *files = sys.argv[1:]
r = ingest_sources([SourceSpec(fmt, [Path(f) for f in files])], out=Path(out))
print("phases: " + ", ".join(f"{k} {v:.1f}s" for k, v in r.timings.items()),
      file=sys.stderr)
print(json.dumps(r.manifest.counts))
"""

# the same fields the GLEIF reader extracts, with the standard library's parser
_ET = """
import sys, json
import xml.etree.ElementTree as ET
L = "{http://www.gleif.org/data/schema/leidata/2016}"
R = "{http://www.gleif.org/data/schema/rr/2016}"
X = "{http://www.gleif.org/data/schema/repex/2016}"
XL = "{http://www.w3.org/XML/1998/namespace}lang"
n = 0
for f in sys.argv[1:]:
    ctx = ET.iterparse(f, events=("start", "end"))
    _, root = next(ctx)
    for ev, e in ctx:
        if ev != "end":
            continue
        t = e.tag
        if t == L + "LEIRecord":
            ent = e.find(L + "Entity")
            rec = (e.findtext(L + "LEI"), ent.findtext(L + "LegalName"),
                   ent.find(L + "LegalName").get(XL),
                   [(o.text, o.get(XL), o.get("type")) for o in ent.iter(L + "OtherEntityName")],
                   [(o.text, o.get(XL), o.get("type"))
                    for o in ent.iter(L + "TransliteratedOtherEntityName")],
                   ent.findtext(L + "LegalAddress/" + L + "Country"),
                   ent.findtext(L + "HeadquartersAddress/" + L + "Country"),
                   ent.findtext(L + "LegalJurisdiction"), ent.findtext(L + "EntityCategory"),
                   ent.findtext(L + "RegistrationAuthority/" + L + "RegistrationAuthorityID"),
                   ent.findtext(L + "RegistrationAuthority/" + L
                                + "RegistrationAuthorityEntityID"),
                   e.findtext(L + "Registration/" + L + "LastUpdateDate"))
        elif t == R + "RelationshipRecord":
            rel = e.find(R + "Relationship")
            per = [(p.findtext(R + "StartDate"), p.findtext(R + "EndDate"))
                   for p in rel.iter(R + "RelationshipPeriod")
                   if p.findtext(R + "PeriodType") == "RELATIONSHIP_PERIOD"]
            rec = (rel.findtext(R + "StartNode/" + R + "NodeID"),
                   rel.findtext(R + "EndNode/" + R + "NodeID"),
                   rel.findtext(R + "RelationshipType"), rel.findtext(R + "RelationshipStatus"),
                   per, e.findtext(R + "Registration/" + R + "RegistrationStatus"),
                   e.findtext(R + "Registration/" + R + "LastUpdateDate"))
        elif t == X + "Exception":
            rec = (e.findtext(X + "LEI"), e.findtext(X + "ExceptionCategory"),
                   [r.text for r in e.iter(X + "ExceptionReason")])
        else:
            continue
        n += 1
        root.clear()
print(json.dumps({"records": n}))
"""


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                stat = fh.read()
            fields = stat[stat.rindex(")") + 2:].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d))
        rss[int(d)] = pages * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, []))
    return total


def measure(argv: list[str], env: dict[str, str] | None = None) -> dict[str, float | str]:
    """Run ``argv``; wall and CPU seconds, peak RSS (largest process, whole tree)."""
    t = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out_chunks: list[str] = []
    err_chunks: list[str] = []
    readers = [threading.Thread(target=lambda: out_chunks.append(proc.stdout.read())),  # type: ignore[union-attr]
               threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()))]  # type: ignore[union-attr]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t
    stop.set()
    sampler.join()
    for r in readers:
        r.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{argv[:3]} failed:\n" + "".join(err_chunks)[-3000:])
    for line in "".join(err_chunks).splitlines():
        if line.startswith("phases: "):
            print("  " + line, file=sys.stderr)
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "maxrss_mb": usage.ru_maxrss / 1024, "tree_mb": peak[0] / 2**20,
            "out": "".join(out_chunks).strip().splitlines()[-1]}


def write_files(wd: Path, scale: float, reuse: bool) -> tuple[dict[str, Path], dict[str, int]]:
    wd.mkdir(parents=True, exist_ok=True)
    n = {k: max(10, int(v * scale)) for k, v in FULL.items()}
    files = {"lei": wd / "lei.xml", "rr": wd / "rr.xml", "repex": wd / "repex.xml",
             "bods": wd / "bods.jsonl"}
    stamp = wd / "counts.json"
    if reuse and stamp.exists() and json.loads(stamp.read_text()) == n and all(
            f.exists() for f in files.values()):
        return files, n
    t = time.monotonic()
    synth.write_lei_xml(files["lei"], n["lei"])
    synth.write_rr_xml(files["rr"], n["rr"], entities=n["lei"])
    synth.write_repex_xml(files["repex"], n["repex"], entities=n["lei"])
    synth.write_bods(files["bods"], n["bods"] // 2)
    stamp.write_text(json.dumps(n))
    print(f"generated in {time.monotonic() - t:.0f}s: " + ", ".join(
        f"{k} {n[k]:,} records {files[k].stat().st_size / 1e6:,.0f} MB" for k in files),
        file=sys.stderr)
    return files, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/rf-ingest-bench"))
    ap.add_argument("--reuse", action="store_true", help="reuse files written earlier")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--per-format", action="store_true", help="also each format alone")
    ap.add_argument("--baseline-scale", type=float, default=None)
    ap.add_argument("--previous", default="", help="git revision of the previous reader")
    args = ap.parse_args()
    wd: Path = args.workdir
    files, n = write_files(wd, args.scale, args.reuse)
    py = sys.executable
    gleif = [files["lei"], files["rr"], files["repex"]]
    rows: list[tuple[str, float, int, dict[str, float | str]]] = []

    def run(label: str, scale: float, argv: list[str], records: int,
            env: dict[str, str] | None = None) -> None:
        out = wd / "snap"
        shutil.rmtree(out, ignore_errors=True)
        m = measure(argv, env)
        rows.append((label, scale, records, m))
        print(f"{label} @ {scale}: {records:,} records, wall {m['wall']:.1f}s, cpu "
              f"{m['cpu']:.1f}s, {records / float(m['wall']):,.0f} rec/s, peak process "
              f"{m['maxrss_mb']:,.0f} MB, tree {m['tree_mb']:,.0f} MB -> {m['out']}",
              file=sys.stderr, flush=True)
        shutil.rmtree(out, ignore_errors=True)

    def ingest(fmt: str, fs: list[Path]) -> list[str]:
        return [py, "-c", _RUN, fmt, str(wd / "snap"), *map(str, fs)]

    total = n["lei"] + n["rr"] + n["repex"]
    run("GLEIF golden copy, 3 files → 1 snapshot (2 processes)", args.scale,
        ingest("gleif", gleif), total)
    if args.per_format:
        for key, label in (("lei", "GLEIF L1 (LEI-CDF XML)"), ("rr", "GLEIF L2 (RR-CDF XML)"),
                           ("repex", "GLEIF reporting exceptions XML")):
            run(label, args.scale, ingest("gleif", [files[key]]), n[key])
        run("BODS 0.4 JSON Lines", args.scale, ingest("bods", [files["bods"]]), n["bods"])
    bscale = args.baseline_scale if args.baseline_scale is not None else min(args.scale, 0.02)
    if bscale:
        bfiles, bn = (files, n) if bscale == args.scale else write_files(
            wd / f"scale-{bscale}", bscale, args.reuse)
        bg = [bfiles["lei"], bfiles["rr"], bfiles["repex"]]
        btotal = bn["lei"] + bn["rr"] + bn["repex"]
        if bscale != args.scale:
            run("GLEIF golden copy, 3 files → 1 snapshot (2 processes)", bscale,
                ingest("gleif", bg), btotal)
        run("same, one process", bscale, ingest("gleif", bg), btotal,
            {"RINGFENCE_INGEST_WORKERS": "1"})
        if args.previous:
            prev = Path(tempfile.mkdtemp(prefix="rf-prev-"))
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.previous, "src"],
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(prev)], input=archive, check=True)
            run(f"previous reader ({args.previous}), one process", bscale,
                ingest("gleif", bg), btotal, {"PYTHONPATH": str(prev / "src")})
            shutil.rmtree(prev, ignore_errors=True)
        run("baseline: stdlib ElementTree.iterparse, same fields, nothing kept", bscale,
            [py, "-c", _ET, *map(str, bg)], btotal)
    print(f"\nmachine: {os.cpu_count()} CPUs\n")
    print("| run | scale | records | wall s | CPU s | records/s (wall) | records/CPU-s "
          "| peak RSS, largest process (MB) | peak RSS, process tree (MB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, scale, records, m in rows:
        print(f"| {label} | {scale:g} | {records:,} | {m['wall']:.1f} | {m['cpu']:.1f} | "
              f"{records / float(m['wall']):,.0f} | {records / float(m['cpu']):,.0f} | "
              f"{m['maxrss_mb']:,.0f} | {m['tree_mb']:,.0f} |")
    if not args.keep and not args.reuse:
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    main()
