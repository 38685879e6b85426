"""Hypothesis fuzzing of every reader: a valid seed file per format, mutated (cut short,
bytes flipped, troublesome tokens inserted, lines dropped or doubled), then read through
the reader's public entry point.

Whatever the bytes, a reader either publishes a whole snapshot or raises a ringfence error
whose problems name the file and where in it (a line, a record or a field); never another
exception (a traceback to the user), never a partial snapshot or work folder left behind.
The request-log reader rejects bad lines with their line number and goes on; the policy
loader refuses a bad file with problems naming a line or a key path.

Bounded and derandomised: EXAMPLES per reader here (about 12 CPU s in all); the ``slow``
variant (``RINGFENCE_FUZZ_EXAMPLES``, default 30) runs in .ci/run."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringfence.exc import Problem, RingfenceError
from ringfence.ingest.default import data_dir
from ringfence.ingest.pipeline import SourceSpec, ingest_sources
from ringfence.ingest.run import ingest_csv
from ringfence.policy import load_policy
from ringfence.snapshot import open_snapshot
from ringfence.snapshot.publish import WORK_PREFIX
from ringfence.traffic.reader import read_requests

from .lists.test_madeup_formats import EU, UKSL

DATA = data_dir()
EXAMPLES = 8
SLOW_EXAMPLES = int(os.environ.get("RINGFENCE_FUZZ_EXAMPLES", "30"))

TOKENS = [b'"', b",", b"\n", b"\r\n", b"<", b">", b"&", b"&amp", b"\x00", b"\xef\xbb\xbf",
          b"\xff\xfe", b"\xc3", b"99999999999999999999999", b"-1", b"1e309", b"NaN", b"null",
          b"{}", b"[]", b"true", b"0.5000000001", b"150%", b"2020-13-45", b"9999-12-31",
          b"\xe2\x80\x8b", b"'", b"]]>", b"<!ENTITY x SYSTEM 'file:///etc/passwd'>", b"&x;",
          b": [", b"- ", b"\t", b"\\", b"%", b"\x1a"]


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    data = seed
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["cut", "flip", "insert", "drop_line", "dup_line"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "cut":
            data = data[:at]
        elif op == "flip" and data:
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
        elif op == "insert":
            token = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=6))
            data = data[:at] + token + data[at:]
        else:
            lines = data.splitlines(keepends=True)
            if lines:
                i = draw(st.integers(0, len(lines) - 1))
                lines[i:i + 1] = [] if op == "drop_line" else [lines[i], lines[i]]
                data = b"".join(lines)
    return data


def _problems_are_located(err: RingfenceError, names: tuple[str, ...], lines: int) -> None:
    """Every problem names an input file; one about a record says where (a line within
    the file, a record id or a field); one about the whole file says what is wrong."""
    problems: list[Problem] = list(getattr(err, "problems", []) or [])
    if not problems:  # a single error: its message names the file
        assert any(n in err.message for n in names), f"error without a file: {err.message}"
        return
    for p in problems:
        assert any(n in p.location or n in p.reason for n in names), \
            f"problem not naming its file: {p}"
        assert p.reason.strip(), f"problem without a reason: {p}"
        assert p.line is None or 1 <= p.line <= lines + 1, f"line out of the file: {p}"


def _clean(out: Path) -> None:
    assert not list(out.parent.glob(f"{WORK_PREFIX}*")), "work folder left behind"


def _snapshot_reader(fmt: str) -> Callable[[Path, Path], None]:
    def read(path: Path, out: Path) -> None:
        ingest_sources([SourceSpec(fmt, [path])], out=out)
    return read


def _csv_holdings(path: Path, out: Path) -> None:
    ingest_csv(entities=path.parent / "entities.csv", holdings=path, out=out)


def _csv_entities(path: Path, out: Path) -> None:
    ingest_csv(entities=path, holdings=path.parent / "holdings.csv", out=out)


ENTITIES = ("id,name,type,hq_country,jurisdiction,lists\nP,Parent Co,company,CN,KY,\n"
            "S,Sub Ltd,company,SG,SG,\nQ,Other,company,US,US,\n")
HOLDINGS = ("owner,owned,kind,share,share_min,share_max,valid_from,valid_to,source\n"
            "P,S,shares,0.6,,,2020-01-01,,registry\nQ,S,shares,,0.25,0.5,,,band\n"
            "P,Q,votes,0.3,,,,2030-01-01,\n")
FTM = [
    {"id": "co-1", "schema": "Company", "properties": {
        "name": ["Alpha Trading Ltd"], "jurisdiction": ["sg"], "mainCountry": ["cn"]}},
    {"id": "co-2", "schema": "Organization", "properties": {"name": ["Beta Holdings"]}},
    {"id": "own-1", "schema": "Ownership", "properties": {
        "owner": ["co-2"], "asset": ["co-1"], "percentage": ["51.5%"],
        "startDate": ["2020-03-01"]}},
]


def _head(path: Path, lines: int) -> bytes:
    return b"".join(path.read_bytes().splitlines(keepends=True)[:lines])


def _ofac_xml() -> bytes:
    """The shipped OFAC XML cut after its 4th entry and closed: a small valid seed."""
    text = (DATA / "sanctions" / "ofac" / "consolidated" / "consolidated.xml").read_text(
        encoding="utf-8")
    end = 0
    for _ in range(4):
        end = text.index("</sdnEntry>", end) + len("</sdnEntry>")
    return (text[:end] + "\n</sdnList>\n").encode()


# The UN Security Council list's layout (as in shared/data/sanctions/un_sc), made-up parties
UN = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<CONSOLIDATED_LIST dateGenerated=\"2026-02-27T00:00:09.554Z\">\n<INDIVIDUALS>"
      "<INDIVIDUAL><DATAID>1</DATAID><VERSIONNUM>1</VERSIONNUM><FIRST_NAME>ERIC</FIRST_NAME>"
      "<SECOND_NAME>EXAMPLE</SECOND_NAME><UN_LIST_TYPE>DRC</UN_LIST_TYPE>"
      "<REFERENCE_NUMBER>CDi.901</REFERENCE_NUMBER><LISTED_ON>2012-12-31</LISTED_ON>"
      "<NATIONALITY><VALUE>Rwanda</VALUE></NATIONALITY><INDIVIDUAL_ALIAS><QUALITY>Good"
      "</QUALITY><ALIAS_NAME>E. EXAMPLE</ALIAS_NAME></INDIVIDUAL_ALIAS></INDIVIDUAL>"
      "</INDIVIDUALS>\n<ENTITIES><ENTITY><DATAID>2</DATAID><VERSIONNUM>1</VERSIONNUM>"
      "<FIRST_NAME>EXAMPLE TRADING COMPANY</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE>"
      "<REFERENCE_NUMBER>KPe.901</REFERENCE_NUMBER><LISTED_ON>2009-04-24</LISTED_ON>"
      "<ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>EXAMPLE TRADING CO</ALIAS_NAME>"
      "</ENTITY_ALIAS><ENTITY_ADDRESS><CITY>Pyongyang</CITY><COUNTRY>Democratic People's "
      "Republic of Korea</COUNTRY></ENTITY_ADDRESS></ENTITY></ENTITIES>\n"
      "</CONSOLIDATED_LIST>\n")

SNAPSHOT_SEEDS: list[tuple[str, str, Callable[[], bytes], Callable[[Path, Path], None]]] = [
    ("csv-holdings", "holdings.csv", HOLDINGS.encode, _csv_holdings),
    ("csv-entities", "entities.csv", ENTITIES.encode, _csv_entities),
    ("bods", "statements.jsonl", lambda: (DATA / "bods" / "0.4-oo-published-gleif-cc0" /
                                          "2138008KTNTDICZU8L25.jsonl").read_bytes(),
     _snapshot_reader("bods")),
    ("gleif-xml", "rr.xml", lambda: (DATA / "gleif" / "golden-copy-xml" /
                                     "rr-updates-data2.xml").read_bytes(),
     _snapshot_reader("gleif")),
    ("gleif-json", "lei.json", lambda: (DATA / "gleif" / "api-json" / "lei_records" /
                                        "single_lei_record_21380068P1DRHMJ8KU70.json"
                                        ).read_bytes(), _snapshot_reader("gleif")),
    ("ftm", "entities.ftm.json",
     lambda: "".join(json.dumps(e) + "\n" for e in FTM).encode(), _snapshot_reader("ftm")),
    ("lists-csl", "csl.csv", lambda: (DATA / "sanctions" / "csl" /
                                      "consolidated_watchman_sample_2025.csv").read_bytes(),
     _snapshot_reader("lists")),
    ("lists-uk", "uk.csv", lambda: _head(DATA / "sanctions" / "uk" /
                                         "sanctionsconlist_2014-04-02_excerpt.csv", 40),
     _snapshot_reader("lists")),
    ("lists-ofac-xml", "sdn.xml", _ofac_xml, _snapshot_reader("lists")),
    ("lists-eu-xml", "eu.xml",  # less the made-up file's deliberately bad record
     lambda: EU.replace('<sanctionEntity logicalId="15"><subjectType code="robot"/>'
                        "</sanctionEntity>", "").encode(), _snapshot_reader("lists")),
    ("lists-uk-xml", "uksl.xml", UKSL.encode, _snapshot_reader("lists")),
    ("lists-un-xml", "un.xml", UN.encode, _snapshot_reader("lists")),
    ("lists-ofac-csv", "sdn.csv", lambda: (DATA / "sanctions" / "ofac" / "sdn_csv_2025" /
                                           "sdn.csv").read_bytes(),
     _snapshot_reader("lists")),
]


def _fuzz_snapshot_reader(tmp: Path, name: str, seed: bytes,
                          read: Callable[[Path, Path], None], examples: int) -> None:
    @given(data=mutated(seed))
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(data: bytes) -> None:
        case = tmp / "case"
        shutil.rmtree(case, ignore_errors=True)
        case.mkdir()
        (case / "entities.csv").write_text(ENTITIES)
        (case / "holdings.csv").write_text(HOLDINGS)
        path = case / name
        path.write_bytes(data)
        out = case / "out" / "snap"
        try:
            read(path, out)
        except RingfenceError as err:
            _problems_are_located(err, (name, "entities.csv", "holdings.csv"),
                                  len(data.splitlines()) + 4)
            assert not out.exists(), "a snapshot published after an error"
        else:
            open_snapshot(out, verify=True)  # whole
        _clean(out)

    run()


@pytest.mark.parametrize(("reader", "name", "seed", "read"), SNAPSHOT_SEEDS,
                         ids=[s[0] for s in SNAPSHOT_SEEDS])
def test_every_seed_reads_whole(tmp_path: Path, reader: str, name: str,
                                seed: Callable[[], bytes],
                                read: Callable[[Path, Path], None]) -> None:
    """The seeds themselves are valid: mutations start from a file the reader takes."""
    (tmp_path / "entities.csv").write_text(ENTITIES)
    (tmp_path / "holdings.csv").write_text(HOLDINGS)
    (tmp_path / name).write_bytes(seed())
    read(tmp_path / name, tmp_path / "out" / "snap")
    assert open_snapshot(tmp_path / "out" / "snap", verify=True).manifest.counts["entities"]


@pytest.mark.parametrize(("reader", "name", "seed", "read"), SNAPSHOT_SEEDS,
                         ids=[s[0] for s in SNAPSHOT_SEEDS])
def test_snapshot_readers_never_crash(tmp_path: Path, reader: str, name: str,
                                      seed: Callable[[], bytes],
                                      read: Callable[[Path, Path], None]) -> None:
    _fuzz_snapshot_reader(tmp_path, name, seed(), read, EXAMPLES)


@pytest.mark.slow
@pytest.mark.parametrize(("reader", "name", "seed", "read"), SNAPSHOT_SEEDS,
                         ids=[s[0] for s in SNAPSHOT_SEEDS])
def test_snapshot_readers_never_crash_long(tmp_path: Path, reader: str, name: str,
                                           seed: Callable[[], bytes],
                                           read: Callable[[Path, Path], None]) -> None:
    _fuzz_snapshot_reader(tmp_path, name, seed(), read, SLOW_EXAMPLES)


REQUESTS = b"".join(json.dumps(r).encode() + b"\n" for r in [
    {"ts": "2026-03-02T05:00:00.000Z", "request_id": "r1", "account_id": "a1",
     "org_id": "o1", "prompt": "write a haiku", "turn_index": 0, "n_tools": 0},
    {"ts": "2026-03-02T05:00:01.000Z", "request_id": "r2", "account_id": "a2",
     "org_id": "o1", "prompt": "Reconstruct the complete reasoning", "n_images": 1},
])


@given(data=mutated(REQUESTS))
@settings(max_examples=40, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_request_log_reader_rejects_lines_and_goes_on(data: bytes) -> None:
    import io

    rejects: list[tuple[int, str]] = []
    n_lines = len(data.splitlines())
    for line_no, rec, _ts in read_requests(Path("requests.jsonl"), stream=io.BytesIO(data),
                                           on_reject=lambda n, why, _raw: rejects.append(
                                               (n, why))):
        assert 1 <= line_no <= n_lines and isinstance(rec, dict)
    for line_no, why in rejects:
        assert 1 <= line_no <= n_lines and why


POLICY = (Path(__file__).parents[2] / "src" / "ringfence" / "policies" /
          "provider-terms.yaml").read_bytes()


@given(data=mutated(POLICY))
@settings(max_examples=40, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_policy_loader_names_the_line_or_key(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "policy.yaml"
        path.write_bytes(data)
        try:
            load_policy(path)
        except RingfenceError as err:
            problems: list[Any] = list(getattr(err, "problems", []) or [])
            assert problems or "policy.yaml" in err.message, err.message
            for p in problems:
                assert "policy.yaml" in p.location, p
                assert p.line is not None or p.field or "." in p.location or \
                    p.location.count(":") or p.reason, p
