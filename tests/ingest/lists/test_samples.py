"""Every list format on the real samples: counts, names in their scripts, aliases,
identifiers, programmes, listing dates, the Enhanced XML's relationships."""

from __future__ import annotations

import datetime as dt

from tests.ingest.lists.conftest import LISTS, shared

from ringfence.ingest.pipeline import SourceSpec
from ringfence.model.listing import parse_listing


def _lists(snap, eid):  # type: ignore[no-untyped-def]
    return [parse_listing(t) for t in snap.one("SELECT lists FROM entities WHERE id = ?", eid)]


def test_ofac_sdn_csv_excerpt(ingest_lists) -> None:  # type: ignore[no-untyped-def]
    snap = ingest_lists(SourceSpec("lists", [LISTS / "ofac/sdn_csv_2021-07"],
                                   published=dt.date(2021, 7, 7), partial=True))
    types = dict(snap.q("SELECT type, count(*) FROM entities GROUP BY type"))
    # 350 entities, 229 vessels, 19 aircraft, 141 individuals (the sample's README)
    assert types == {"company": 350, "vessel": 229, "aircraft": 19, "person": 141}
    assert snap.report.manifest.sources[0]["published"] == "2021-07-07"
    assert snap.report.manifest.sources[0]["sha256"].startswith("925048e2f3b2c47b")
    # Bank Rossiya: SDN, programmes from the bracketed field, aliases from alt.csv
    eid = snap.one("SELECT id FROM entities WHERE name = 'BANK ROSSIYA'")
    (lst,) = _lists(snap, eid)
    assert lst.list == "SDN" and "UKRAINE-EO13661" in lst.programmes and lst.since is None
    # vessels carry validated IMO numbers; a weak a.k.a. from remarks is a weak alias
    assert snap.one("SELECT count(*) FROM identifiers WHERE scheme = 'imo'") > 200
    # the list has a few numbers that fail the IMO check digit: kept, never merged on
    assert snap.one("SELECT count(*) FROM identifiers WHERE scheme = 'imo_invalid'") == 9
    assert snap.one("SELECT count(*) FROM names WHERE kind = 'weak_alias'") > 0
    # "Linked To:" is evidence only: never a holding
    assert snap.one("SELECT count(*) FROM holdings") == 0
    linked = snap.one("SELECT count(*) FROM evidence WHERE relation = 'ofac:linked-to'")
    assert 300 < linked < 400  # 391 in remarks (some continued in sdn_comments.csv)


def test_ofac_enhanced_relationships_and_scripts(ingest_lists) -> None:  # type: ignore[no-untyped-def]
    snap = ingest_lists(SourceSpec("lists", [LISTS / "ofac/consolidated/CONS_ENHANCED.ZIP"]))
    src = snap.report.manifest.sources[0]
    assert src["records"] == 443 and src["published"] == "2025-01-10"
    # 443 entries; two pairs share a Russian registration number (OGRN): merged
    assert snap.one("SELECT count(*) FROM entities WHERE len(lists) > 0") == 441
    assert snap.one("SELECT count(*) FROM identifiers WHERE scheme = 'merged_id'") == 2
    # names in original scripts
    assert snap.one("SELECT count(*) FROM names WHERE script = 'Cyrl'") >= 35  # 50, some repeated
    assert snap.one("SELECT count(DISTINCT entity) FROM names WHERE script = 'Cyrl'") >= 20
    assert snap.one("SELECT count(*) FROM names WHERE script IN ('Hans', 'Hant')") >= 5
    # VTB: SSI since 2014, SDN too; OGRN and BIC validated; LEI
    vtb = "ofac:17013"
    names = {x.list: x for x in _lists(snap, vtb)}
    assert names["SSI"].since == dt.date(2014, 7, 29)
    assert "SDN" in names
    ids = set(snap.q("SELECT scheme, value FROM identifiers WHERE entity = ?", vtb))
    assert ("ru_ogrn", "1027739609391") in ids and ("bic", "VTBRRUMM") in ids
    assert ("lei", "253400V1H6ART1UQ0N98") in ids
    # 278 "Owned or Controlled By" + 4 reverse: control of a majority + unknown equity
    ctl = snap.one("SELECT count(*) FROM holdings WHERE kind = 'control' AND lo_open "
                   "AND lo = 500000000 AND hi = 1000000000")
    shares = snap.one("SELECT count(*) FROM holdings WHERE kind = 'shares' AND lo = 0 "
                      "AND hi = 1000000000")
    assert ctl == shares and 270 <= ctl <= 282
    assert snap.one("SELECT count(*) FROM holdings WHERE source_note LIKE "
                    "'%Owned or Controlled By%' AND source_dataset LIKE 'ofac-xml:%'") > 0
    assert snap.one("SELECT count(*) FROM evidence WHERE relation = "
                    "'ofac:Acting for or on behalf of'") == 1


