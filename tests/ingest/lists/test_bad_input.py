"""Broken and hostile list files: each problem names file, line or element, field and
reason; nothing is published; XML entities and network access stay off; archives are
bounded."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ringfence.exc import IngestError
from ringfence.ingest.lists import common
from ringfence.ingest.pipeline import SourceSpec, ingest_sources


def _fails(tmp: Path, *paths: Path, **kw: object
           ) -> list[tuple[str, int | None, str | None, str]]:
    out = tmp / "snap"
    with pytest.raises(IngestError) as err:
        ingest_sources([SourceSpec("lists", list(paths), **kw)], out=out)  # type: ignore[arg-type]
    assert not out.exists()  # nothing half-written
    return [(p.location, p.line, p.field, p.reason) for p in err.value.problems]


def test_truncated_xml_names_the_line(tmp_path: Path) -> None:
    f = tmp_path / "sdn.xml"
    f.write_text('<?xml version="1.0"?>\n<sdnList>\n<sdnEntry><uid>1</uid>\n<lastName>X',
                 encoding="utf-8")
    [(loc, line, _fld, reason)] = _fails(tmp_path, f)
    assert loc == "ofac-xml:sdn.xml" and line is not None and "XML syntax error" in reason


def test_xml_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    f = tmp_path / "sdn.xml"
    f.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE sdnList [<!ENTITY x SYSTEM "{secret}">]>'
                 "\n<sdnList><publshInformation><Publish_Date>01/02/2024</Publish_Date>"
                 "</publshInformation><sdnEntry><uid>7</uid><lastName>ACME &x; LLC"
                 "</lastName><sdnType>Entity</sdnType></sdnEntry></sdnList>",
                 encoding="utf-8")
    out = tmp_path / "snap"
    report = ingest_sources([SourceSpec("lists", [f])], out=out)
    import duckdb

    names = duckdb.sql(f"SELECT name FROM read_parquet('{out}/names.parquet')").fetchall()
    assert names and all("TOP-SECRET" not in n for (n,) in names)
    assert report.manifest.sources[0]["published"] == "2024-01-02"


def test_zip_member_count_and_size_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(common.MAX_MEMBERS + 1):
            zf.writestr(f"m{i}.xml", "<sdnList/>")
    problems = _fails(tmp_path, many, list_format="ofac-xml")
    assert "members" in problems[0][3]
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("SDN.XML", "<sdnList>" + " " * 5000 + "</sdnList>")
    monkeypatch.setattr(common, "MAX_UNPACKED", 1000)
    problems = _fails(tmp_path, big, list_format="ofac-xml")
    assert "unpacks to" in problems[0][3] or "unpacks past" in problems[0][3]


def test_bad_csl_rows_name_line_and_field(tmp_path: Path) -> None:
    f = tmp_path / "csl.csv"
    f.write_text(
        "_id,source,entity_number,type,programs,name,start_date\n"
        '"a1","Entity List (EL) - Bureau of Industry and Security","","","","Good Co",'
        '"2020-01-02"\n'
        '"a2","Entity List (EL) - Bureau of Industry and Security","","","","Bad\nDate Co",'
        '"02/30/2020"\n'
        '"a3","Mystery List (XYZ) - Nobody","","","","Who","2020-01-02"\n'
        '"a4","Entity List (EL)","","",""\n', encoding="utf-8")
    problems = _fails(tmp_path, f, published=None)
    by_line = {line: (fld, reason) for _loc, line, fld, reason in problems}
    assert by_line[3][0] == "start_date"  # the record with an embedded newline starts on 3
    assert by_line[5][0] == "source" and "unknown source list" in by_line[5][1]
    assert "fields" in by_line[6][1]


def test_uk_cp1252_trailing_eof_and_bad_date(tmp_path: Path) -> None:
    f = tmp_path / "conlist.csv"
    head = ("Last Updated,02/04/2014\r\nName 6,Name 1,Name 2,Name 3,Name 4,Name 5,Group Type,"
            "Alias Type,Regime,Listed On,Group ID\r\n")
    rows = ("O\x92BRIEN TRADING,,,,,,Entity,Prime Alias,Iran,01/02/2012,11\r\n"
            "NOBODY LTD,,,,,,Entity,Prime Alias,Iran,31/31/2012,12\r\n")
    f.write_bytes((head + rows).encode("latin-1") + b"\x1a")
    problems = _fails(tmp_path, f)
    assert [(line, fld) for _l, line, fld, _r in problems] == [(4, "Listed On")]
    ok = tmp_path / "ok.csv"
    ok.write_bytes((head + rows.splitlines(keepends=True)[0]).encode("latin-1") + b"\x1a")
    out = tmp_path / "ok_snap"
    ingest_sources([SourceSpec("lists", [ok])], out=out)
    import duckdb

    (name,) = duckdb.sql(f"SELECT name FROM read_parquet('{out}/entities.parquet')").fetchone()
    assert name == "O\u2019BRIEN TRADING"


def test_skip_bad_publishes_the_rest_with_rejects(tmp_path: Path) -> None:
    f = tmp_path / "un.xml"
    f.write_text('<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z"><ENTITIES>'
                 "<ENTITY><DATAID>1</DATAID><FIRST_NAME>GOOD ORG</FIRST_NAME>"
                 "<LISTED_ON>2010-01-01</LISTED_ON></ENTITY>"
                 "<ENTITY><DATAID>2</DATAID><FIRST_NAME>BAD ORG</FIRST_NAME>"
                 "<LISTED_ON>sometime</LISTED_ON></ENTITY></ENTITIES></CONSOLIDATED_LIST>",
                 encoding="utf-8")
    report = ingest_sources([SourceSpec("lists", [f])], out=tmp_path / "s", skip_bad=True)
    assert report.counts["entities"] == 1
    assert report.rejects_path is not None and "LISTED_ON" in report.rejects_path.read_text()
