"""Persons under each shipped policy: residence (``origin.persons``) and nationality
(``origin.nationals``) read as docs/policies.md, "Persons", says, and the proof naming
the setting that applied."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ringfence.engines.local import LocalEngine
from ringfence.model import Verdict
from ringfence.policy.loader import load_policy
from ringfence.snapshot import open_snapshot

DAY = dt.date(2026, 12, 7)


@pytest.fixture
def snap(ingest, tmp_path: Path):  # type: ignore[no-untyped-def]
    d = tmp_path / "csv"
    d.mkdir()
    (d / "entities.csv").write_text(
        "id,name,type,hq_country,jurisdiction,lists\n"
        "resident,Resident Of Beijing,person,CN,,\n"
        "national,National Living In London,person,GB,CN,\n"
        "neither,Londoner,person,GB,GB,\n"
        "co_r,Held By Resident,company,SG,SG,\n"
        "co_n,Held By National,company,SG,SG,\n"
        "co_x,Held By Londoner,company,SG,SG,\n")
    (d / "holdings.csv").write_text(
        "owner,owned,kind,share,share_min,share_max,valid_from,valid_to,source\n"
        "resident,co_r,shares,0.6,,,,,test\n"
        "national,co_n,shares,0.6,,,,,test\n"
        "neither,co_x,shares,0.6,,,,,test\n")
    return ingest(("csv", [d]))


@pytest.mark.parametrize(("policy", "resident", "national"), [
    ("provider-terms", Verdict.RESTRICTED, Verdict.UNCERTAIN),
    ("ofac-50", Verdict.CLEAR, Verdict.CLEAR),
    ("bis-affiliates", Verdict.CLEAR, Verdict.CLEAR),
    ("eu", Verdict.CLEAR, Verdict.CLEAR),
    ("uk", Verdict.CLEAR, Verdict.CLEAR)])
def test_persons_under_each_policy(snap, policy: str, resident: Verdict,  # type: ignore[no-untyped-def]
                                   national: Verdict) -> None:
    book = LocalEngine().evaluate(open_snapshot(snap.root), load_policy(policy), DAY)
    assert (book["co_r"].verdict, book["co_n"].verdict, book["co_x"].verdict) == (
        resident, national, Verdict.CLEAR)
    if policy == "provider-terms":
        steps = book.explain("co_r").proof.steps
        texts = [r.text for s in steps for r in s.reasons]
        assert texts == ["person resident in CN (policy: origin.persons restricted)"]
        steps = book.explain("co_n").proof.steps
        texts = [r.text for s in steps for r in s.reasons]
        assert texts == ["person, a national of CN (policy: origin.nationals uncertain)"]
