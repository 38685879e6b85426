"""Write a simulated world as a DATA folder (request-logs.md §1) plus ``truth/``.

Requests are sorted by time (stable), numbered in that order and written with orjson, one
line each; the folder is built under a temporary name and renamed into place, so a failed
run leaves nothing half-written.
"""

from __future__ import annotations

import csv
import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import orjson
from numpy.typing import NDArray

from ringfence.traffic.sim.text import make_prompt
from ringfence.traffic.sim.world import CHANNELS, ENDPOINTS, World

__all__ = ["iso_ms", "write_folder"]

_CONV_MULT = 0x9E3779B97F4A7C15 & ((1 << 48) - 1) | 1


def iso_ms(ms: NDArray[np.int64] | int) -> Any:
    """Epoch milliseconds -> ``2026-03-02T07:15:02.117Z`` (array in, array out)."""
    s = np.datetime_as_string(np.asarray(ms).astype("datetime64[ms]"), unit="ms")
    return np.char.add(s, "Z") if isinstance(s, np.ndarray) else s + "Z"


def _rows(world: World, cols: dict[str, NDArray[Any]], wording: str) -> Iterator[bytes]:
    w = world
    n = len(cols["ts"])
    ts = iso_ms(cols["ts"]).tolist()
    acct, key = cols["acct"].tolist(), cols["key"].tolist()
    aid = [a["account_id"] for a in w.accounts]
    oid = [w.orgs[a["org"]]["org_id"] for a in w.accounts]
    keys = [a["api_key_ids"] for a in w.accounts]
    pay = [a["payment_fingerprint"] for a in w.accounts]
    ips = [(x.ip, x.asn, x.asn_name, x.country) for x in w.ips]
    sys = [*w.sys, None]
    tools = [*w.tools, None]
    ns = w.cu_ns
    kinds = w.kinds
    c = {k: v.tolist() for k, v in cols.items() if k not in ("ts", "acct", "key")}
    for i in range(n):
        a = acct[i]
        ip, asn, asn_name, country = ips[c["ip"][i]]
        s = sys[c["sys"][i]]
        t = tools[c["tools"][i]]
        cu = c["cu"][i]
        temp = c["temp"][i]
        think = c["thinking"][i]
        conv = (c["conv"][i] * _CONV_MULT) & ((1 << 48) - 1)
        row = {
            "request_id": f"req_{i:010x}", "ts": ts[i], "account_id": aid[a],
            "org_id": oid[a], "api_key_id": keys[a][key[i]],
            "channel": CHANNELS[c["channel"][i]], "endpoint": ENDPOINTS[c["endpoint"][i]],
            "ip": ip, "asn": asn, "asn_name": asn_name, "country": country,
            "user_agent": w.uas[c["ua"][i]], "payment_fingerprint": pay[a],
            "model": w.models[c["model"][i]], "stream": c["stream"][i],
            "max_tokens": c["max_tokens"][i],
            "temperature": None if temp < 0 else round(temp, 2),
            "thinking_budget": think or None,
            "n_tools": t[0] if t else 0, "tools_hash": t[1] if t else None,
            "n_images": c["images"][i],
            "system_prompt_hash": s[0] if s else None,
            "system_prefix_hash": s[1] if s else None,
            "system_prompt_chars": s[2] if s else 0,
            "conversation_id": f"conv_{conv:012x}", "turn_index": c["turn"][i],
            "client_user_id": None if cu < 0 else f"{ns[cu // 10_000_000]}-{cu % 10_000_000}",
            "input_tokens": c["in_tok"][i], "output_tokens": c["out_tok"][i],
            "status": c["status"][i],
            "prompt": make_prompt(kinds[c["kind"][i]], c["pseed"][i], wording),
        }
        yield orjson.dumps(row)


def _open(path: Path, gz: bool) -> IO[bytes]:
    if gz:
        return gzip.open(path, "wb", compresslevel=3)  # type: ignore[return-value]
    return open(path, "wb")


