"""Every name the data carries is screened with its kind: which alias matched, a former
name says so, a weak alias scores lower. Through ``ringfence ingest`` and ``ringfence
screen`` on a snapshot merged from the bundled public-groups CSV (with a names file of our
own carrying kinds) and a FollowTheMoney file (alias, previousName, weakAlias)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ringfence.cli.main import app
from ringfence.packaged.screening_eval import public_groups_dir

PUBLIC = public_groups_dir()
runner = CliRunner()

# Invented names (no real organisation), so nothing but the recorded alias can match.
FTM = [
    {"id": "nw", "schema": "Company", "properties": {
        "name": ["Northwind Traders Limited"], "country": ["gb"],
        "alias": ["Fabrikam Logistics Limited"],
        "previousName": ["Contoso Shipping Limited"],
        "weakAlias": ["Litware Tankers"]}},
    {"id": "aw", "schema": "Company", "properties": {
        "name": ["Adventure Works Limited"], "country": ["gb"],
        "alias": ["Tailspin Tankers"]}},
]
CSV_NAMES = [  # entity, name, kind, dates: added to the bundled names of existing entities
    ("rosneft", "Wingtip Petroleum Company", "former", "", ""),
    ("rosneft", "Proseware Oil Trading", "weak_alias", "2015-04-01", ""),
    ("rosneft", "Fourth Coffee Petroleum", "former", "2005-01-01", "2012-03-22"),
    ("lukoil", "Humongous Refining Holdings", "former", "", "2019-03-01"),
]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kinds")
    csv_dir = root / "csv"
    csv_dir.mkdir()
    for name in ("entities", "holdings", "identifiers"):
        shutil.copy(PUBLIC / f"{name}.csv", csv_dir / f"{name}.csv")
    with (PUBLIC / "names.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows += [{"entity": e, "name": n, "lang": "en", "script": "Latn", "kind": k,
              "valid_from": since, "valid_to": until} for e, n, k, since, until in CSV_NAMES]
    with (csv_dir / "names.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["entity", "name", "lang", "script", "kind",
                                          "valid_from", "valid_to"], restval="")
        w.writeheader()
        w.writerows(rows)
    ftm = root / "ftm.jsonl"
    ftm.write_text("".join(json.dumps(x) + "\n" for x in FTM), encoding="utf-8")
    out = root / "snap"
    result = runner.invoke(app, ["ingest", "multi", "-s", f"csv:{csv_dir}", "-s",
                                 f"ftm:{ftm}", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _screen(snap: Path, name: str) -> dict[str, Any]:
    result = runner.invoke(app, ["screen", str(snap), "--name", name, "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["candidates"], f"nothing found for {name!r}"
    top: dict[str, Any] = out["candidates"][0]
    return top


def _kinds(cand: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["feature"], e["b"]) for e in cand["explanation"]
            if e["feature"].startswith("name_kind:")]


@pytest.mark.parametrize(("query", "entity", "feature", "alias"), [
    ("Contoso Shipping Ltd", "ftm:nw", "name_kind:former name", "Contoso Shipping Limited"),
    ("Fabrikam Logistics", "ftm:nw", "name_kind:alias", "Fabrikam Logistics Limited"),
    ("Wingtip Petroleum Co", "rosneft", "name_kind:former name", "Wingtip Petroleum Company"),
    # the dates the source gave the name are part of the reason
    ("Fourth Coffee Petroleum", "rosneft", "name_kind:former name, 2005-01-01 to 2012-03-22",
     "Fourth Coffee Petroleum"),
    ("Humongous Refining Holdings", "lukoil", "name_kind:former name, until 2019-03-01",
     "Humongous Refining Holdings"),
])
def test_alias_match_names_the_alias_and_its_kind(
    snapshot: Path, query: str, entity: str, feature: str, alias: str
) -> None:
    top = _screen(snapshot, query)
    assert top["entity"] == entity and top["match"] is True
    assert _kinds(top) == [(feature, alias)]


def test_legal_name_match_has_no_alias_reason(snapshot: Path) -> None:
    top = _screen(snapshot, "Northwind Traders Limited")
    assert top["entity"] == "ftm:nw" and top["match"] is True
    assert _kinds(top) == []


def test_weak_alias_scores_lower_than_the_same_name_as_alias(snapshot: Path) -> None:
    # "Litware Tankers" is a weak alias of nw, "Tailspin Tankers" a plain alias of aw:
    # the same shape of name, one of them recorded as weak.
    weak = _screen(snapshot, "Litware Tankers")
    plain = _screen(snapshot, "Tailspin Tankers")
    assert weak["entity"] == "ftm:nw" and plain["entity"] == "ftm:aw"
    assert _kinds(weak) == [("name_kind:weak alias", "Litware Tankers")]
    assert _kinds(plain) == [("name_kind:alias", "Tailspin Tankers")]
    assert weak["score"] < plain["score"]
    csv_weak = _screen(snapshot, "Proseware Oil Trading")
    assert csv_weak["entity"] == "rosneft"
    assert _kinds(csv_weak) == [("name_kind:weak alias, since 2015-04-01",
                                 "Proseware Oil Trading")]
    assert csv_weak["score"] < 1.0


@pytest.fixture(scope="module")
def demo_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ringfence.ingest.default import build_default_snapshot

    out = tmp_path_factory.mktemp("demo") / "default"
    build_default_snapshot(out)
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("query", "entity", "feature", "alias"), [
    # OFAC SDN f.k.a. and UK HMT former names; an OFAC weak a.k.a.
    ("Kyongyong Credit Bank", "ofac:22985", "name_kind:former name", "KYONGYONG CREDIT BANK"),
    ("Korea Changgwang Credit Bank", "ukhmt:10894", "name_kind:former name",
     "KOREA CHANGGWANG CREDIT BANK"),
    ("Guardians of Peace", "ofac:27307", "name_kind:weak alias", "GUARDIANS OF PEACE"),
])
def test_demo_list_aliases_match_with_their_kind(
    demo_snapshot: Path, query: str, entity: str, feature: str, alias: str
) -> None:
    top = _screen(demo_snapshot, query)
    assert top["entity"] == entity and top["match"] is True
    assert top["verdict"] == "restricted"
    assert _kinds(top) == [(feature, alias)]
    if feature.endswith("weak alias"):
        assert top["score"] < 1.0


def test_kind_tokens_round_trip_and_refuse_bad_dates() -> None:
    from ringfence.resolve.kinds import describe_kind, kind_of, kind_token, parse_kind

    for kind, since, until, label in [
        ("former", "", "", "former name"),
        ("former", "", "2019-03-01", "former name, until 2019-03-01"),
        ("alias", "2021-06-01", "", "alias, since 2021-06-01"),
        ("trade", "2001-01-01", "2002-01-01", "trade name, 2001-01-01 to 2002-01-01"),
    ]:
        token = kind_token(kind, since, until)
        assert parse_kind(token) == (kind, since, until)
        assert describe_kind(token) == label
        assert kind_of((token,), 0) == kind
    for since, until in (("2019-02-30", ""), ("", "19-03-01"), ("2020-01-01", "2020-01-01")):
        with pytest.raises(ValueError):
            kind_token("former", since, until)