def test_ofac_legacy_consolidated_lists_by_programme(ingest_lists) -> None:  # type: ignore[no-untyped-def]
    snap = ingest_lists(SourceSpec("lists", [LISTS / "ofac/consolidated/consolidated.xml"]))
    counts = dict(snap.q("""SELECT split_part(split_part(t, '#', 1), '@', 1), count(*)
                            FROM (SELECT unnest(lists) AS t FROM entities) GROUP BY 1"""))
    assert counts["PLC"] == 78 and counts["CMIC"] == 68 and counts["CAPTA"] == 1
    assert "SDN" not in counts  # the legacy layout cannot say which entries are also SDN
    assert any("may also be on SDN" in n for n in snap.report.manifest.notes)


def test_csl_current_and_old_layouts(ingest_lists) -> None:  # type: ignore[no-untyped-def]
    snap = ingest_lists(SourceSpec("lists", [LISTS / "csl/consolidated_2023-11_excerpt.csv"],
                                   published=dt.date(2023, 11, 30), partial=True))
    counts = dict(snap.q("""SELECT split_part(split_part(t, '#', 1), '@', 1), count(*)
                            FROM (SELECT unnest(lists) AS t FROM entities) GROUP BY 1"""))
    assert counts == {"ENTITY_LIST": 480, "MEU": 71, "SSI": 45}
    # CAST Xi'an, the mojibake apostrophe kept as the file has it; EL listing date
    aasp = snap.one("SELECT id FROM entities WHERE name LIKE 'Academy of Aerospace Solid%'")
    (lst,) = _lists(snap, aasp)
    assert lst.list == "MEU" and lst.since == dt.date(2020, 12, 23)
    # SSI rows are keyed by OFAC ent_num: they meet the OFAC files' parties
    assert snap.one("SELECT count(*) FROM entities WHERE id = 'ofac:17013'") == 1
    old = ingest_lists(SourceSpec("lists", [shared("us_csl/csl_watchman_sample_2019.csv")],
                                  published=dt.date(2019, 12, 1), partial=True))
    assert old.report.manifest.sources[0]["records"] == 115
    # old layout ids are COUNTRY, NUMBER, TYPE
    assert old.q("SELECT scheme, value FROM identifiers WHERE value = '80-0890696'") == [
        ("reg_us", "80-0890696")]
    assert old.one("SELECT count(*) FROM identifiers WHERE scheme = 'imo'") >= 1


def test_uk_2014_cp1252_grouped(ingest_lists) -> None:  # type: ignore[no-untyped-def]
    snap = ingest_lists(SourceSpec("lists", [LISTS / "uk"], partial=True))
    src = snap.report.manifest.sources[0]
    assert src["records"] == 338 and src["published"] == "2014-04-02"
    assert snap.one("SELECT count(*) FROM entities") == 338
    # cp1252 0x92 decoded to U+2019; no U+FFFD anywhere
    assert snap.one("SELECT count(*) FROM names WHERE name LIKE '%\ufffd%'") == 0
    irisl = "ukhmt:11243"
    (lst,) = _lists(snap, irisl)
    assert lst.since == dt.date(2010, 7, 27) and lst.programmes == ("Iran (nuclear proliferation)",)
    # one row per name variant: grouped into one party with its aliases
    assert snap.one("SELECT count(*) FROM (SELECT entity FROM names GROUP BY entity "
                    "HAVING count(*) > 1)") >= 70
    assert snap.one("SELECT count(*) FROM evidence WHERE relation LIKE 'uk:owned%'") > 50


def test_un_xml(ingest_lists) -> None:  # type: ignore[no-untyped-def]
    snap = ingest_lists(SourceSpec("lists", [shared("un_sc/UN_consolidated.xml")]))
    types = dict(snap.q("SELECT type, count(*) FROM entities GROUP BY type"))
    assert types["person"] == 730 and types["company"] == 273
    assert snap.one("SELECT count(*) FROM names WHERE script = 'Arab'") > 100
    adf = snap.one("SELECT id FROM entities WHERE name = 'ADF'")
    (lst,) = _lists(snap, adf)
    assert (lst.list, lst.since, lst.programmes) == ("UN_SC", dt.date(2014, 6, 30), ("DRC",))
    assert ("Allied Democratic Forces", "alias") in snap.q(
        "SELECT name, kind FROM names WHERE entity = ?", adf)
