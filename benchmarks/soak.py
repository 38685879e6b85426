"""Soak: the decision service under sustained load with publishes and book changes.

    .venv/bin/python benchmarks/soak.py                  # the 10-minute soak
    .venv/bin/python benchmarks/soak.py --minutes 2.5    # a shorter one (shared machine)

One server (the service plus the benchmark-only no-op route of ``benchmarks/noop_app.py``,
``--workers`` uvicorn workers, default 1) on 127.0.0.1, loaded by ``wrk`` (Debian package;
scripts/setup.sh installs it) from the same machine: on two cores, one runs the server and
one the load generator, so the soak runs at the rate two cores sustain.

1. **Latency at 4 connections**, before and after the soak: rounds of ``wrk -c4`` on the
   no-op endpoint, ``POST /v1/decide`` and ``GET /v1/ext_authz/...`` alternated (so a change
   in the machine's load hits all alike); medians of throughput and p99. The issue's bar:
   each endpoint's throughput at least 0.8x, and its p99 at most 1.5x, the no-op's.
2. **Soak**: ``wrk -c16`` for ``--minutes``, in 30 s chunks alternating ``/v1/decide`` and
   ``/v1/ext_authz`` for an allowed customer, while a second thread onboards an
   organisation with an account and a key, disables or enables an account, and asks for
   a DENY every ``--book-every`` seconds, and publishes the other snapshot every
   ``--publish-every`` seconds (the bundled data with and without one holding, so
   statuses change). Every non-2xx answer, socket error or failed book call is an error.
   The server's resident memory (all its processes) is sampled every 5 s: the bar is the
   last sample within 10% of the sample after the first minute.

Prints one JSON object: the figures, the bars, CPU seconds of the server and the load
average at the start and end (the machine may be shared).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from decide import _free_port, snapshot  # benchmarks/decide.py

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 30  # seconds of one wrk run during the soak


def wrk(url: str, *, method: str, headers: dict[str, str], body: str | None, seconds: float,
        conns: int) -> dict[str, float]:
    """One wrk run: requests/s, p99 (ms), requests, errors (non-2xx plus socket errors)."""
    lines = [f'wrk.method = "{method}"']
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(body)}")
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write("\n".join(lines) + "\n")
    try:
        out = subprocess.run(["wrk", "-t1", f"-c{conns}", f"-d{max(1, round(seconds))}s",
                              "--latency", "-s", fh.name, url], capture_output=True,
                             text=True, check=True).stdout
    finally:
        os.unlink(fh.name)
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    assert m is not None, out
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                     out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
            "p99_ms": round(float(m.group(1)) * scale, 3),
            "requests": int(total.group(1)) if total else 0,
            "errors": (int(non2xx.group(1)) if non2xx else 0)
            + (sum(int(x) for x in sock.groups()) if sock else 0)}


def _tree(pid: int) -> list[int]:
    """``pid`` and its children (uvicorn's workers)."""
    with contextlib.suppress(OSError):
        return [pid, *(int(k) for k in
                       Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    return [pid]


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children, in MB."""
    total = 0
    for p in _tree(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        m = re.search(r"VmRSS:\s+(\d+) kB", status)
        total += int(m.group(1)) if m else 0
    return round(total / 1024, 1)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its children so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return round(total, 1)


class Churn(threading.Thread):
    """Book changes and publishes while the load runs; counts what failed."""

    def __init__(self, base: str, tokens: dict[str, str], snaps: list[Path], *,
                 book_every: float, publish_every: float) -> None:
        super().__init__(daemon=True)
        self.base, self.snaps = base, snaps
        self.an = {"Authorization": f"Bearer {tokens['analyst']}"}
        self.admin = {"Authorization": f"Bearer {tokens['admin']}"}
        self.gw = {"Authorization": f"Bearer {tokens['gateway']}"}
        self.book_every, self.publish_every = book_every, publish_every
        self.stop = threading.Event()
        self.counts = {"onboarded": 0, "disabled": 0, "enabled": 0, "denies": 0,
                       "publishes": 0}
        self.errors: list[str] = []
        self.publish_seconds: list[float] = []

    def _call(self, c: httpx.Client, method: str, path: str, want: int,
              **kw: Any) -> dict[str, Any]:
        r = c.request(method, path, **kw)
        if r.status_code != want:
            self.errors.append(f"{method} {path}: {r.status_code} {r.text[:200]}")
            return {}
        return dict(r.json()) if r.content else {}

    def run(self) -> None:
        accounts: list[str] = []
        i = 0
        next_publish = time.monotonic() + self.publish_every
        with httpx.Client(base_url=self.base, timeout=120) as c:
            while not self.stop.wait(self.book_every):
                i += 1
                try:
                    org = self._call(c, "POST", "/v1/organizations", 201, headers=self.an,
                                     json={"name": f"Soak Customer {i} Ltd", "country": "GB"})
                    if org:
                        acc = self._call(c, "POST", f"/v1/organizations/{org['id']}/accounts",
                                         201, headers=self.an, json={})
                        if acc:
                            self._call(c, "POST", f"/v1/accounts/{acc['id']}/keys", 201,
                                       headers=self.an)
                            accounts.append(acc["id"])
                            self.counts["onboarded"] += 1
                    if len(accounts) > 2 and i % 2:
                        self._call(c, "POST", f"/v1/accounts/{accounts[-2]}/disable", 200,
                                   headers=self.an, json={"reason": "soak"})
                        self.counts["disabled"] += 1
                        d = self._call(c, "POST", "/v1/decide", 200, headers=self.gw,
                                       json={"account_id": accounts[-2]})
                        if d and d.get("decision") != "DENY":
                            self.errors.append(f"disabled account not denied: {d}")
                        self.counts["denies"] += 1
                        self._call(c, "POST", f"/v1/accounts/{accounts[-2]}/enable", 200,
                                   headers=self.an, json={"reason": "soak"})
                        self.counts["enabled"] += 1
                    if time.monotonic() >= next_publish:
                        snap = self.snaps[self.counts["publishes"] % 2]
                        t0 = time.monotonic()
                        if self._call(c, "POST", "/v1/admin/snapshots/publish", 200,
                                      headers=self.admin, json={"path": str(snap)}):
                            self.counts["publishes"] += 1
                            self.publish_seconds.append(round(time.monotonic() - t0, 2))
                        next_publish = time.monotonic() + self.publish_every
                except httpx.HTTPError as err:
                    self.errors.append(f"{type(err).__name__}: {err}")


def compare(base: str, targets: dict[str, dict[str, Any]], *, rounds: int,
            seconds: float) -> dict[str, Any]:
    runs: dict[str, list[dict[str, float]]] = {k: [] for k in targets}
    for _ in range(rounds):
        for name, t in targets.items():
            runs[name].append(wrk(base + t["path"], method=t["method"], headers=t["headers"],
                                  body=t.get("body"), seconds=seconds, conns=4))
    med = {name: {"rps": round(statistics.median(r["rps"] for r in rs), 1),
                  "p99_ms": round(statistics.median(r["p99_ms"] for r in rs), 3),
                  "requests": sum(int(r["requests"]) for r in rs),
                  "errors": sum(int(r["errors"]) for r in rs)} for name, rs in runs.items()}
    noop = med["noop"]
    for name in targets:
        if name != "noop":
            med[name]["throughput_vs_noop"] = round(med[name]["rps"] / noop["rps"], 3)
            med[name]["p99_vs_noop"] = round(med[name]["p99_ms"] / noop["p99_ms"], 3)
            med[name]["meets_bar"] = (med[name]["throughput_vs_noop"] >= 0.8
                                      and med[name]["p99_vs_noop"] <= 1.5)
    return med


def _setup(work: Path) -> tuple[dict[str, str], dict[str, str], list[Path]]:
    from ringfence.service import Runtime, ServiceSettings
    from ringfence.service.book import create_token

    snaps = [snapshot(work / "s1"), snapshot(work / "s2", drop="bytedance,tiktok_uk,")]
    db = f"sqlite:///{work / 'rf.db'}"
    env = {**os.environ, "RINGFENCE_DATABASE_URL": db, "RINGFENCE_SNAPSHOT": str(snaps[0]),
           "RINGFENCE_EMBEDDED_DEFAULT": "0", "RINGFENCE_GEOIP": "1"}
    rt = Runtime(ServiceSettings(database_url=db, geoip=False, background=False,
                                 embedded_default=False))
    from ringfence.store import upgrade

    upgrade(rt.engine)
    tokens = {role: create_token(rt, role=role, label=f"soak {role}", actor="soak")["token"]
              for role in ("admin", "analyst", "gateway")}
    rt.engine.dispose()
    return env, tokens, snaps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--minutes", type=float, default=10.0, help="length of the soak")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn workers")
    ap.add_argument("--connections", type=int, default=16, help="wrk connections (soak)")
    ap.add_argument("--book-every", type=float, default=2.0, help="seconds between changes")
    ap.add_argument("--publish-every", type=float, default=30.0,
                    help="seconds between publishes")
    ap.add_argument("--compare-rounds", type=int, default=3)
    ap.add_argument("--compare-seconds", type=float, default=5.0)
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (scripts/setup.sh installs Debian's package)")

    load_start = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="rf-soak-"))
    env, tokens, snaps = _setup(work)
    port = _free_port()
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "noop_app:create_app", "--app-dir",
           str(ROOT / "benchmarks"), "--host", "127.0.0.1", "--port", str(port),
           "--log-level", "warning", "--no-access-log"]
    if args.workers > 1:
        cmd += ["--workers", str(args.workers), "--timeout-worker-healthcheck", "300"]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                              stderr=open(work / "server.log", "w"))  # noqa: SIM115
    base = f"http://127.0.0.1:{port}"
    try:
        t0 = time.monotonic()
        while True:
            if server.poll() is not None:
                sys.exit((work / "server.log").read_text()[-3000:])
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() - t0 > 300:
                sys.exit("the server did not become ready")
            time.sleep(0.2)
        an = {"Authorization": f"Bearer {tokens['analyst']}"}
        org = httpx.post(f"{base}/v1/organizations", headers=an,
                         json={"name": "Spotify Technology S.A.", "country": "LU"}).json()
        acc = httpx.post(f"{base}/v1/organizations/{org['id']}/accounts", headers=an,
                         json={}).json()
        key = httpx.post(f"{base}/v1/accounts/{acc['id']}/keys", headers=an).json()
        gw = tokens["gateway"]
        decide_body = json.dumps({"key_id": key["id"], "context": {
            "client_ip": "8.8.8.8", "channel": "direct", "client_user_id": "u-1"}})
        json_auth = {"Content-Type": "application/json", "Authorization": f"Bearer {gw}"}
        targets = {
            "noop": {"path": "/v1/noop", "method": "POST", "headers": json_auth, "body": "{}"},
            "decide": {"path": "/v1/decide", "method": "POST", "headers": json_auth,
                       "body": decide_body},
            "ext_authz": {"path": "/v1/ext_authz/v1/messages", "method": "GET", "headers": {
                "x-ringfence-gateway-token": gw, "x-api-key": key["secret"],
                "x-forwarded-for": "8.8.8.8"}},
        }
        check = httpx.post(f"{base}/v1/decide", content=decide_body, headers=json_auth).json()
        assert check["decision"] == "ALLOW", check
        wrk(base + "/v1/noop", method="POST", headers=json_auth, body="{}", seconds=3,
            conns=4)  # warm-up

        before = compare(base, targets, rounds=args.compare_rounds,
                         seconds=args.compare_seconds)
        churn = Churn(base, tokens, snaps, book_every=args.book_every,
                      publish_every=args.publish_every)
        samples: list[tuple[float, float]] = []
        chunks: list[dict[str, Any]] = []
        cpu0 = cpu_seconds(server.pid)
        start = time.monotonic()
        end = start + args.minutes * 60
        stop_sampling = threading.Event()

        def sample() -> None:
            while not stop_sampling.is_set():
                samples.append((round(time.monotonic() - start, 1), rss_mb(server.pid)))
                stop_sampling.wait(5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        churn.start()
        k = 0
        while (left := end - time.monotonic()) > 1:
            name = ("decide", "ext_authz")[k % 2]
            t = targets[name]
            r = wrk(base + t["path"], method=t["method"], headers=t["headers"],
                    body=t.get("body"), seconds=min(CHUNK, left), conns=args.connections)
            chunks.append({"endpoint": name, **r})
            k += 1
        churn.stop.set()
        churn.join(timeout=300)
        stop_sampling.set()
        sampler.join()
        soak_cpu = round(cpu_seconds(server.pid) - cpu0, 1)
        after = compare(base, targets, rounds=args.compare_rounds,
                        seconds=args.compare_seconds)

        after_minute = next((m for t_, m in samples if t_ >= 60), samples[0][1])
        last = samples[-1][1]
        requests = sum(int(c["requests"]) for c in chunks)
        errors = sum(int(c["errors"]) for c in chunks) + len(churn.errors)
        out = {
            "minutes": args.minutes, "workers": args.workers,
            "connections": args.connections, "load_average_start": load_start,
            "load_average_end": os.getloadavg(),
            "soak": {
                "requests": requests,
                "rps": round(requests / (args.minutes * 60), 1),
                "rps_decide": round(statistics.median(
                    c["rps"] for c in chunks if c["endpoint"] == "decide"), 1),
                "rps_ext_authz": round(statistics.median(
                    c["rps"] for c in chunks if c["endpoint"] == "ext_authz"), 1)
                if any(c["endpoint"] == "ext_authz" for c in chunks) else None,
                "p99_ms_worst_chunk": max(c["p99_ms"] for c in chunks),
                "errors": errors, "wrk_errors": sum(int(c["errors"]) for c in chunks),
                "churn": churn.counts, "churn_errors": churn.errors[:10],
                "publish_seconds": churn.publish_seconds,
                "server_cpu_seconds": soak_cpu,
            },
            "rss_mb": {"after_first_minute": after_minute, "end": last,
                       "max": max(m for _, m in samples),
                       "end_vs_first_minute": round(last / after_minute, 3),
                       "samples": samples},
            "latency_at_4_connections": {"before": before, "after": after},
            "bars": {
                "zero_errors": errors == 0,
                "flat_memory": abs(last / after_minute - 1) <= 0.10,
                # both comparisons, before and after the soak, must meet it
                "decide_vs_noop": before["decide"]["meets_bar"]
                and after["decide"]["meets_bar"],
                "ext_authz_vs_noop": before["ext_authz"]["meets_bar"]
                and after["ext_authz"]["meets_bar"],
            },
        }
        print(json.dumps(out, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
