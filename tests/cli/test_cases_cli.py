"""Every worked case through the CLI contract, mapped word for word as the cases README says.

Each case becomes entities.csv + holdings.csv + a policy file; ``ringfence ingest csv``
publishes a snapshot and ``ringfence attribute --json`` must give the expected verdicts.
The same cases also run under each regime's shipped policy (as of a date it is in force,
``listed`` mapped to that policy's list names).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from ringfence.cli.main import app

CASES = json.loads((Path(__file__).parents[1] / "fixtures" / "ownership-visible.json")
                   .read_text())
VERDICT = {"restricted": "restricted", "not_restricted": "clear", "uncertain": "uncertain"}
PROPAGATION = {"cascade": "cascade", "control": "control", "multiply": "look_through"}
runner = CliRunner()


def write_case(case: dict[str, Any], folder: Path, list_name: str = "designated") -> None:
    with (folder / "entities.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "type", "hq_country", "jurisdiction", "lists"])
        for e in case["entities"]:
            w.writerow([e["id"], e["id"], e["type"], e.get("hq_country", ""),
                        e.get("jurisdiction", ""), list_name if e.get("listed") else ""])
    with (folder / "holdings.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["owner", "owned", "kind", "share", "share_min", "share_max",
                    "valid_from", "valid_to", "source"])
        for h in case["holdings"]:
            share = h["share"]
            if isinstance(share, dict):
                w.writerow([h["owner"], h["owned"], h["kind"], "", share["min"], share["max"],
                            "", "", case["id"]])
            else:
                w.writerow([h["owner"], h["owned"], h["kind"], share, "", "", "", "",
                            case["id"]])


def case_policy(case: dict[str, Any]) -> dict[str, Any]:
    p = case["policy"]
    return {
        "name": f"case-{case['id']}",
        "restricted_regions": p["restricted_countries"],
        "origin": {"companies": "headquarters", "states": True,
                   "persons": p.get("person_roots", "ignore"), "lists": ["*"]},
        "ownership": {"propagation": PROPAGATION[p["indirect"]], "threshold": p["threshold"],
                      "inclusive": p["inclusive"], "aggregate": p["aggregate"]},
        "unknown_ownership": "ignore",
        "unaccounted_equity": "ignore",
    }


def run_attribute(folder: Path, policy: str, as_of: str | None = None) -> dict[str, str]:
    snap = folder / "snap"
    if not snap.exists():
        result = runner.invoke(app, ["ingest", "csv",
                                     "--entities", str(folder / "entities.csv"),
                                     "--holdings", str(folder / "holdings.csv"),
                                     "--out", str(snap)])
        assert result.exit_code == 0, result.output
    args = ["attribute", str(snap), "--policy", policy, "--json"]
    if as_of:
        args += ["--as-of", as_of]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    ids = [v["entity"] for v in payload["verdicts"]]
    assert ids == sorted(ids)
    assert set(payload) == {"snapshot", "as_of", "policy", "verdicts"}
    assert set(payload["policy"]) == {"name", "version", "hash"}
    for v in payload["verdicts"]:
        assert 0 <= v["lower"] <= v["upper"] <= 1
    return {v["entity"]: v["verdict"] for v in payload["verdicts"]}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_under_its_own_settings(case: dict[str, Any], tmp_path: Path) -> None:
    write_case(case, tmp_path)
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump(case_policy(case)))
    got = run_attribute(tmp_path, str(policy))
    for entity, expected in case["expected"].items():
        assert got[entity] == VERDICT[expected], f"{entity}: {case['why']}"


REGIMES = {
    "ofac": ("ofac-50", "SDN", "2026-11-28"),
    "bis_affiliates": ("bis-affiliates", "ENTITY_LIST", "2025-10-15"),
    "eu": ("eu", "EU_CONSOLIDATED", "2026-11-28"),
    "uk": ("uk", "UK_SANCTIONS", "2026-11-28"),
}
REGIME_CASES = [c for c in CASES if c["regime"] in REGIMES]


@pytest.mark.parametrize("case", REGIME_CASES, ids=[c["id"] for c in REGIME_CASES])
def test_case_under_its_regimes_shipped_policy(case: dict[str, Any], tmp_path: Path) -> None:
    policy, list_name, as_of = REGIMES[case["regime"]]
    write_case(case, tmp_path, list_name=list_name)
    got = run_attribute(tmp_path, policy, as_of)
    for entity, expected in case["expected"].items():
        assert got[entity] == VERDICT[expected], f"{entity}: {case['why']}"


def test_regime_cases_exist_for_every_regime() -> None:
    assert {c["regime"] for c in REGIME_CASES} == set(REGIMES)
