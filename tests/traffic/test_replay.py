"""Replay of the tiny hand-made log: outcomes per group, rejects, findings, no look-ahead."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import tinylog

from ringfence.traffic.replay import replay


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> tuple[tinylog.TinyLog, Path]:
    root = tmp_path_factory.mktemp("tiny")
    log = tinylog.build()
    data = log.write(root / "data", garbage=True)
    report = replay(data, root / "out")
    assert report.rejects == 2
    return log, root


def _final(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "final.csv", newline="") as fh:
        return {r["account_id"]: r for r in csv.DictReader(fh)}


def _actions(out: Path) -> list[dict[str, str]]:
    with open(out / "actions.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_groups_get_the_actions_they_should(replayed: tuple[tinylog.TinyLog, Path]) -> None:
    log, root = replayed
    final = _final(root / "out")
    by: dict[str, Counter[str]] = defaultdict(Counter)
    for account, group in log.truth.items():
        by[group][final[account]["action"]] += 1
    assert by["hydra"] == {"suspend": 10}
    assert by["hydra-replacement"] == {"suspend": 2}
    assert by["organic"] == {"none": 30}
    assert by["oss"] == {"none": 12}  # a shared framework system prompt links nobody
    for group in ("agency", "labelling"):  # one tell-tale each: review at most
        assert "suspend" not in by[group] and "throttle" not in by[group], by[group]


def test_rejects_name_line_and_reason(replayed: tuple[tinylog.TinyLog, Path]) -> None:
    _log, root = replayed
    rejects = [json.loads(x) for x in (root / "out" / "rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["reason"].split(":")[0]) for r in rejects] == [
        (11, "not JSON"), (21, "field 'ts' is not an ISO-8601 time")]


def test_every_suspended_account_in_exactly_one_finding(
        replayed: tuple[tinylog.TinyLog, Path]) -> None:
    _log, root = replayed
    final = _final(root / "out")
    findings = [json.loads(x) for x in (root / "out" / "findings.jsonl").read_text().splitlines()]
    seen = Counter(a for f in findings for a in f["account_ids"])
    for account, row in final.items():
        if row["action"] == "suspend":
            assert seen[account] == 1, account
    for f in findings:
        assert {"cluster_id", "account_ids", "org_ids", "action", "score", "first_flagged",
                "evidence"} <= f.keys()
        assert f["evidence"] and all(e["detail"] for e in f["evidence"])
        assert len(f["excerpts"]) <= 5 and all(len(x) <= 200 for x in f["excerpts"])


def test_hydra_replacement_joins_its_cluster_on_first_requests(
        replayed: tuple[tinylog.TinyLog, Path]) -> None:
    log, root = replayed
    rows = _actions(root / "out")
    final = _final(root / "out")
    hydra_cluster = final["acc-hydra1"]["cluster_id"]
    assert hydra_cluster
    first_request = min(t for t, r in log.requests if r["account_id"] == "acc-hrepl0")
    suspended = [r for r in rows if r["account_id"] == "acc-hrepl0" and r["action"] == "suspend"]
    assert suspended and suspended[0]["cluster_id"] == hydra_cluster
    at = dt.datetime.fromisoformat(suspended[0]["checkpoint"])
    assert at - first_request <= dt.timedelta(hours=1)


def test_no_look_ahead(replayed: tuple[tinylog.TinyLog, Path], tmp_path: Path) -> None:
    """A log cut at hour h gives the same action rows up to h."""
    log, root = replayed
    cut = tinylog.START + dt.timedelta(hours=40)
    short = tinylog.TinyLog(accounts=log.accounts, orgs=log.orgs,
                            requests=[r for r in log.requests if r[0] < cut])
    data = short.write(tmp_path / "data", garbage=True)
    replay(data, tmp_path / "out")
    stamp = cut.strftime("%Y-%m-%dT%H:%M:%SZ")
    full = [r for r in _actions(root / "out") if r["checkpoint"] <= stamp]
    part = [r for r in _actions(tmp_path / "out") if r["checkpoint"] <= stamp]
    assert full and part == full
