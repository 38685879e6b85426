"""Console page loads: server time per page on the demo data and on a 1M-entity snapshot.

    .venv/bin/python benchmarks/console.py                  # demo, then 1M entities
    .venv/bin/python benchmarks/console.py --sizes          # demo only
    .venv/bin/python benchmarks/console.py --repeat 30 --sizes 1000000

The app runs in process (``create_app`` on a ``Runtime`` without background threads, a
SQLite file) and is driven through Starlette's TestClient with a signed-in session, so a
figure is the server's whole work for one page (session and role read from the database,
the application function, the Jinja2 rendering), without a network or a browser. Each page
is fetched once to warm it, then ``--repeat`` times (the first organisation page and the
first evaluation of the other shipped policies, once per snapshot and loaded by the page
with htmx, are reported apart);
median and 95th percentile wall time, and CPU time per request (process time). Beside
each page the JSON API route that reads the same data (the baseline: the data without a
page) is timed the same way.

* **demo**: the embedded default snapshot (what ``ringfence serve`` builds when nothing is
  configured); TikTok Inc. onboarded through the console (search, one click), an account
  with a key, 20 decisions, an override requested and approved.
* **N entities**: the synthetic graph of ``benchmarks/load.py`` written as a snapshot
  (empty names, so nothing resolves by name): an organisation is onboarded and then, in the
  benchmark's own database, matched to the entity with the most holdings above it, so the
  organisation page draws a real proof on the big graph.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "service"))


def _timed(client: Any, method: str, url: str, repeat: int, **kw: Any) -> dict[str, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        r = getattr(client, method)(url, **kw)
        walls.append((time.perf_counter() - t) * 1000)
        cpus.append((time.process_time() - c) * 1000)
        assert r.status_code == 200, (url, r.status_code, r.text[:500])
    walls.sort()
    return {"median": statistics.median(walls),
            "p95": walls[min(len(walls) - 1, int(len(walls) * 0.95))],
            "cpu": statistics.median(cpus)}


def _app(settings: Any) -> tuple[Any, Any]:
    from fastapi.testclient import TestClient

    from ringfence.service import Runtime, create_app

    rt = Runtime(settings)
    return TestClient(create_app(settings, runtime=rt)), rt


def _prepare(client: Any, rt: Any, *, name: str, country: str) -> tuple[str, dict[str, str]]:
    from rf_console import sign_in

    from ringfence.service.book import create_token

    analyst = create_token(rt, role="analyst", label="bench", actor="bench")["token"]
    second = create_token(rt, role="analyst", label="bench 2", actor="bench")["token"]
    gateway = create_token(rt, role="gateway", label="bench", actor="bench")["token"]
    csrf = sign_in(client, analyst)
    r = client.post("/console/onboard", data={"csrf": csrf, "name": name,
                                              "country": country}, follow_redirects=False)
    m = re.search(r"(org_[0-9a-f]+)", r.headers["location"])
    assert m, r.text
    return m.group(1), {"csrf": csrf, "analyst": analyst, "second": second,
                        "gateway": gateway}


def _traffic(client: Any, org: str, tok: dict[str, str]) -> None:
    """An account with a key, decisions, an override requested and approved."""
    from rf_console import sign_in

    client.post(f"/console/organizations/{org}/accounts",
                data={"csrf": tok["csrf"], "account_id": "acc-bench", "channel": "direct"})
    page = client.post("/console/accounts/acc-bench/keys", data={"csrf": tok["csrf"]})
    key = re.search(r'id="new-key">([^<]+)<', page.text)
    assert key
    for _ in range(20):
        client.post("/v1/decide", json={"api_key": key.group(1)},
                    headers={"Authorization": f"Bearer {tok['gateway']}"})
    client.post(f"/console/organizations/{org}/override",
                data={"csrf": tok["csrf"], "status": "allowed", "reason": "bench"})
    page = client.get(f"/console/organizations/{org}")
    ov = re.search(r'data-override="(ovr_[0-9a-f]+)"', page.text)
    csrf2 = sign_in(client, tok["second"])
    if ov:
        client.post(f"/console/overrides/{ov.group(1)}/approve",
                    data={"csrf": csrf2, "reason": "bench"})


def _measure(client: Any, org: str, tok: dict[str, str], repeat: int, search: str
             ) -> list[tuple[str, str, dict[str, float], dict[str, float] | None]]:
    api = {"Authorization": f"Bearer {tok['analyst']}"}
    def once(url: str) -> dict[str, float]:
        t, c = time.perf_counter(), time.process_time()
        assert client.get(url).status_code == 200
        return {"median": (time.perf_counter() - t) * 1000, "p95": float("nan"),
                "cpu": (time.process_time() - c) * 1000}

    first = once(f"/console/organizations/{org}")
    cold = once(f"/console/organizations/{org}/policies")
    pages = [
        ("queue", "/console", "/v1/overrides?state=pending"),
        ("search", f"/console/search?q={search}", None),
        ("organisation", f"/console/organizations/{org}",
         f"/v1/organizations/{org}/proof"),
        ("decision log", f"/console/decisions?org={org}", None),
        ("audit", "/console/audit", "/v1/audit?limit=100"),
        ("policies", "/console/policies", None),
    ]
    out: list[tuple[str, str, dict[str, float], dict[str, float] | None]] = [
        ("organisation, first view after a publish", "", first, None),
        ("policies side by side, first (4 books evaluated, kept per snapshot)", "", cold,
         None)]
    for label, url, base in pages:
        client.get(url)
        got = _timed(client, "get", url, repeat)
        ref = _timed(client, "get", base, repeat, headers=api) if base else None
        out.append((label, url, got, ref))
    return out


def bench_demo(work: Path, repeat: int) -> list[Any]:
    from ringfence.service import ServiceSettings

    settings = ServiceSettings(database_url=f"sqlite:///{work / 'demo.sqlite'}",
                               data_dir=work / "var", geoip=False, background=False)
    client, rt = _app(settings)
    with client:
        org, tok = _prepare(client, rt, name="TikTok Inc.", country="US")
        _traffic(client, org, tok)
        from rf_console import sign_in

        tok["csrf"] = sign_in(client, tok["analyst"])
        return _measure(client, org, tok, repeat, "字节跳动")


def bench_size(work: Path, n: int, repeat: int) -> list[Any]:
    import numpy as np
    from load import write_snapshot
    from sqlalchemy import update

    from ringfence.service import ServiceSettings
    from ringfence.store.tables import organizations

    snap = work / f"snap-{n}"
    t = time.monotonic()
    write_snapshot(snap, n)
    print(f"  {n:,}-entity snapshot written in {time.monotonic() - t:.0f}s", file=sys.stderr,
          flush=True)
    settings = replace(ServiceSettings(database_url=f"sqlite:///{work / f'n{n}.sqlite'}",
                                       data_dir=work / "var", geoip=False, background=False,
                                       embedded_default=False), snapshot=snap)
    client, rt = _app(settings)
    with client:
        t = time.monotonic()
        org, tok = _prepare(client, rt, name="Synthetic Holdings Ltd", country="GB")
        _entities, holdings = rt.live.snapshot.graph()
        owned = np.bincount(np.asarray(holdings.owned), minlength=len(_entities))
        target = _entities.ids[int(np.argmax(owned))]
        with rt.engine.begin() as conn:  # the benchmark's own database: match it by hand
            conn.execute(update(organizations).where(organizations.c.id == org)
                         .values(entity_id=target))
        print(f"  ready in {time.monotonic() - t:.0f}s; matched to {target}",
              file=sys.stderr, flush=True)
        return _measure(client, org, tok, repeat, "Synthetic")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[1_000_000])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="rf-console-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    runs = [("demo", bench_demo(work, args.repeat))]
    for n in args.sizes:
        runs.append((f"{n:,} entities", bench_size(work, n, args.repeat)))
    print(f"\nmachine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n")
    print("| data | page | median ms | p95 ms | CPU ms | JSON API baseline median ms |")
    print("|---|---|---:|---:|---:|---:|")
    for data, rows in runs:
        for label, _url, got, ref in rows:
            base = f"{ref['median']:.1f}" if ref else "—"
            print(f"| {data} | {label} | {got['median']:.1f} | {got['p95']:.1f} | "
                  f"{got['cpu']:.1f} | {base} |")


if __name__ == "__main__":
    main()
