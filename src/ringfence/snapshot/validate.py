"""Checks that hold for every snapshot, whatever format it came from.

Each check works on whole arrays and returns the offending row numbers, so a reader can
name the file and line of each bad record.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ringfence.model.share import SCALE

__all__ = ["overfull_holdings"]


def overfull_holdings(
    owned: npt.NDArray[np.int64],
    kind: npt.NDArray[np.int64],
    lo: npt.NDArray[np.int64],
    valid_from: npt.NDArray[np.int64],
    valid_to: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Rows of holdings whose owned entity's shares of one kind exceed 100% on some date.

    Ranges count at their minimum. Validity is half-open, so a holding ending on the day
    another starts never overlaps it. Returns the rows of every holding in force at a
    moment when its (owned, kind) group is over 100%.
    """
    n = len(owned)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    group = owned.astype(np.int64) * 4 + kind.astype(np.int64)
    # Events: +lo at valid_from, -lo at valid_to. At equal dates, ends sort before starts.
    ev_group = np.concatenate([group, group])
    ev_date = np.concatenate([valid_from, valid_to]).astype(np.int64)
    ev_delta = np.concatenate([lo, -lo]).astype(np.int64)
    ev_is_start = np.concatenate([np.ones(n, bool), np.zeros(n, bool)])
    order = np.lexsort((ev_is_start, ev_date, ev_group))
    g, d, delta = ev_group[order], ev_date[order], ev_delta[order]
    running = np.cumsum(delta)
    first = np.ones(len(g), dtype=bool)
    first[1:] = g[1:] != g[:-1]
    base = np.maximum.accumulate(np.where(first, np.arange(len(g)), 0))
    offset = running[base] - delta[base]
    level = running - offset
    over = level > SCALE
    if not over.any():
        return np.zeros(0, dtype=np.int64)
    # A bad moment is (group, date) at which the level is over; flag holdings in force then.
    bad_groups = np.unique(g[over])
    bad_dates = d[over]
    bad_group_of_date = g[over]
    rows: list[npt.NDArray[np.int64]] = []
    for bg in bad_groups:  # only groups that are already wrong: few, and only on bad input
        members = np.flatnonzero(group == bg)
        moments = bad_dates[bad_group_of_date == bg]
        live = (valid_from[members][:, None] <= moments[None, :]) & (
            moments[None, :] < valid_to[members][:, None]
        )
        rows.append(members[live.any(axis=1)])
    return np.unique(np.concatenate(rows)).astype(np.int64)
