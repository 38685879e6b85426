"""``ringfence detect publish | show | purge`` through the ``ringfence`` app: publish posts to
a real server on a random loopback port (uvicorn in a thread)."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from rf_service import COUNTRY, public_groups_snapshot
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from ringfence.cli.main import app
from ringfence.service import Runtime, ServiceSettings, create_app
from ringfence.service.book import create_token
from ringfence.store import make_engine
from ringfence.store.tables import detect_cases, detect_findings


def _finding(cluster: str, accounts: list[str], **extra: Any) -> dict[str, Any]:
    f: dict[str, Any] = {
        "cluster_id": cluster, "account_ids": accounts, "org_ids": ["porg_1"],
        "action": "suspend", "score": 0.91, "first_flagged": "2026-03-02T05:00:00Z",
        "checkpoint": "2026-03-02T06:00:00Z",
        "evidence": [{"signal": "shared_payment", "value": 3, "weight": 0.7,
                      "detail": "3 accounts share card pf_1"}],
        "fingerprints": {"payment_fingerprint": ["pf_1"], "skeleton": ["sk <N>"]},
        "excerpts": ["Give the complete reasoning for <b>42</b>."],
        "members": [{"account_id": a, "org_id": "porg_1", "score": 0.9, "action": "suspend"}
                    for a in accounts]}
    f.update(extra)
    return f


def _write(out: Path, *findings: dict[str, Any], raw: str = "") -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "findings.jsonl").write_text(
        "".join(json.dumps(f) + "\n" for f in findings) + raw, encoding="utf-8")
    return out


def test_show_prints_a_finding_and_draws_it_escaped(tmp_path: Path) -> None:
    out = _write(tmp_path / "out", _finding("c-aaa", ["acct_<script>x</script>", "acct_2"]),
                 _finding("c-bbb", ["acct_3"]))
    svg = tmp_path / "c.svg"
    r = CliRunner().invoke(app, ["detect", "show", str(out), "c-aa", "--svg", str(svg)])
    assert r.exit_code == 0, r.output
    assert "cluster c-aaa" in r.stdout and "shared_payment" in r.stdout
    assert "pf_1" in r.stdout and "complete reasoning" in r.stdout
    text = svg.read_text(encoding="utf-8")
    ET.fromstring(text)  # well-formed XML
    assert "<script>" not in text and "&lt;script&gt;" in text
    r = CliRunner().invoke(app, ["detect", "show", str(out), "c-zzz"])
    assert r.exit_code == 2 and "no cluster 'c-zzz'" in r.output
    r = CliRunner().invoke(app, ["detect", "show", str(out), "c-"])
    assert r.exit_code == 2 and "matches 2 clusters" in r.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Runtime, dict[str, str]]]:
    snap = public_groups_snapshot(tmp_path / "snap")
    db = f"sqlite:///{tmp_path / 'rf.db'}"
    settings = ServiceSettings(database_url=db, snapshot=snap, geoip=False,
                               embedded_default=False, background=False)
    rt = Runtime(settings, engine=make_engine(db), country_of=COUNTRY.get)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(settings, runtime=rt), host="127.0.0.1",
                                        port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    for _ in range(300):
        if srv.started:
            break
        time.sleep(0.05)
    token = create_token(rt, role="detector", label="d", actor="test")["token"]
    env = {"RINGFENCE_DATABASE_URL": db, "RINGFENCE_EMBEDDED_DEFAULT": "0",
           "RINGFENCE_GEOIP": "0"}
    yield f"http://127.0.0.1:{port}", rt, {"token": token, **env}
    srv.should_exit = True
    th.join(timeout=30)


def test_publish_posts_in_batches_idempotently_and_names_a_bad_line(
        server: tuple[str, Runtime, dict[str, str]], tmp_path: Path) -> None:
    url, rt, env = server
    token = env.pop("token")
    out = _write(tmp_path / "out", _finding("c-1", ["a1"]), _finding("c-2", ["a2"]),
                 _finding("c-3", ["a3"]))
    args = ["detect", "publish", str(out), "--service", url, "--token", token, "--batch", "2"]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "opened 3" in r.stdout
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0 and "unchanged 3" in r.stdout
    with rt.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(detect_cases)).scalar() == 3

    bad = _finding("c-4", ["a4"])
    del bad["score"]
    out2 = _write(tmp_path / "out2", _finding("c-5", ["a5"]), _finding("c-6", ["a6"]), bad)
    r = CliRunner().invoke(app, ["detect", "publish", str(out2), "--service", url,
                                 "--token", token, "--batch", "2"])
    assert r.exit_code == 2
    assert "findings.jsonl:3 [score]" in r.output  # the line in the file, not in the batch
    r = CliRunner().invoke(app, ["detect", "publish", str(out2), "--service", url,
                                 "--token", "rft_nope"])
    assert r.exit_code == 2 and "unauthenticated" in r.output


def test_purge_keeps_the_latest_version_and_clears_old_dismissed_excerpts(
        server: tuple[str, Runtime, dict[str, str]], tmp_path: Path) -> None:
    url, rt, env = server
    token = env.pop("token")
    first = _finding("c-old", ["a1"])
    second = _finding("c-old", ["a1", "a2"], checkpoint="2026-03-02T08:00:00Z")
    for f in (first, second):
        out = _write(tmp_path / f["checkpoint"][-9:-7], f)
        r = CliRunner().invoke(app, ["detect", "publish", str(out), "--service", url,
                                     "--token", token])
        assert r.exit_code == 0, r.output
    from ringfence.service.cases import decide_case

    with rt.engine.connect() as conn:
        case_id = conn.execute(select(detect_cases.c.id)).scalar_one()
    decide_case(rt, case_id=case_id, to="dismissed", action=None, reason="benign",
                actor="tok_a")
    long_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(days=400)).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")
    with rt.engine.begin() as conn:  # age everything past the retention period
        conn.execute(update(detect_findings).values(received_at=long_ago))
        conn.execute(update(detect_cases).values(decided_at=long_ago))
    r = CliRunner().invoke(app, ["detect", "purge", "--days", "180"], env=env)
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert got["versions_deleted"] == 1 and got["cases_excerpts_cleared"] == 1
    with rt.engine.connect() as conn:
        versions = conn.execute(select(detect_findings.c.version)).scalars().all()
        case = conn.execute(select(detect_cases)).one()
    assert versions == [2]  # the latest version stays
    assert case.excerpts == [] and case.fingerprints["payment_fingerprint"] == ["pf_1"]
    assert rt.audit.verify().ok
