"""Formats with no real sample at hand, on small made-up files of their published
structure: EU FSF XML, UK Sanctions List XML, CSL JSON."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ringfence.ingest.pipeline import SourceSpec
from ringfence.model.listing import parse_listing

EU = """<?xml version="1.0" encoding="UTF-8"?>
<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-08-05T10:00:00.000+02:00"
        globalFileId="184961">
  <sanctionEntity designationDetails="" unitedNationId="" euReferenceNumber="EU.39.56"
                  logicalId="13" designationDate="2008-06-24">
    <remark>Associated entities: Made-up Parent Holding Co; Zhejiang Example Ltd in China</remark>
    <regulation regulationType="regulation" publicationDate="2012-03-24" programme="IRN"/>
    <subjectType code="enterprise" classificationCode="E"/>
    <nameAlias wholeName="Example Chemical Industries" nameLanguage="" strong="true"/>
    <nameAlias wholeName="Пример Химия" nameLanguage="RU" strong="true"/>
    <nameAlias wholeName="ECI" nameLanguage="" strong="false"/>
    <address countryIso2Code="IR" city="Tehran"/>
    <identification identificationTypeCode="swiftbic" number="BKMTIRTH" countryIso2Code="IR"/>
  </sanctionEntity>
  <sanctionEntity logicalId="14">
    <regulation programme="RUS" publicationDate="2022-02-23"/>
    <subjectType code="person" classificationCode="P"/>
    <nameAlias firstName="Ivan" lastName="Madeup" wholeName="Ivan Madeup" strong="true"/>
    <citizenship countryIso2Code="RU"/>
  </sanctionEntity>
  <sanctionEntity logicalId="15"><subjectType code="robot"/></sanctionEntity>
</export>"""

UKSL = """<?xml version="1.0" encoding="utf-8"?>
<Designations>
  <DateGenerated>14/08/2026</DateGenerated>
  <Designation>
    <DateDesignated>01/03/2022</DateDesignated>
    <UniqueID>RUS9001</UniqueID>
    <OFSIGroupID>99001</OFSIGroupID>
    <Names><Name><Name6>Madeup Shipping LLC</Name6><NameType>Primary Name</NameType></Name>
      <Name><Name6>MSL</Name6><NameType>Alias</NameType><AliasStrength>Weak</AliasStrength></Name>
    </Names>
    <NonLatinNames><NonLatinName><NameNonLatinScript>ООО Пример</NameNonLatinScript>
    </NonLatinName></NonLatinNames>
    <RegimeName>Russia</RegimeName>
    <IndividualEntityShip>Entity</IndividualEntityShip>
    <OtherInformation>Owned or controlled by Madeup Parent PJSC.</OtherInformation>
    <Addresses><Address><AddressCountry>Russia</AddressCountry></Address></Addresses>
    <EntityDetails><ParentCompanies><ParentCompany>Madeup Parent PJSC</ParentCompany>
    </ParentCompanies></EntityDetails>
  </Designation>
  <Designation>
    <DateDesignated>02/03/2022</DateDesignated>
    <UniqueID>RUS9002</UniqueID>
    <Names><Name><Name6>MADEUP STAR</Name6><NameType>Primary Name</NameType></Name></Names>
    <RegimeName>Russia</RegimeName>
    <IndividualEntityShip>Ship</IndividualEntityShip>
    <ShipDetails><Ship><IMONumbers><IMONumber>9213399</IMONumber></IMONumbers></Ship></ShipDetails>
  </Designation>
