"""Bad input: every problem named with file, line or record, field and reason; strict
publishes nothing; --skip-bad publishes the rest and writes rejects; field-name drift
seen in real files is accepted."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ringfence.exc import IngestError
from ringfence.ingest.run import ingest_csv
from ringfence.ingest.synth import make_lei
from ringfence.model import SCALE

from .conftest import DATA

LEI_A, LEI_B = make_lei(1), make_lei(2)


def _bods_entity(rec: str, name: str = "X LTD") -> dict[str, object]:
    return {"statementId": f"s-{rec}-0000000000000000000000000000", "recordId": rec,
            "recordType": "entity", "statementDate": "2024-01-01",
            "recordDetails": {"isComponent": False, "entityType": {"type": "registeredEntity"},
                              "name": name}}


def _bods_rel(rec: str, subject: str, party: object, share: object) -> dict[str, object]:
    return {"statementId": f"s-{rec}-0000000000000000000000000000", "recordId": rec,
            "recordType": "relationship", "statementDate": "2024-01-01",
            "recordDetails": {"isComponent": False, "subject": subject,
                              "interestedParty": party,
                              "interests": [{"type": "shareholding",
                                             "directOrIndirect": "direct",
                                             "share": share}]}}


def _lines(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows)
                    + "\n")
    return path


def test_bods_problems_named_and_nothing_published(ingest, tmp_path: Path) -> None:
    f = _lines(tmp_path / "bad.jsonl", [
        _bods_entity("a"), _bods_entity("b"),
        _bods_rel("r1", "a", "b", {"exact": 150}),                      # impossible share
        _bods_rel("r2", "a", "nobody", {"exact": 10}),                  # dangling
        '{"recordId": "x", "recordType": "entity", ',                   # malformed line
        {**_bods_entity("c"), "recordType": "organisation"},            # unknown enum
        _bods_rel("r3", "a", "b", {"minimum": 60, "maximum": 40}),      # min > max
    ])
    with pytest.raises(IngestError) as err:
        ingest(("bods", [f]))
    got = {(p.line, p.field) for p in err.value.problems}
    assert {(3, "interests[0].share"), (5, None), (6, "recordType"),
            (7, "interests[0].share")} <= got
    assert all(p.location == "bods:bad.jsonl" for p in err.value.problems)
    assert not (tmp_path / "snap0").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".ringfence")] == []
    # dangling references are found after reading (all lines are read first)
    snap = ingest(("bods", [f]), skip_bad=True, rejects=tmp_path / "rej.csv")
    with (tmp_path / "rej.csv").open() as fh:
        rej = list(csv.DictReader(fh))
    assert {r["line"] for r in rej} == {"3", "4", "5", "6", "7"}
    assert any("dangling reference 'nobody'" in r["reason"] for r in rej)
    assert snap.q("SELECT count(*) FROM entities") == [(2,)]
    assert snap.q("SELECT count(*) FROM holdings") == [(0,)]


def test_gleif_problems(ingest, tmp_path: Path) -> None:
    xml = (DATA / "gleif" / "golden-copy-xml" / "repex-data.xml").read_text()
    bad = xml.replace("NO_KNOWN_PERSON", "MADE_UP_REASON", 1)
    head, _, tail = bad.rpartition("DIRECT_ACCOUNTING_CONSOLIDATION_PARENT")
    bad = head + "SIDEWAYS_PARENT" + tail  # another record than the reason above
    f = tmp_path / "repex.xml"
    f.write_text(bad)
    with pytest.raises(IngestError) as err:
        ingest(("gleif", [f]))
    fields = {p.field for p in err.value.problems}
    assert {"ExceptionReason", "ExceptionCategory"} <= fields
    assert all(p.line and p.record for p in err.value.problems)
    truncated = tmp_path / "lei.xml"
    truncated.write_text((DATA / "gleif" / "golden-copy-xml" / "lei-data.xml")
                         .read_text()[:30_000])
    with pytest.raises(IngestError) as err:
        ingest(("gleif", [truncated]))
    assert any("malformed XML" in p.reason and p.line for p in err.value.problems)
    # the records before the break are good: --skip-bad keeps them
    snap = ingest(("gleif", [truncated]), skip_bad=True)
    assert snap.q("SELECT count(*) FROM entities")[0][0] >= 5


def test_gleif_csv_header_variants(ingest, tmp_path: Path) -> None:
    f = tmp_path / "lei.csv"
    f.write_text(
        "LEI,Entity.LegalName,Entity.LegalName.xmllang,Entity.HeadquartersAddress.Country,"
        "Entity.LegalAddress.Country,Entity.LegalJurisdiction,Entity.EntityCategory,"
        "Entity.RegistrationAuthority.RegistrationAuthorityEntityID,"
        "Registration.LastUpdateDate\n"
        f"{LEI_A},Parent Co,en,CN,KY,KY,GENERAL,,2024-01-01T00:00:00Z\n"
        f"{LEI_B},Child Co,en,SG,SG,SG,GENERAL,,2024-01-01T00:00:00Z\n")
    rr = tmp_path / "rr.csv"
    rr.write_text(
        "Relationship.StartNode.NodeID,Relationship.StartNode.NodeIDType,"
        "Relationship.EndNode.NodeID,Relationship.EndNode.NodeIDType,"
        "Relationship.RelationshipType,Relationship.RelationshipStatus,"
        "Relationship.Period.1.startDate,Relationship.Period.1.endDate,"
        "Relationship.Period.1.periodType,Relationship.Period.2.startDate,"
        "Relationship.Period.2.endDate,Relationship.Period.2.periodType,"
        "Registration.RegistrationStatus\n"
        f"{LEI_B},LEI,{LEI_A},LEI,IS_DIRECTLY_CONSOLIDATED_BY,ACTIVE,2023-01-01,2023-12-31,"
        "ACCOUNTING_PERIOD,2019-05-01,,RELATIONSHIP_PERIOD,PUBLISHED\n")
    snap = ingest(("gleif", [f, rr]))
    assert snap.entity(f"lei:{LEI_A}")["hq_country"] == "CN"
    assert snap.entity(f"lei:{LEI_A}")["jurisdiction"] == "KY"
    rows = snap.holdings(f"lei:{LEI_B}")
    assert [(r[1], r[2], r[4], str(r[6])) for r in rows] == [
        ("control", SCALE // 2, True, "2019-05-01"), ("shares", 0, False, "2019-05-01")]


def test_field_drift_accepted(ingest) -> None:
    # 0.3-style references in 0.4 files, empty-string share bounds, country as a full
    # name, source.type as a string, unspecifiedReason: all in the Melli Bank files
    snap = ingest(("bods", [DATA / "bods" / "0.4-oo-published-ukpsc-ogl3" / "04152338.jsonl",
                            DATA / "bods" / "0.4-oo-published-gleif-cc0" /
                            "213800BC4TEGCCQH9V07.jsonl"]))
    assert snap.report.problem_count == 0
    assert snap.q("SELECT count(*) FROM holdings WHERE kind = 'control' AND lo = 0 "
                  "AND hi = ?", SCALE) == [(1,)]  # appointmentOfBoard with "" bounds


def test_unknown_country_code_rejected(ingest, tmp_path: Path) -> None:
    xml = (DATA / "gleif" / "golden-copy-xml" / "lei-data.xml").read_text()
    f = tmp_path / "lei.xml"
    f.write_text(xml.replace("<lei:Country>US</lei:Country>", "<lei:Country>QQ</lei:Country>",
                             1))
    with pytest.raises(IngestError) as err:
        ingest(("gleif", [f]))
    assert err.value.problems[0].field.endswith("/Country")


def test_unrecognised_country_names_are_problems(ingest, tmp_path: Path) -> None:
    ent = _bods_entity("a", "A LTD")
    ent["recordDetails"]["addresses"] = [  # type: ignore[index]
        {"type": "business", "address": "x", "country": {"name": "Narnia"}}]
    person = {"statementId": "s-p-0000000000000000000000000000000", "recordId": "p",
              "recordType": "person", "statementDate": "2024-01-01",
              "recordDetails": {"isComponent": False, "personType": "knownPerson",
                                "names": [{"fullName": "P Q"}],
                                "nationalities": [{"name": "Islamic Republic Of Iran"},
                                                  "Atlantis"]}}
    f = _lines(tmp_path / "c.jsonl", [ent, person])
    ftm = tmp_path / "e.ftm.json"
    ftm.write_text(json.dumps({"id": "co", "schema": "Company", "properties": {
        "name": ["Co"], "mainCountry": ["Oceania"], "jurisdiction": ["ky"]}}) + "\n")
    with pytest.raises(IngestError) as err:
        ingest(("bods", [f]), ("ftm", [ftm]))
    got = {(p.location, p.line, p.field, p.record) for p in err.value.problems}
    assert got == {("bods:c.jsonl", 1, "addresses[0].country", "a"),
                   ("bods:c.jsonl", 2, "nationalities[1]", "p"),
                   ("ftm:e.ftm.json", 1, "properties.mainCountry", "co")}
    assert all("unrecognised country" in p.reason for p in err.value.problems)
    # --skip-bad keeps the records, the country left empty, and says so
    snap = ingest(("bods", [f]), ("ftm", [ftm]), skip_bad=True, rejects=tmp_path / "r.csv")
    assert snap.entity("bods:a")["hq_country"] == ""
    assert snap.entity("bods:p")["hq_country"] == ""  # no residence given
    assert snap.entity("bods:p")["jurisdiction"] == "IR"  # a person's nationality
    assert snap.entity("ftm:co")["jurisdiction"] == "KY"
    assert any("3 record(s) kept with an unreadable field left empty" in n
               for n in snap.report.manifest.notes)
    with (tmp_path / "r.csv").open() as fh:
        assert {r["field"] for r in csv.DictReader(fh)} == {
            "addresses[0].country", "nationalities[1]", "properties.mainCountry"}


def test_a_failed_ingest_stops_hashing_its_inputs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The inputs' checksums are hashed on a thread while the merge runs; any failure
    after that (here: the rejects file cannot be written) stops the thread instead of
    leaving the process to hash gigabytes before it can exit."""
    import threading

    from ringfence.ingest import pipeline
    from ringfence.ingest.pipeline import SourceSpec, ingest_sources

    stopped: list[bool] = []

    def slow_sha256(path: Path, *, stop: threading.Event) -> str:
        stopped.append(stop.wait(60))  # a huge file: ends early only when told to
        return ""

    monkeypatch.setattr(pipeline, "file_sha256", slow_sha256)
    f = tmp_path / "bad.jsonl"
    f.write_text('{"statementId": "x", "recordType": "nonsense"}\n')
    (tmp_path / "rejects-is-a-folder").mkdir()
    with pytest.raises(OSError):
        ingest_sources([SourceSpec("bods", [f])], out=tmp_path / "snap", skip_bad=True,
                       rejects=tmp_path / "rejects-is-a-folder")
    for t in threading.enumerate():
        if t.name.startswith("ringfence-sha256"):
            t.join(60)
    assert stopped == [True]
    assert not (tmp_path / "snap").exists()


