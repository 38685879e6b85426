"""The metric math of :mod:`ringfence.traffic.evaluate` (pure: sequences in, numbers out;
the definitions are stated there)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

__all__ = ["action_at", "average_precision", "bcubed", "first_suspend", "leakage_share",
           "recall_at_fpr"]


def recall_at_fpr(pos: Sequence[float], neg: Sequence[float], fpr: float) -> float:
    """Share of ``pos`` scoring strictly above the lowest threshold that at most
    ``floor(fpr * len(neg))`` of ``neg`` exceed."""
    if not pos:
        return float("nan")
    negs = np.sort(np.asarray(neg, float))[::-1]
    k = math.floor(fpr * len(negs) + 1e-9)
    # the (k+1)-th highest benign score: k lie strictly above it; ties with it do not count
    thr = -math.inf if k >= len(negs) else float(negs[k])
    p = np.asarray(pos, float)
    return float((p > thr).mean())


def average_precision(labels: Sequence[int], scores: Sequence[float]) -> float:
    """PR-AUC as average precision (scikit-learn's definition)."""
    from sklearn.metrics import average_precision_score

    if not any(labels):
        return float("nan")
    return float(average_precision_score(np.asarray(labels), np.asarray(scores, float)))


def bcubed(pred: dict[str, str], true: dict[str, str]) -> tuple[float, float]:
    """B-cubed (precision, recall) of a predicted clustering against a true one, over the
    items of ``true`` (items missing from ``pred`` are singletons)."""
    pc: defaultdict[str, set[str]] = defaultdict(set)
    tc: defaultdict[str, set[str]] = defaultdict(set)
    for item in true:
        pc[pred.get(item, "\0" + item)].add(item)
        tc[true[item]].add(item)
    if not true:
        return float("nan"), float("nan")
    p = r = 0.0
    for item in true:
        mine = pc[pred.get(item, "\0" + item)]
        same = tc[true[item]]
        both = len(mine & same)
        p += both / len(mine)
        r += both / len(same)
    return p / len(true), r / len(true)


def leakage_share(req_acct: Sequence[str], req_ts: Sequence[int],
                  timeline: dict[str, list[tuple[int, str]]]) -> float:
    """Share of requests (account, ts ms) served while the account was not suspended,
    ``timeline`` giving each account's (checkpoint ms, action) changes in time order."""
    if not req_acct:
        return float("nan")
    leaked = 0
    for a, t in zip(req_acct, req_ts, strict=True):
        if action_at(timeline.get(a, []), t) != "suspend":
            leaked += 1
    return leaked / len(req_acct)


def action_at(tl: list[tuple[int, str]], t: int) -> str:
    act = "none"
    for cp, a in tl:
        if cp > t:
            break
        act = a
    return act


def first_suspend(tl: list[tuple[int, str]]) -> int | None:
    for cp, a in tl:
        if a == "suspend":
            return cp
    return None