</Designations>"""


def test_eu_fsf_xml(ingest_lists, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "eu.xml"
    f.write_text(EU, encoding="utf-8")
    snap = ingest_lists(SourceSpec("lists", [f]), skip_bad=True)
    assert snap.report.manifest.sources[0]["published"] == "2026-08-05"
    assert snap.report.problem_count == 1  # the robot
    rows = dict(snap.q("SELECT id, type FROM entities"))
    assert rows == {"eu:13": "company", "eu:14": "person"}
    (lst,) = [parse_listing(t) for t in snap.one("SELECT lists FROM entities WHERE id='eu:13'")]
    assert (lst.list, lst.since, lst.programmes) == ("EU_CONSOLIDATED", dt.date(2008, 6, 24),
                                                    ("IRN",))
    (lst14,) = [parse_listing(t) for t in snap.one("SELECT lists FROM entities WHERE id='eu:14'")]
    assert lst14.since == dt.date(2022, 2, 23)  # no designationDate: the regulation's date
    names = set(snap.q("SELECT name, kind, script FROM names WHERE entity = 'eu:13'"))
    assert ("Пример Химия", "alias", "Cyrl") in names and ("ECI", "weak_alias", "Latn") in names
    assert snap.q("SELECT scheme, value FROM identifiers") == [("bic", "BKMTIRTH")]
    assert snap.one("SELECT count(*) FROM evidence WHERE relation = 'eu:association (text)'") == 1


def test_uk_sanctions_list_xml(ingest_lists, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "UK_Sanctions_List.xml"
    f.write_text(UKSL, encoding="utf-8")
    snap = ingest_lists(SourceSpec("lists", [f]))
    assert dict(snap.q("SELECT id, type FROM entities")) == {
        "ukhmt:99001": "company", "uksl:RUS9002": "vessel"}
    assert snap.q("SELECT value FROM identifiers WHERE scheme = 'imo'") == [("9213399",)]
    kinds = set(snap.q("SELECT name, kind FROM names WHERE entity = 'ukhmt:99001'"))
    assert ("MSL", "weak_alias") in kinds and ("ООО Пример", "legal") in kinds
    rel = {r for (r,) in snap.q("SELECT relation FROM evidence")}
    assert rel == {"uk:owned-or-controlled-by (text)", "uk:parent-company"}
    assert snap.one("SELECT count(*) FROM holdings") == 0  # names, never a share


def test_csl_json_both_shapes(ingest_lists, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rec = {"id": "e1f2", "source": "Entity List (EL) - Bureau of Industry and Security",
           "name": "Madeup Aerospace Institute", "alt_names": ["MAI", "Institute 99"],
           "addresses": [{"address": "1 Road", "city": "Xi'an", "country": "CN"}],
           "start_date": "2020-05-22", "programs": [], "ids": [], "type": None}
    sdn = {"id": "30001", "entity_number": 30001, "source":
           "Specially Designated Nationals (SDN) - Treasury Department", "type": "Vessel",
           "name": "MADEUP VESSEL", "programs": "IRAN", "ids": "Vessel Registration "
           "Identification, IMO 9213399; Secondary sanctions risk:, x", "start_date": ""}
    a = tmp_path / "csl.json"
    a.write_text(json.dumps({"total": 2, "results": [rec, sdn]}), encoding="utf-8")
    b = tmp_path / "csl_array.json"
    b.write_text(json.dumps([rec]), encoding="utf-8")
    snap = ingest_lists(SourceSpec("lists", [a], published=dt.date(2025, 1, 1), partial=True))
    assert dict(snap.q("SELECT id, type FROM entities")) == {
        "csl:e1f2": "company", "ofac:30001": "vessel"}
    assert snap.q("SELECT value FROM identifiers WHERE scheme='imo'") == [("9213399",)]
    assert snap.one("SELECT hq_country FROM entities WHERE id = 'csl:e1f2'") == "CN"
    snap2 = ingest_lists(SourceSpec("lists", [b], published=dt.date(2025, 1, 1)))
    assert snap2.one("SELECT count(*) FROM entities") == 1


def test_ofsi_2022_conlist_layout(ingest_lists, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # OFSI's 2022 ConList.csv: the 2014 row-per-name shape with more columns (non-Latin
    # name, alias quality, ...), read by column name
    header = ("Name 6,Name 1,Name 2,Name 3,Name 4,Name 5,Title,Name Non-Latin Script,"
              "Non-Latin Script Type,Non-Latin Script Language,DOB,Town of Birth,"
              "Country of Birth,Nationality,Passport Number,Passport Details,"
              "National Identification Number,National Identification Details,Position,"
              "Address 1,Address 2,Address 3,Address 4,Address 5,Address 6,Post/Zip Code,"
              "Country,Other Information,Group Type,Alias Type,Alias Quality,Regime,"
              "Listed On,UK Sanctions List Date Designated,Last Updated,Group ID")
    n = len(header.split(","))

    def row(**kv: str) -> str:
        cols = dict.fromkeys(header.split(","), "")
        cols.update(kv)
        return ",".join(f'"{v}"' for v in cols.values())

    lines = ["Last Updated,01/09/2022", header,
             row(**{"Name 6": "MADEUP DEFENCE PLANT", "Name Non-Latin Script": "ОБОРОНЗАВОД",
                    "Country": "Russia", "Group Type": "Entity", "Alias Type": "Primary Name",
                    "Regime": "Russia", "Listed On": "24/02/2022", "Group ID": "15001",
                    "Other Information": "Owned or controlled by MADEUP STATE CORP."}),
             row(**{"Name 6": "MDP", "Group Type": "Entity", "Alias Type": "AKA",
                    "Alias Quality": "Low", "Regime": "Russia", "Listed On": "24/02/2022",
                    "Group ID": "15001"})]
    assert all(len(x.split('","')) == n for x in lines[2:])
    f = tmp_path / "ConList.csv"
    f.write_text("\r\n".join(lines), encoding="utf-8")
    snap = ingest_lists(SourceSpec("lists", [f]))
    assert snap.q("SELECT id, name, type, hq_country FROM entities") == [
        ("ukhmt:15001", "MADEUP DEFENCE PLANT", "company", "RU")]
    names = set(snap.q("SELECT name, kind, script FROM names"))
    assert ("ОБОРОНЗАВОД", "legal", "Cyrl") in names and ("MDP", "weak_alias", "Latn") in names
    assert ("MADEUP DEFENCE PLANT", "legal", "Latn") in names
    assert snap.q("SELECT relation FROM evidence") == [("uk:owned-or-controlled-by (text)",)]