def write_folder(world: World, cols: dict[str, NDArray[Any]], out: Path, *, t0_ms: int,
                 t1_ms: int, releases: list[tuple[int, str]], wording: str,
                 gz: bool = False) -> int:
    """Write requests (already sorted by ts), accounts, orgs, events and truth into ``out``.

    Returns the number of requests written."""
    tmp = out.with_name(out.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    (tmp / "truth").mkdir(parents=True)
    w = world
    name = "requests.jsonl.gz" if gz else "requests.jsonl"
    n = 0
    with _open(tmp / name, gz) as fh:
        buf: list[bytes] = []
        for line in _rows(w, cols, wording):
            buf.append(line)
            n += 1
            if len(buf) >= 20000:
                fh.write(b"\n".join(buf) + b"\n")
                buf.clear()
        if buf:
            fh.write(b"\n".join(buf) + b"\n")
    # accounts and orgs that exist before the window ends
    first: dict[int, int] = {}
    acct = cols["acct"]
    if len(acct):
        u, idx = np.unique(acct, return_index=True)
        first = dict(zip(u.tolist(), cols["ts"][idx].tolist(), strict=True))
    with open(tmp / "accounts.jsonl", "wb") as fh:
        for a in w.accounts:
            if a["created_ms"] >= t1_ms:
                continue
            sip = w.ips[a["signup_ip"]]
            fh.write(orjson.dumps({
                "account_id": a["account_id"], "org_id": w.orgs[a["org"]]["org_id"],
                "created_at": iso_ms(a["created_ms"]), "email": a["email"],
                "email_domain": a["email"].rsplit("@", 1)[1],
                "declared_country": a["declared_country"],
                "payment_fingerprint": a["payment_fingerprint"],
                "payment_bin": a["payment_bin"], "payment_country": a["payment_country"],
                "verification_program": a["verification_program"], "tier": a["tier"],
                "signup_ip": sip.ip, "signup_country": sip.country,
                "signup_device_fp": a["signup_device_fp"], "api_key_ids": a["api_key_ids"],
            }) + b"\n")
    with open(tmp / "orgs.jsonl", "wb") as fh:
        for o in w.orgs:
            if o["created_ms"] >= t1_ms:
                continue
            fh.write(orjson.dumps({
                "org_id": o["org_id"], "name": o["name"],
                "declared_country": o["declared_country"], "created_at": iso_ms(o["created_ms"]),
                "kyc_level": o["kyc_level"], "org_type": o["org_type"]}) + b"\n")
    (tmp / "events.json").write_bytes(orjson.dumps({
        "window_start": iso_ms(t0_ms), "window_end": iso_ms(t1_ms),
        "events": [{"ts": iso_ms(ts), "type": "model_release", "model": m}
                   for ts, m in releases]}, option=orjson.OPT_INDENT_2))
    _write_truth(w, cols, tmp / "truth", first, t1_ms)
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    return n


def _write_truth(w: World, cols: dict[str, NDArray[Any]], dest: Path, first: dict[int, int],
                 t1_ms: int) -> None:
    with open(dest / "accounts.csv", "w", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(["account_id", "org_id", "kind", "family", "campaign_id", "replacement",
                     "first_request"])
        for i, (a, t) in enumerate(zip(w.accounts, w.truth, strict=True)):
            if a["created_ms"] >= t1_ms:
                continue
            wr.writerow([a["account_id"], w.orgs[a["org"]]["org_id"], t["kind"], t["family"],
                         t["campaign_id"], t["replacement"],
                         iso_ms(first[i]) if i in first else ""])
    idx = np.nonzero(cols["distill"])[0]
    with open(dest / "distill_requests.csv", "w") as fh:
        fh.write("request_id\n")
        fh.writelines(f"req_{i:010x}\n" for i in idx.tolist())
    camp = {}
    for cid, rec in w.campaigns.items():
        accts = [a for a in rec["accounts"] if w.accounts[a]["created_ms"] < t1_ms]
        starts = [first[a] for a in accts if a in first]
        start = min(starts) if starts else rec["start_ms"]
        camp[cid] = {"family": rec["family"], "start": iso_ms(start),
                     "orgs": sorted({w.orgs[w.accounts[a]["org"]]["org_id"] for a in accts}),
                     "accounts": len(accts)}
    (dest / "campaigns.json").write_bytes(orjson.dumps(camp, option=orjson.OPT_INDENT_2))
