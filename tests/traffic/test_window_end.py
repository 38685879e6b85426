"""A window_end off the hourly grid: the detector sees requests up to it and no further, and
scores the last partial hour at window_end itself (final.csv is "as at window_end")."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from tinylog import DAYS, START, TinyLog, iso

from ringfence.traffic.replay import replay


def test_window_end_between_checkpoints(tmp_path: Path) -> None:
    log = TinyLog()
    end = START + dt.timedelta(days=DAYS - 1, hours=23, minutes=30)
    for i in range(5):
        o = log.org(f"org-o{i}")
        log.organic(log.account(f"acc-o{i}", o, "organic", card=f"c{i}", device=f"d{i}"), o)
    o = log.org("org-late")
    log.account("acc-late", o, "organic", card="c-late", device="d-late")
    log.request(end - dt.timedelta(minutes=20), "acc-late", o, "hello there")
    o = log.org("org-after")
    log.account("acc-after", o, "organic", card="c-after", device="d-after",
                created=end + dt.timedelta(minutes=5))
    log.request(end + dt.timedelta(minutes=10), "acc-after", o, "hello there")
    data = log.write(tmp_path / "data")
    events = json.loads((data / "events.json").read_text())
    events["window_end"] = iso(end)
    (data / "events.json").write_text(json.dumps(events))
    report = replay(data, tmp_path / "out")
    with open(tmp_path / "out" / "final.csv", newline="") as fh:
        final = {r["account_id"] for r in csv.DictReader(fh)}
    assert "acc-late" in final
    assert "acc-after" not in final  # neither created nor active inside the window
    assert report.checkpoints == (DAYS - 1) * 24 + 23 + 1  # the hours, then window_end
