"""GLEIF XML read by several processes, files split into parts at record boundaries:
the snapshot, the problems and their line numbers are exactly those of one process."""

from __future__ import annotations

from pathlib import Path

import pytest

from ringfence.exc import IngestError
from ringfence.ingest.gleif import parallel
from ringfence.ingest.synth import make_lei, write_lei_xml, write_repex_xml, write_rr_xml

TABLES = {
    "entities": "SELECT * FROM entities ORDER BY id",
    "holdings": "SELECT * FROM holdings ORDER BY ALL",
    "names": "SELECT * FROM names ORDER BY ALL",
    "identifiers": "SELECT * FROM identifiers ORDER BY ALL",
    "evidence": "SELECT * FROM evidence ORDER BY ALL",
    "cleaned_names": "SELECT * FROM cleaned_names ORDER BY ALL",
}


def _files(tmp_path: Path) -> list[Path]:
    lei, rr, repex = tmp_path / "lei.xml", tmp_path / "rr.xml", tmp_path / "repex.xml"
    write_lei_xml(lei, 600)
    write_rr_xml(rr, 300, entities=600)
    write_repex_xml(repex, 900, entities=600)
    # bad records in the middle of the files: problems must keep their file lines
    text = lei.read_text()
    target = f"<lei:LEI>{make_lei(333)}</lei:LEI>"
    i = text.index(target)
    j = text.index("<lei:Country>", i)
    text = text[:j] + "<lei:Country>QQ" + text[j + len("<lei:Country>") + 2:]
    # a legal name with a zero-width space late in the file: cleaned, recorded, its line kept
    i = text.index("<lei:LegalName", text.index(f"<lei:LEI>{make_lei(555)}</lei:LEI>"))
    j = text.index(">", i) + 3
    text = text[:j] + "\u200b" + text[j:]
    lei.write_text(text)
    rtext = repex.read_text()
    k = rtext.index("NON_PUBLIC", len(rtext) // 2)
    repex.write_text(rtext[:k] + "MADE_UP" + rtext[k + len("NON_PUBLIC"):])
    return [lei, rr, repex]


def _problems(err: IngestError) -> list[tuple[object, ...]]:
    return sorted((p.location, p.line, p.field, p.record, p.reason) for p in err.problems)


def test_parallel_parts_match_one_process(ingest, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    files = _files(tmp_path)
    with pytest.raises(IngestError) as serial_err:
        ingest(("gleif", files), workers=1)
    serial = ingest(("gleif", files), skip_bad=True, workers=1)
    monkeypatch.setattr(parallel, "PART_BYTES", 40_000)
    assert len(parallel.plan_parts(files[0], "LEIData", 40_000) or []) > 5
    with pytest.raises(IngestError) as par_err:
        ingest(("gleif", files), workers=2)
    par = ingest(("gleif", files), skip_bad=True, workers=2)
    assert _problems(par_err.value) == _problems(serial_err.value)
    assert {p.field for p in par_err.value.problems} == {"LegalAddress/Country",
                                                          "ExceptionReason"}
    for name, sql in TABLES.items():
        assert par.q(sql) == serial.q(sql), name
    [(line, removed)] = par.q("SELECT source_line, removed FROM cleaned_names")
    assert line > 1000 and removed == "U+200B ZERO WIDTH SPACE"
    assert [(f.path, f.records, f.rejected) for f in par.report.files] == [
        (f.path, f.records, f.rejected) for f in serial.report.files]


def test_parallel_truncated_file_reports_once(ingest, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    lei = tmp_path / "lei.xml"
    write_lei_xml(lei, 300)
    data = lei.read_bytes()
    lei.write_bytes(data[:-30])  # the closing tags are cut
    with pytest.raises(IngestError) as serial_err:
        ingest(("gleif", [lei]), workers=1)
    monkeypatch.setattr(parallel, "PART_BYTES", 40_000)
    with pytest.raises(IngestError) as par_err:
        ingest(("gleif", [lei]), workers=2)
    assert _problems(par_err.value) == _problems(serial_err.value)
    assert len(par_err.value.problems) == 1
