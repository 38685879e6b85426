"""One disguised name of a restricted company (a zero-width space and a Cyrillic look-alike
letter in one word) through every path that screens a declared name: ``ringfence
screen``, batch ``screen --input``, onboarding over HTTP and an intermediary's
end-customer attestation. Each must find the restricted entity, because each reads the
name through the same ``clean_name`` the index was built with (issue 14, item 1); and the
index side normalises the same way (a disguised *indexed* name is found by the plain
query)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from rf_service import public_groups_snapshot, service, token
from sqlalchemy import Engine
from typer.testing import CliRunner

from ringfence.cli.main import app
from ringfence.resolve import EntityNames, Record, ScreeningIndex

# Latin "ByteDance" with a Cyrillic е (U+0435) and a zero-width space inside the word
DISGUISED = "Byt\u0435\u200bDance Ltd."
ENTITY = "bytedance"
runner = CliRunner()


@pytest.fixture(scope="module")
def snap(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return public_groups_snapshot(tmp_path_factory.mktemp("paths") / "s")


def test_index_and_query_read_names_alike() -> None:
    plain, disguised = "ByteDance Ltd.", DISGUISED
    for indexed, query in ((disguised, plain), (plain, disguised)):
        index = ScreeningIndex.build([EntityNames("x", (indexed,)),
                                      EntityNames("y", ("Bytemark Holdings Ltd.",))])
        found = index.search(Record.of(query), limit=1)
        assert found and found[0].entity_id == "x" and found[0].match, (indexed, query)


def test_cli_screen(snap: Path) -> None:
    r = runner.invoke(app, ["screen", str(snap), "--name", DISGUISED, "--json"])
    assert r.exit_code == 0, r.output
    top = json.loads(r.stdout)["candidates"][0]
    assert (top["entity"], top["match"], top["verdict"]) == (ENTITY, True, "restricted")
    features = [e["feature"] for e in top["explanation"]]
    assert "normalised:invisible" in features, features
    plain = json.loads(runner.invoke(app, ["screen", str(snap), "--name", "ByteDance Ltd.",
                                           "--json"]).stdout)["candidates"][0]
    assert plain["score"] == top["score"]


def test_cli_batch(snap: Path, tmp_path: Path) -> None:
    orgs, out = tmp_path / "orgs.csv", tmp_path / "results.csv"
    with orgs.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "country", "id"])
        w.writerow([DISGUISED, "", ""])
        w.writerow(["Spotify Technology S.A.", "LU", ""])
    r = runner.invoke(app, ["screen", str(snap), "--input", str(orgs), "--output", str(out)])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert (rows[0]["entity"], rows[0]["match"], rows[0]["verdict"]) == (
        ENTITY, "true", "restricted")
    assert rows[1]["entity"] != ENTITY


def test_onboarding(db_engine: Engine, snap: Path) -> None:
    with service(db_engine, snap) as (client, rt):
        an = token(rt, "analyst")
        org = client.post("/v1/organizations", json={"name": DISGUISED}, headers=an).json()
        assert (org["status"], org["entity_id"]) == ("denied", ENTITY), org
        reason = next(x for x in org["reasons"] if x["code"] == "name_disguised")
        assert {"invisible", "confusable"} <= set(reason["evidence"]["changes"])


def test_end_customer_attestation(db_engine: Engine, snap: Path) -> None:
    with service(db_engine, snap) as (client, rt):
        admin, an = token(rt, "admin"), token(rt, "analyst")
        cloud = client.post("/v1/organizations", json={"name": "Oracle Corporation",
                                                       "country": "US"}, headers=an).json()
        r = client.post("/v1/channels", json={"org_id": cloud["id"], "kind": "reseller"},
                        headers=admin)
        assert r.status_code == 201, r.text
        h = {"Authorization": "Bearer " + client.post(
            "/v1/admin/tokens", json={"role": "intermediary", "channel": cloud["id"]},
            headers=admin).json()["token"]}
        r = client.post(f"/v1/channels/{cloud['id']}/end-customers", json={"end_customers": [
            {"ref": "c1", "name": DISGUISED}, {"ref": "c2", "name": "Supercell Oy"}]},
            headers=h)
        assert r.status_code == 200, r.text
        status = {i["ref"]: i["status"] for i in r.json()["items"]}
        assert status["c1"] == "denied"
        # the analyst sees why: the same entity and the normalisation named
        listed = client.get(f"/v1/channels/{cloud['id']}/end-customers", headers=an).json()
        org_id = next(i["org_id"] for i in listed["items"] if i["ref"] == "c1")
        org = client.get(f"/v1/organizations/{org_id}", headers=an).json()
        assert org["entity_id"] == ENTITY
        reason = next(x for x in org["reasons"] if x["code"] == "name_disguised")
        assert {"invisible", "confusable"} <= set(reason["evidence"]["changes"])