def _csv_pair(tmp_path: Path, entities: bytes) -> tuple[Path, Path]:
    e, h = tmp_path / "entities.csv", tmp_path / "holdings.csv"
    e.write_bytes(entities)
    h.write_text("owner,owned,kind,share,share_min,share_max,valid_from,valid_to,source\n"
                 + "".join(f"P{i},S,shares,0.01,,,,,\n" for i in range(40)))
    return e, h


ENTITY_HEADER = b"id,name,type,hq_country,jurisdiction,lists\n"
ENTITY_ROWS = b"S,Sub,company,SG,SG,\n" + b"".join(
    b"P%d,Parent %d,company,CN,CN,\n" % (i, i) for i in range(40))


@pytest.mark.parametrize("entry", ["csv", "multi"])
def test_invalid_utf8_is_named_by_file_and_line(tmp_path: Path, entry: str) -> None:
    """Not a UnicodeDecodeError traceback: one problem, the file and the line, and the
    rows that refer to the file's entities are not reported one by one."""
    from typer.testing import CliRunner

    from ringfence.cli.main import app

    bad = ENTITY_HEADER + ENTITY_ROWS[:200] + b"Q,Bad \xff\xfe name,company,CN,CN,\n" \
        + ENTITY_ROWS[200:]
    line = bad[:bad.index(b"\xff")].count(b"\n") + 1
    e, h = _csv_pair(tmp_path, bad)
    args = (["ingest", "csv", "--entities", str(e), "--holdings", str(h)] if entry == "csv"
            else ["ingest", "multi", "-s", f"csv:{e},{h}"])
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "snap")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "UnicodeDecodeError" not in result.output
    assert f"entities.csv:{line}: not UTF-8 text" in result.output
    assert "unknown entity" not in result.output
    assert not (tmp_path / "snap").exists()
    with pytest.raises(IngestError) as err:
        ingest_csv(entities=e, holdings=h, out=tmp_path / "snap")
    assert [(Path(p.location).name, p.line) for p in err.value.problems] == [
        ("entities.csv", line)]


def test_one_missing_column_is_one_error(tmp_path: Path) -> None:
    header = b"id,name,type,jurisdiction,lists\n"  # no hq_country
    rows = b"".join(b",".join(r.split(b",")[:3] + r.split(b",")[4:])
                    for r in ENTITY_ROWS.splitlines(keepends=True))
    e, h = _csv_pair(tmp_path, header + rows)
    with pytest.raises(IngestError) as err:
        ingest_csv(entities=e, holdings=h, out=tmp_path / "snap")
    assert [(Path(p.location).name, p.line, p.reason) for p in err.value.problems] == [
        ("entities.csv", 1, "missing column(s): hq_country")]
