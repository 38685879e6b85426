"""A publish reports the snapshot's review load (issue 16: the queue an operator will face,
in the publish report as ``ringfence attribute --summary`` prints it), and keeps it in the
audit record of the publish."""

from __future__ import annotations

from pathlib import Path

from rf_service import public_groups_snapshot, service, token
from sqlalchemy import Engine

from ringfence.engines.local import evaluate
from ringfence.model import Verdict
from ringfence.snapshot import open_snapshot
from ringfence.usecases.review import snapshot_review


def test_publish_reports_the_review_load(db_engine: Engine, tmp_path: Path) -> None:
    snap = public_groups_snapshot(tmp_path / "s")
    with service(db_engine, None) as (client, rt):
        pub = client.post("/v1/admin/snapshots/publish", json={"path": str(snap)},
                          headers=token(rt, "admin"))
        assert pub.status_code == 200, pub.text
        review = pub.json()["review"]
        opened = open_snapshot(snap)
        book = evaluate(opened, "provider-terms")
        want = snapshot_review(opened, book).as_dict()
        assert review == {**want, "as_of": review["as_of"]}
        uncertain = sum(1 for v in book.items() if v.verdict is Verdict.UNCERTAIN)
        assert review["counts"]["uncertain"] + review["owners_left_out"] == uncertain
        assert uncertain > 0 and review["groups"]
        (record,) = rt.audit.tail(5, kind="publish")
        assert record.payload["review"] == review
