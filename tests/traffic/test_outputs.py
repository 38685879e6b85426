"""final.csv cells: an id holding a comma, a quote or a line break reads back as written."""

from __future__ import annotations

import csv
from pathlib import Path

from ringfence.traffic.outputs import write_final


def test_final_csv_quotes_only_the_cells_that_need_it(tmp_path: Path) -> None:
    rows = [("acct_plain", 0.5, "review", "c1"), ('acct,"odd"', 0.91234, "suspend", "c\n2"),
            ("acct\rcr", 0.0, "none", "")]
    write_final(tmp_path / "final.csv", rows)
    text = (tmp_path / "final.csv").read_text()
    assert text.splitlines()[1] == "acct_plain,0.5000,review,c1"  # nothing quoted
    with open(tmp_path / "final.csv", newline="") as fh:
        back = list(csv.reader(fh))
    assert back[0] == ["account_id", "score", "action", "cluster_id"]
    assert back[1:] == [["acct_plain", "0.5000", "review", "c1"],
                        ['acct,"odd"', "0.9123", "suspend", "c\n2"],
                        ["acct\rcr", "0.0000", "none", ""]]
