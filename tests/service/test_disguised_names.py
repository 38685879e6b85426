"""Disguised names of a restricted company, onboarded through HTTP: denied, with the
normalisation that read them named in the reasons (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rf_service import public_groups_snapshot, service, token
from sqlalchemy import Engine

# (declared name, entity it names, the change the reason must name)
DISGUISES = [
    ("Byte\u200bDance Ltd.", "bytedance", "invisible"),  # zero-width space
    ("Byte\u00adDance Ltd.", "bytedance", "invisible"),  # soft hyphen
    ("Ten\u200bcent Holdings Limited", "tencent", "invisible"),
    ("\u202eByteDance Ltd.", "bytedance", "invisible"),  # right-to-left override
    ("\u0410libab\u0430 Group Holding Limited", "alibaba", "confusable"),  # Cyrillic А, а
    ("T\u0435nc\u0435nt Holdings Limited", "tencent", "confusable"),  # Cyrillic е
    ("Byte\x00Dance Ltd.", "bytedance", "control"),
]


@pytest.fixture(scope="module")
def snap(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return public_groups_snapshot(tmp_path_factory.mktemp("disguise") / "s")


@pytest.mark.parametrize(("name", "entity", "change"), DISGUISES)
def test_disguised_name_is_denied_with_the_normalisation_named(
    db_engine: Engine, snap: Path, name: str, entity: str, change: str
) -> None:
    with service(db_engine, snap) as (client, rt):
        an, gw = token(rt, "analyst"), token(rt, "gateway")
        r = client.post("/v1/organizations", json={"name": name, "country": "US"}, headers=an)
        assert r.status_code == 201, r.text
        org = r.json()
        assert org["status"] == "denied", org
        assert org["entity_id"] == entity
        codes = [x["code"] for x in org["reasons"]]
        assert codes[0] == "entity_restricted"
        disguise = next(x for x in org["reasons"] if x["code"] == "name_disguised")
        assert change in disguise["evidence"]["changes"]
        assert "\x00" not in org["name"]
        acc = client.post(f"/v1/organizations/{org['id']}/accounts", json={}, headers=an).json()
        d = client.post("/v1/decide", json={"account_id": acc["id"]}, headers=gw)
        assert d.status_code == 200 and d.json()["decision"] == "DENY"


def test_plain_name_carries_no_disguise_reason(db_engine: Engine, snap: Path) -> None:
    with service(db_engine, snap) as (client, rt):
        an = token(rt, "analyst")
        for name in ("ByteDance Ltd.", "ＢｙｔｅＤａｎｃｅ Ltd.", "TCL科技集团股份有限公司"):
            org = client.post("/v1/organizations", json={"name": name}, headers=an).json()
            assert "name_disguised" not in [x["code"] for x in org["reasons"]], (name, org)


def test_disguised_name_of_no_entity_goes_to_review(db_engine: Engine, snap: Path) -> None:
    with service(db_engine, snap) as (client, rt):
        an = token(rt, "analyst")
        org = client.post("/v1/organizations", json={"name": "Qu\u200bixotic Widgets GmbH"},
                          headers=an).json()
        assert org["entity_id"] is None
        assert org["status"] == "review"
        assert [x["code"] for x in org["reasons"]] == ["name_disguised", "no_match"]


@pytest.mark.parametrize("name", ["Tencent Shipping Lines Ltd", "BYTEDANCE LOGISTICS KFT"])
def test_a_restricted_name_with_words_of_its_own_goes_to_review(
    db_engine: Engine, snap: Path, name: str
) -> None:
    # no match (a subsidiary named after the group, or a reuse of its name), but not
    # "no match, allowed" either: the analyst sees the entity it came near
    with service(db_engine, snap) as (client, rt):
        an = token(rt, "analyst")
        org = client.post("/v1/organizations", json={"name": name, "country": "HU"},
                          headers=an).json()
        assert org["status"] == "review", (org["reasons"], org["match"])
        reason = org["reasons"][0]
        assert reason["code"] == "name_within", org
        assert reason["evidence"]["verdict"] == "restricted"
        assert org["entity_id"] == reason["evidence"]["entity_id"]


@pytest.mark.parametrize("name", ["Shell Rosneft Trading", "Oracle Huawei Solutions Ltd"])
def test_a_clear_name_written_beside_a_restricted_one_goes_to_review(
    db_engine: Engine, snap: Path, name: str
) -> None:
    # Shell plc and Oracle are clear, Rosneft and Huawei restricted; each name is whole
    # inside the declaration and nothing matches. The clear lead comes first: the
    # restricted one among its alternatives must still send the declaration to review.
    with service(db_engine, snap) as (client, rt):
        an = token(rt, "analyst")
        org = client.post("/v1/organizations", json={"name": name, "country": "GB"},
                          headers=an).json()
        assert org["status"] == "review", (org["reasons"], org["match"])
        assert [x["code"] for x in org["reasons"]] == ["name_within"], org
        assert org["match"]["alternatives"], org["match"]
