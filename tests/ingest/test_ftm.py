"""FollowTheMoney: small synthetic fixtures (no FtM data may be shipped)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ringfence.exc import IngestError
from ringfence.ingest.synth import make_lei
from ringfence.model import SCALE


def _write(path: Path, entities: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in entities))
    return path


def test_ftm_entities_and_edges(ingest, tmp_path: Path) -> None:
    lei = make_lei(5)
    f = _write(tmp_path / "e.ftm.json", [
        {"id": "co-1", "schema": "Company", "properties": {
            "name": ["Alpha Trading Ltd", "阿尔法贸易有限公司"], "jurisdiction": ["sg"],
            "mainCountry": ["cn"], "leiCode": [lei], "uscCode": ["91330783717672584H"]}},
        {"id": "co-2", "schema": "Organization", "properties": {"name": ["Beta Holdings"],
                                                                "jurisdiction": ["ky"]}},
        {"id": "pb-1", "schema": "PublicBody", "properties": {"name": ["SASAC"],
                                                              "country": ["cn"]}},
        {"id": "p-1", "schema": "Person", "properties": {"name": ["Ivan Petrov"],
                                                         "nationality": ["ru"]}},
        {"id": "own-1", "schema": "Ownership", "properties": {
            "owner": ["co-2"], "asset": ["co-1"], "percentage": ["51.5%"],
            "startDate": ["2020-03-01"]}},
        {"id": "own-2", "schema": "Ownership", "properties": {
            "owner": ["p-1"], "asset": ["co-1"], "percentage": ["25–50%"]}},
        {"id": "own-3", "schema": "Ownership", "properties": {
            "owner": ["pb-1"], "asset": ["co-2"], "percentage": ["more than 50%"]}},
        {"id": "own-4", "schema": "Ownership", "properties": {
            "owner": ["pb-1"], "asset": ["co-1"], "ownershipType": ["ultimate"]}},
        {"id": "ctl-1", "schema": "Control", "properties": {
            "controller": ["pb-1"], "controlled": ["co-2"], "controlType": ["voting"]}},
        {"id": "dir-1", "schema": "Directorship", "properties": {
            "director": ["p-1"], "organization": ["co-2"]}},
        {"id": "addr-1", "schema": "Address", "properties": {"full": ["somewhere"]}},
    ])
    snap = ingest(("ftm", [f]))
    co1 = f"lei:{lei}"
    e = snap.entity(co1)
    assert (e["hq_country"], e["jurisdiction"]) == ("CN", "SG")
    assert snap.entity("ftm:pb-1")["type"] == "state"
    assert snap.entity("ftm:p-1")["hq_country"] == "RU"
    rows = snap.holdings(co1)
    assert ("ftm:co-2", "shares", SCALE * 515 // 1000, SCALE * 515 // 1000) in [
        r[:4] for r in rows]
    assert ("ftm:p-1", "shares", SCALE // 4, SCALE // 2, True, False) in [r[:6] for r in rows]
    assert snap.holdings("ftm:co-2")[0][:5] == ("ftm:pb-1", "shares", SCALE // 2, SCALE, True)
    assert snap.holdings("ftm:co-2")[1][:4] == ("ftm:pb-1", "votes", 0, SCALE)
    assert {r[0] for r in snap.q("SELECT relation FROM evidence")} == {
        "ftm:ownership:ultimate", "ftm:directorship"}
    assert ("cn_uscc", "91330783717672584H") in snap.q(
        "SELECT scheme, value FROM identifiers WHERE entity = ?", co1)


def test_ftm_bad_input(ingest, tmp_path: Path) -> None:
    f = _write(tmp_path / "bad.json", [
        {"id": "a", "schema": "Company", "properties": {"name": ["A"]}},
        {"id": "o1", "schema": "Ownership", "properties": {
            "owner": ["ghost"], "asset": ["a"], "percentage": ["51"]}},
        {"id": "o2", "schema": "Ownership", "properties": {
            "owner": ["a"], "asset": ["a2"], "percentage": ["lots"]}},
        {"id": "x", "schema": "Company", "properties": {"name": "not-a-list-is-ok"}},
        {"id": "y", "schema": "Company", "properties": {"name": [1, 2]}},
    ])
    with pytest.raises(IngestError) as err:
        ingest(("ftm", [f]))
    got = {(p.line, p.field) for p in err.value.problems}
    assert (3, "properties.percentage") in got
    assert (5, "properties.name") in got
