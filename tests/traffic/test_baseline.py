"""The naive linkage baseline (benchmarks/detect_baseline.py) on a hand-made account list:
five orgs on one card are suspended at the first checkpoint that sees them all; two orgs
on one device are not; a later account on the card joins at its own first checkpoint."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _baseline() -> ModuleType:
    spec = importlib.util.spec_from_file_location("detect_baseline",
                                                  ROOT / "benchmarks" / "detect_baseline.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _acct(aid: str, org: str, created: str, card: str, dev: str) -> str:
    return json.dumps({"account_id": aid, "org_id": org, "created_at": created,
                       "payment_fingerprint": card, "signup_device_fp": dev})


def test_five_orgs_on_one_card_are_suspended_two_on_one_device_are_not(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    old = "2026-01-01T00:00:00.000Z"
    rows = [_acct(f"a{i}", f"o{i}", old, "pm_shared", f"d{i}") for i in range(1, 5)]
    rows.append(_acct("a5", "o5", "2026-03-02T03:30:00.000Z", "pm_shared", "d5"))
    rows += [_acct("a6", "o6", old, "pm6", "dev_x"), _acct("a7", "o7", old, "pm7", "dev_x")]
    rows.append(_acct("a8", "o8", "2026-03-02T09:10:00.000Z", "pm_shared", "d8"))
    (data / "accounts.jsonl").write_text("\n".join(rows) + "\n")
    (data / "events.json").write_text(json.dumps({
        "window_start": "2026-03-02T00:00:00.000Z", "window_end": "2026-03-02T12:00:00.000Z",
        "events": []}))
    (data / "requests.jsonl").write_text(
        json.dumps({"account_id": "a1", "ts": "2026-03-02T00:10:00.000Z"}) + "\n"
        + "not json\n")
    res = _baseline().run_baseline(data, out)
    assert res["suspended"] == 6 and res["clusters"] == 1
    with open(out / "actions.csv", newline="") as fh:
        acts = {r["account_id"]: r["checkpoint"] for r in csv.DictReader(fh)}
    # a5 is created at 03:30, so the five orgs meet at the 04:00 checkpoint; a8 at 10:00
    assert acts == {**{f"a{i}": "2026-03-02T04:00:00Z" for i in range(1, 6)},
                    "a8": "2026-03-02T10:00:00Z"}
    with open(out / "final.csv", newline="") as fh:
        final = {r["account_id"]: r for r in csv.DictReader(fh)}
    # seen = created in the window (a5, a8) or sending requests (a1)
    assert set(final) == {"a1", "a5", "a8"}
    assert all(r["action"] == "suspend" for r in final.values())
    (finding,) = [json.loads(x) for x in (out / "findings.jsonl").read_text().splitlines()]
    assert sorted(finding["account_ids"]) == ["a1", "a2", "a3", "a4", "a5", "a8"]
    assert sorted(finding["org_ids"]) == ["o1", "o2", "o3", "o4", "o5", "o8"]
    assert finding["evidence"][0]["signal"] == "shared_payment_or_device"
