"""Control and invisible characters in names are removed at ingest, by every reader, and
the removal is recorded per name (``cleaned_names.parquet`` and a manifest note); the
dates a source gives a former name reach the snapshot's ``names.kind``.

Each reader gets a real shipped sample with a zero-width space, a soft hyphen or a
control character put into one name (or a small synthetic file where no sample ships)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from ringfence.exc import IngestError
from ringfence.ingest.run import ingest_csv
from ringfence.ingest.stage import hidden
from ringfence.resolve import clean_name, remove_hidden
from ringfence.snapshot import open_snapshot

from .conftest import DATA

ZW, SHY, BEL = "\u200b", "\u00ad", "\x07"


def _cleaned(root: Path) -> list[tuple[str, ...]]:
    path = root / "cleaned_names.parquet"
    if not path.exists():
        return []
    return [tuple(r) for r in duckdb.sql(
        f"SELECT entity, field, original, stored, removed, source_dataset, source_record, "
        f"source_line FROM read_parquet('{path}') ORDER BY ALL").fetchall()]


def _names(root: Path, entity: str) -> set[tuple[str, str]]:
    return {(r[0], r[1]) for r in duckdb.sql(
        f"SELECT name, kind FROM read_parquet('{root / 'names.parquet'}') "
        f"WHERE entity = '{entity}'").fetchall()}


def _manifest_notes(root: Path) -> list[str]:
    return list(json.loads((root / "manifest.json").read_text())["notes"])


def test_hidden_shows_what_was_removed() -> None:
    assert hidden("ByteDance Ltd") is None
    assert hidden("华为技术有限公司") is None
    assert hidden("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645") is None  # Persian ZWNJ
    stored, shown, removed = hidden(f"Byte{ZW}Dance{BEL} Ltd") or ("", "", "")
    assert stored == "ByteDance Ltd"
    assert shown == "Byte\\u200bDance\\u0007 Ltd"
    assert removed == "U+0007 Cc; U+200B ZERO WIDTH SPACE"


@pytest.mark.parametrize("name", [
    f"Byte{ZW}Dance Ltd.", f"Gaz{SHY}prom", "\u202eBYTE\u202c DANCE", f"Ten{BEL}cent",
    f"Аlibаbа{ZW} Group", "Samsung\ufe0f Electronics", f"\u041c\u0422\u0421{ZW}",
])
def test_stored_name_reads_as_the_original(name: str) -> None:
    # what ingest stores is screened exactly as what the source wrote
    stored, removed = remove_hidden(name)
    assert removed
    assert clean_name(stored).text == clean_name(name).text


def test_csv_contract(tmp_path: Path) -> None:
    ents = tmp_path / "entities.csv"
    ents.write_text("id,name,type,hq_country,jurisdiction,lists\n"
                    f"bd,Byte{ZW}Dance Ltd.,company,CN,KY,\n"
                    "plain,Plain Co,company,GB,GB,\n", encoding="utf-8")
    holds = tmp_path / "holdings.csv"
    holds.write_text("owner,owned,kind,share,share_min,share_max,valid_from,valid_to,source\n"
                     "bd,plain,shares,1,,,,,x\n", encoding="utf-8")
    names = tmp_path / "names.csv"
    names.write_text("entity,name,lang,script,kind,valid_from,valid_to\n"
                     f"bd,Zi{SHY}jie Tiao{BEL}dong,,,alias,,\n"
                     "bd,Old Name Ltd,,,former,2012-03-09,2019-03-01\n"
                     "plain,Plainer,,,trade,2020-01-01,\n", encoding="utf-8")
    for run in ("csv-command", "multi"):
        out = tmp_path / run
        if run == "csv-command":
            ingest_csv(entities=ents, holdings=holds, names=names, out=out)
        else:
            from ringfence.ingest.pipeline import SourceSpec, ingest_sources

            ingest_sources([SourceSpec("csv", [ents, holds, names])], out=out)
        snap = open_snapshot(out)
        ds = "entities.csv" if run == "csv-command" else "csv:entities.csv"
        nds = "names.csv" if run == "csv-command" else "csv:names.csv"
        assert _cleaned(out) == [
            ("bd", "name", "Byte\\u200bDance Ltd.", "ByteDance Ltd.",
             "U+200B ZERO WIDTH SPACE", ds, "bd", 2),
            ("bd", "name", "Zi\\u00adjie Tiao\\u0007dong", "Zijie Tiaodong",
             "U+0007 Cc; U+00AD SOFT HYPHEN", nds, "bd", 2),
        ], run
        assert any("cleaned_names.parquet" in n for n in _manifest_notes(out)), run
        assert snap.entities_table(["id", "name"]).to_pydict()["name"][0] in (
            "ByteDance Ltd.", "Plain Co")
        assert ("ByteDance Ltd.", "legal") in _names(out, "bd")
        assert ("Zijie Tiaodong", "alias") in _names(out, "bd")
        assert ("Old Name Ltd", "former@2012-03-09/2019-03-01") in _names(out, "bd")
        assert ("Plainer", "trade@2020-01-01") in _names(out, "plain")


def test_csv_bad_name_dates_name_row_and_column(tmp_path: Path) -> None:
    ents = tmp_path / "entities.csv"
    ents.write_text("id,name,type,hq_country,jurisdiction,lists\nbd,B,company,CN,CN,\n")
    holds = tmp_path / "holdings.csv"
    holds.write_text("owner,owned,kind,share,share_min,share_max,valid_from,valid_to,source\n")
    names = tmp_path / "names.csv"
    names.write_text("entity,name,kind,valid_from,valid_to\n"
                     "bd,Old,former,2019-13-01,\n"
                     "bd,Older,former,2019-03-01,2018-01-01\n")
    with pytest.raises(IngestError) as err:
        ingest_csv(entities=ents, holdings=holds, names=names, out=tmp_path / "o")
    got = sorted((p.line, p.field) for p in err.value.problems)
    assert got == [(2, "valid_from"), (3, "valid_to")]
    assert not (tmp_path / "o").exists()


def test_gleif_xml_and_name_change_dates(ingest, tmp_path: Path) -> None:
    src = DATA / "gleif" / "golden-copy-xml" / "lei-updates-data2.xml"
    text = src.read_text(encoding="utf-8")
    assert "MONOOVA GLOBAL PAYMENTS LIMITED<" in text
    text = text.replace("MONOOVA GLOBAL PAYMENTS LIMITED<", f"MONOOVA GLOBAL{ZW} PAYMENTS "
                        f"LIMI{SHY}TED<", 1)
    path = tmp_path / "lei-updates-data2.xml"
    path.write_text(text, encoding="utf-8")
    snap = ingest(("gleif", [path]))
    rows = _cleaned(snap.root)
    assert len(rows) == 1
    ent, fld, original, stored, removed, dataset, record, line = rows[0]
    assert (fld, stored) == ("PREVIOUS_LEGAL_NAME", "MONOOVA GLOBAL PAYMENTS LIMITED")
    assert original == "MONOOVA GLOBAL\\u200b PAYMENTS LIMI\\u00adTED"
    assert removed == "U+200B ZERO WIDTH SPACE; U+00AD SOFT HYPHEN"
    assert ent == f"lei:{record}" and line and dataset
    # the record's completed CHANGE_LEGAL_NAME event (2022-09-16) ends its previous names
    names = _names(snap.root, ent)
    assert ("MONOOVA GLOBAL PAYMENTS LIMITED", "former@/2022-09-16") in names
    assert ("SQUADRON FINANCIAL SERVICES LIMITED", "former@/2022-09-16") in names
    # a record with no name-change event keeps undated former names
    other = _names(snap.root, "lei:097900BHK10000082624")
    assert all(k in ("legal", "former", "transliteration") for _, k in other), other


def test_gleif_api_json(ingest, tmp_path: Path) -> None:
    src = next((DATA / "gleif" / "api-json" / "lei_records").glob("single_lei_record_*"))
    doc = json.loads(src.read_text(encoding="utf-8"))
    rec = doc["data"] if isinstance(doc["data"], dict) else doc["data"][0]
    legal = rec["attributes"]["entity"]["legalName"]["name"]
    rec["attributes"]["entity"]["legalName"]["name"] = legal[:2] + ZW + legal[2:]
    rec["attributes"]["entity"]["events"] = [
        {"type": "CHANGE_LEGAL_NAME", "status": "COMPLETED",
         "effectiveDate": "2021-05-04T00:00:00Z"}]
    rec["attributes"]["entity"]["otherNames"] = [
        {"name": "An Old Name", "language": "en", "type": "PREVIOUS_LEGAL_NAME"}]
    path = tmp_path / src.name
    path.write_text(json.dumps(doc), encoding="utf-8")
    snap = ingest(("gleif", [path]))
    ent = f"lei:{rec['attributes']['lei']}"
    assert [(r[0], r[3]) for r in _cleaned(snap.root)] == [(ent, legal)]
    assert snap.entity(ent)["name"] == legal
    assert ("An Old Name", "former@/2021-05-04") in _names(snap.root, ent)


def test_bods(ingest, tmp_path: Path) -> None:
    src = DATA / "bods" / "0.4-gleif-real-cc0" / "LEI_issued.json"
    statements = json.loads(src.read_text(encoding="utf-8"))
    ent = next(s for s in statements if s.get("recordType") == "entity")
    name = ent["recordDetails"]["name"]
    ent["recordDetails"]["name"] = f"{name[:4]}{BEL}{name[4:]}"
    ent["recordDetails"]["alternateNames"] = [f"Alt{ZW}ernate"]
    path = tmp_path / "LEI_issued.json"
    path.write_text(json.dumps(statements), encoding="utf-8")
    snap = ingest(("bods", [path]))
    rows = _cleaned(snap.root)
    assert sorted((r[1], r[3]) for r in rows) == [("name", name),
                                                  ("names[alias]", "Alternate")]
    assert all(r[5] and r[6] for r in rows)  # dataset and record named


def test_ftm(ingest, tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text(json.dumps({"id": "c1", "schema": "Company", "properties": {
        "name": [f"Contoso{ZW} Shipping Ltd"], "previousName": [f"Con{SHY}toso Ltd"],
        "jurisdiction": ["gb"]}}) + "\n", encoding="utf-8")
    snap = ingest(("ftm", [path]))
    assert sorted(r[3] for r in _cleaned(snap.root)) == ["Contoso Ltd", "Contoso Shipping Ltd"]
    assert snap.q("SELECT name FROM entities")[0][0] == "Contoso Shipping Ltd"


def test_designation_list(ingest, tmp_path: Path) -> None:
    folder = tmp_path / "sdn"
    shutil.copytree(DATA / "sanctions" / "ofac" / "sdn_csv_2025", folder)
    sdn = folder / "sdn.csv"
    raw = sdn.read_bytes()
    assert b'"IRAN AIRCRAFT MANUFACTURING' in raw
    sdn.write_bytes(raw.replace(b'"IRAN AIRCRAFT MANUFACTURING',
                                b'"IRAN AIR\x07CRAFT MANUFACTURING', 1))
    snap = ingest(("lists", [folder]))
    rows = _cleaned(snap.root)
    assert [(r[2], r[3]) for r in rows] == [
        ("IRAN AIR\\u0007CRAFT MANUFACTURING INDUSTRIAL COMPANY",
         "IRAN AIRCRAFT MANUFACTURING INDUSTRIAL COMPANY")]
    assert rows[0][7]  # the line of the list file


def test_clean_data_writes_no_side_table(ingest) -> None:
    snap = ingest(("gleif", [DATA / "gleif" / "golden-copy-xml"]))
    assert not (snap.root / "cleaned_names.parquet").exists()


def test_gleif_golden_csv_name_change(ingest, tmp_path: Path) -> None:
    from ringfence.ingest.synth import make_lei

    lei = make_lei(7)
    ev = "Entity.LegalEntityEvents.LegalEntityEvent.1"
    f = tmp_path / "lei.csv"
    f.write_text(
        "LEI,Entity.LegalName,Entity.HeadquartersAddress.Country,Entity.LegalAddress.Country,"
        "Entity.OtherEntityNames.OtherEntityName.1,"
        "Entity.OtherEntityNames.OtherEntityName.1.type,"
        f"{ev}.event_status,{ev}.LegalEntityEventType,{ev}.LegalEntityEventEffectiveDate\n"
        f"{lei},New{ZW} Name Ltd,GB,GB,Old Name Ltd,PREVIOUS_LEGAL_NAME,COMPLETED,"
        "CHANGE_LEGAL_NAME,2020-02-03T00:00:00Z\n", encoding="utf-8")
    snap = ingest(("gleif", [f]))
    assert _names(snap.root, f"lei:{lei}") == {("New Name Ltd", "legal"),
                                               ("Old Name Ltd", "former@/2020-02-03")}
    assert [r[3] for r in _cleaned(snap.root)] == ["New Name Ltd"]
