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
    # stored backwards inside a right-to-left override, so that it is shown the right way
    ("\u202e.dtL ecnaDetyB\u202c", "bytedance", "invisible"),
    # small capitals
    ("\u0299\u028f\u1d1b\u1d07\u1d05\u1d00\u0274\u1d04\u1d07 Ltd.", "bytedance", "confusable"),
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


@pytest.mark.parametrize("name", ["B y t e D a n c e Ltd.", "B.Y.T.E.D.A.N.C.E Ltd."])
def test_a_name_spelt_letter_by_letter_is_denied(db_engine: Engine, snap: Path, name: str) -> None:
    with service(db_engine, snap) as (client, rt):
        an = token(rt, "analyst")
        org = client.post("/v1/organizations", json={"name": name, "country": "US"}, headers=an)
        assert org.status_code == 201, org.text
        assert org.json()["status"] == "denied", org.json()
        assert org.json()["entity_id"] == "bytedance"


def test_plain_name_carries_no_disguise_reason(db_engine: Engine, snap: Path) -> None:
    with service(db_engine, snap) as (client, rt):
        an = token(rt, "analyst")
        for name in ("ByteDance Ltd.", "ＢｙｔｅＤａｎｃｅ Ltd.", "TCL科技集团股份有限公司",
                     "DSM Grup Danışmanlık İletişim ve Satış Ticaret A.Ş."):
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


# (declared name, country): a restricted group's whole name with words of its own (a
# subsidiary named after it, or a reuse of its name), and a clear company's name written
# beside a restricted one's (Shell plc and Oracle are clear, Rosneft and Huawei
# restricted; the clear lead comes first, the restricted one among its alternatives)
LEADS = [
    ("Tencent Shipping Lines Ltd", "HU"),
    ("BYTEDANCE LOGISTICS KFT", "HU"),
    ("Shell Rosneft Trading", "GB"),
    ("Oracle Huawei Solutions Ltd", "GB"),
]


@pytest.mark.parametrize(("name", "country"), LEADS)
def test_a_restricted_name_inside_the_declared_one_goes_to_review(
    db_engine: Engine, snap: Path, name: str, country: str
) -> None:
    # nothing matches, but not "no match, allowed" either: the analyst sees the entity
    # the declaration came near and every other whole name in it
    with service(db_engine, snap) as (client, rt):
        an = token(rt, "analyst")
        org = client.post("/v1/organizations", json={"name": name, "country": country},
                          headers=an).json()
        assert org["status"] == "review", (org["reasons"], org["match"])
        assert [x["code"] for x in org["reasons"]] == ["name_within"], org
        reason = org["reasons"][0]
        assert org["entity_id"] == reason["evidence"]["entity_id"]
        if reason["evidence"]["verdict"] != "restricted":  # the clear lead: the
            # restricted name is among its alternatives
            assert reason["evidence"]["alternatives"], reason
