"""What the body limit (``service/limits.py``) costs a decision, in process.

    .venv/bin/python benchmarks/body_limit.py [--calls 20000] [--rounds 5]

Drives ``POST /v1/decide`` (an allowed account with a client IP, 60-byte body) as raw ASGI
calls, no network, through the gateway's lean path alone and through ``BodyLimit`` in
front of it, in alternating rounds; reports the median CPU-side time per request of each
and their difference. The decision's own work (state lookup, decision id, ALLOW batching,
metrics) is in both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from decide import snapshot  # noqa: E402  (the same bundled snapshot as decide.py)


async def _noop_app(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError("the fast path answers /v1/decide itself")


def _setup(work: Path) -> tuple[Any, bytes, bytes]:
    from ringfence.service import Runtime, ServiceSettings
    from ringfence.service.book import create_account, create_token, onboard

    snap = snapshot(work / "snap")
    settings = ServiceSettings(database_url=f"sqlite:///{work / 'rf.db'}", snapshot=snap,
                               geoip=False, embedded_default=False, background=False,
                               allow_batch_size=10**9, allow_flush_seconds=10**9)
    rt = Runtime(settings, country_of={"203.0.113.7": "US"}.get)
    rt.start()
    org = onboard(rt, name="Spotify Technology S.A.", country="LU", billing_country=None,
                  identifiers=[], domains=[], actor="bench")
    acc = create_account(rt, org_id=org["id"], channel="direct", end_customer=None,
                         actor="bench")
    secret = create_token(rt, role="gateway", label="bench", actor="bench")["token"]
    body = json.dumps({"account_id": acc["id"],
                       "context": {"client_ip": "203.0.113.7"}}).encode()
    return rt, f"Bearer {secret}".encode(), body


async def _run(app: Any, auth: bytes, body: bytes, calls: int) -> float:
    scope = {"type": "http", "method": "POST", "path": "/v1/decide",
             "headers": [(b"authorization", auth), (b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode())]}
    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    t0 = time.perf_counter()
    for _ in range(calls):
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await app(scope, receive, send)
    elapsed = time.perf_counter() - t0
    assert set(statuses) == {200}, set(statuses)
    return elapsed / calls * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    from ringfence.service.fastpath import FastPath
    from ringfence.service.limits import BodyLimit

    work = Path(tempfile.mkdtemp(prefix="rf-bench-limit-"))
    rt, auth, body = _setup(work)
    lean = FastPath(_noop_app, rt)
    limited = BodyLimit(lean)
    asyncio.run(_run(limited, auth, body, 2000))  # warm-up
    runs: dict[str, list[float]] = {"fast_path": [], "body_limit+fast_path": []}
    for _ in range(args.rounds):
        runs["fast_path"].append(asyncio.run(_run(lean, auth, body, args.calls)))
        runs["body_limit+fast_path"].append(asyncio.run(_run(limited, auth, body, args.calls)))
    rt.stop()
    med = {k: round(statistics.median(v), 2) for k, v in runs.items()}
    print(json.dumps({"calls_per_round": args.calls, "rounds": args.rounds,
                      "us_per_request_median": med,
                      "body_limit_us": round(med["body_limit+fast_path"] - med["fast_path"], 2),
                      "rounds_us": {k: [round(x, 2) for x in v] for k, v in runs.items()}},
                     indent=2))


if __name__ == "__main__":
    main()
