"""`ringfence explain`: the proof in words, as data, and as a picture."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from ringfence.cli.main import app

runner = CliRunner()
PUBLIC = Path(__file__).resolve().parents[2] / "src" / "ringfence" / "data" / "public-groups"
AS_OF = "2026-11-28"


def explain(public_snapshot: Path, entity: str, *extra: str) -> str:
    result = runner.invoke(app, ["explain", str(public_snapshot), entity, "--as-of", AS_OF, *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_text_walks_from_the_entity_to_its_origin_with_sources(public_snapshot: Path) -> None:
    out = explain(public_snapshot, "tiktok_inc")
    assert "tiktok_inc" in out and "RESTRICTED" in out
    assert "held by tiktok_llc" in out and "held by tiktok_ltd" in out
    assert "held by bytedance" in out  # the chain is shown up to ByteDance
    assert "origin: headquarters in CN" in out
    assert "holdings.csv, line 4" in out  # the TikTok LLC -> TikTok Inc. row


def test_json_proof_carries_every_edge_with_share_dates_and_source(public_snapshot: Path) -> None:
    proof = json.loads(explain(public_snapshot, "tiktok_inc", "--json"))
    assert proof["verdict"] == "restricted" and proof["lower"] == 1.0
    assert proof["policy"]["name"] == "provider-terms"
    edges = {(e["owner"], e["owned"]): e for e in proof["edges"]}
    edge = edges[("tiktok_llc", "tiktok_inc")]
    assert edge["share"] == {"exact": 1.0} and edge["valid_from"] is None  # start not sourced
    assert edge["source"]["line"] == 4 and "ousaite" in edge["source"]["note"]
    top = edges[("bytedance", "tiktok_ltd")]
    assert top["share"] == {"exact": 1.0} and top["valid_from"] == "2017-11-30"
    nodes = {n["entity"]: n for n in proof["nodes"]}
    # TikTok Ltd.'s headquarters has no source, so it is left unknown and the chain runs
    # on to ByteDance, whose headquarters makes it the origin.
    assert not nodes["tiktok_ltd"]["hq_country"] and not nodes["tiktok_ltd"]["origin_reasons"]
    assert nodes["bytedance"]["hq_country"] == "CN" and nodes["bytedance"]["origin_reasons"]


def test_uncertain_verdict_marks_what_is_not_certain(public_snapshot: Path,
                                                   tmp_path: Path) -> None:
    # Dalian Wanda held "37.7% to 100%" of AMC from its IPO until October 2020: more than
    # 50% is possible, not certain. The shipped policy starts in 2025, so the test dates
    # a copy of it back to 2010 to evaluate 2015.
    policy = yaml.safe_load((PUBLIC.parents[1] / "policies" / "provider-terms.yaml")
                            .read_text())
    policy["effective_from"] = "2010-01-01"
    f = tmp_path / "pt2010.yaml"
    f.write_text(yaml.safe_dump(policy))
    result = runner.invoke(app, ["explain", str(public_snapshot), "amc", "--as-of",
                                 "2015-06-30", "--policy", str(f), "--json"])
    assert result.exit_code == 0, result.output
    proof = json.loads(result.stdout)
    assert proof["verdict"] == "uncertain"
    assert proof["lower"] <= 0.5 < proof["upper"]
    edge = next(e for e in proof["edges"] if e["owner"] == "dalian_wanda")
    assert "range" in edge["uncertain"]


def test_svg_draws_boxes_and_labelled_arrows(public_snapshot: Path, tmp_path: Path) -> None:
    svg = tmp_path / "chain.svg"
    explain(public_snapshot, "tiktok_inc", "--svg", str(svg))
    root = ET.fromstring(svg.read_text())
    ns = {"s": "http://www.w3.org/2000/svg"}
    texts = [t.text or "" for t in root.iterfind(".//s:text", ns)]
    assert any("TikTok Inc." in t for t in texts)
    assert any("TikTok Ltd." in t for t in texts)
    assert any("ByteDance Ltd." in t for t in texts)
    assert "100%" in texts
    assert len(root.findall(".//s:line", ns)) == 3  # three holdings in the chain
    assert len(root.findall(".//s:rect", ns)) >= 5  # background + four entities


def test_look_through_proof_lists_heaviest_paths(public_snapshot: Path, tmp_path: Path) -> None:
    policy = yaml.safe_load((PUBLIC.parents[1] / "policies" / "provider-terms.yaml")
                            .read_text())
    policy["ownership"]["propagation"] = "look_through"
    f = tmp_path / "lt.yaml"
    f.write_text(yaml.safe_dump(policy))
    proof = json.loads(explain(public_snapshot, "tiktok_inc", "--policy", str(f), "--json"))
    assert proof["verdict"] == "restricted" and proof["paths"], proof
    top = proof["paths"][0]
    assert top["entities"] == ["bytedance", "tiktok_ltd", "tiktok_llc", "tiktok_inc"]
    assert top["product"] == pytest.approx(1.0)
    assert "path 1: bytedance → tiktok_ltd → tiktok_llc → tiktok_inc" in explain(
        public_snapshot, "tiktok_inc", "--policy", str(f))
    # Tencent's 51.2% of Halti times Halti's 81.4% of Supercell is 41.7%: clear when
    # shares are multiplied down the chain, and the proof says how close it came.
    clear = json.loads(explain(public_snapshot, "supercell", "--policy", str(f), "--json"))
    assert clear["verdict"] == "clear"
    assert clear["upper"] == pytest.approx(0.512 * 0.814)
    assert any("upper bound" in note for note in clear["notes"])


def test_unknown_entity_is_a_clear_error(public_snapshot: Path) -> None:
    result = runner.invoke(app, ["explain", str(public_snapshot), "no_such_company"])
    assert result.exit_code == 2
    assert "no entity 'no_such_company'" in result.output


def test_explain_equity_no_record_holds(public_snapshot: Path, tmp_path: Path) -> None:
    """Under ``unaccounted_equity: unknown`` a proof leans on the part of an equity no
    record holds: it is shown without a source (it crashed on a sentinel row before)."""
    policy = tmp_path / "unknown-equity.yaml"
    policy.write_text("name: unknown-equity\nrestricted_regions: [CN]\n"
                      "unaccounted_equity: unknown\n")
    attributed = runner.invoke(app, ["attribute", str(public_snapshot), "-p", str(policy),
                                     "--as-of", AS_OF, "--json"])
    assert attributed.exit_code == 0, attributed.output
    uncertain = [v["entity"] for v in json.loads(attributed.stdout)["verdicts"]
                 if v["verdict"] == "uncertain"]
    assert uncertain
    leaning = 0
    for entity in uncertain:
        proof = json.loads(explain(public_snapshot, entity, "-p", str(policy), "--json"))
        for edge in proof["edges"]:
            if "unaccounted_equity" in edge["uncertain"]:
                leaning += 1
                assert edge["source"] is None and edge["row"] is None
            else:
                assert edge["source"]["dataset"] and edge["row"] >= 0
        text = explain(public_snapshot, entity, "-p", str(policy))
        assert "UNCERTAIN" in text
    assert leaning
