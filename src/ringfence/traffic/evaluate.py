"""Score a detector's output (OUT) against a simulated log's truth (DATA/truth): §4 metrics.

    report = evaluate(Path("data/sim"), Path("out/sim"))
    print(report.to_json())

Definitions (request-logs.md §4 leaves these open; they are stated here and in
docs/detect-sim.md):

* Only *active* accounts count: those with at least one request in the window.
* *Flagged* means suspended at some checkpoint (a row of actions.csv with ``suspend``) or
  suspended in final.csv. A suspension later lifted still counts: the customer felt it.
* Positives are campaign accounts; negatives are organic and hard-negative accounts.
* Recall at benign FPR f: the threshold is the smallest final.csv score that at most
  ``floor(f * benign)`` benign accounts exceed; recall is the share of campaign accounts
  above it (strictly). Accounts missing from final.csv score 0.
* PR-AUC is average precision over final.csv scores (scikit-learn).
* Clusters come from findings.jsonl (the last version of each ``cluster_id``). A cluster
  *mixes* when it holds a campaign account and a benign one. Its purity for a campaign is
  that campaign's share of the cluster. A campaign is *detected* when at least half of its
  active accounts are flagged inside clusters where its purity is ≥ 0.9.
* B-cubed precision and recall are computed over the active campaign accounts plus every
  account in a predicted cluster; the true cluster of a campaign account is its campaign, of
  an agency account the agency, of any other benign account its org; accounts outside every
  predicted cluster are singletons.
* Time to detection: among the campaign's accounts active in its first 24 h (72 h for
  slow-and-low), the share suspended by then must reach 50%; ``hours_to_half`` is when half
  of them were suspended (``inf`` if never).
* Replacement accounts (hydra): hours from an account's first request to its first
  suspension; unflagged accounts count as never (the median can be ``inf``).
* Leakage: the share of distillation requests with status 200 served by an account that was
  not suspended at the request's time (its last action at a checkpoint ≤ ts).
* Release robustness: coverage at t is the share of campaign accounts active in
  [t − 24 h, t) that are suspended at t; it must not drop by more than 0.05 from the release
  to 24 h after it; the evaluation lab must not be suspended from the release to 48 h after.
"""

from __future__ import annotations

import csv
import gzip
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import orjson

from ringfence.traffic.eval_metrics import (
    action_at,
    average_precision,
    bcubed,
    first_suspend,
    leakage_share,
    recall_at_fpr,
)

__all__ = [
    "ACTIONS", "EvalReport", "Target", "average_precision", "bcubed", "evaluate",
    "leakage_share", "recall_at_fpr",
]

ACTIONS = ("none", "review", "throttle", "suspend")
HOUR_MS = 3_600_000
CAMPAIGN_FAMILIES = ("hydra", "slow_low", "cot", "capability")
HN_FAMILIES = ("eval_lab", "labelling", "saas_relay", "coding_agent", "university", "agency",
               "oss_framework", "shared_egress")


class EvalInputError(ValueError):
    """A DATA or OUT file the evaluator cannot read; the message names file, line, field."""


# ------------------------------------------------------------------------------ reading
def _ms(s: str, where: str) -> int:
    try:
        return int(np.datetime64(s.rstrip("Z"), "ms").astype(np.int64))
    except ValueError as e:
        raise EvalInputError(f"{where}: not an ISO-8601 UTC time: {s!r}") from e


def _open_requests(data: Path) -> IO[bytes]:
    if (data / "requests.jsonl.gz").exists():
        return gzip.open(data / "requests.jsonl.gz", "rb")  # type: ignore[return-value]
    if (data / "requests.jsonl").exists():
        return open(data / "requests.jsonl", "rb")
    raise EvalInputError(f"{data}: no requests.jsonl or requests.jsonl.gz")


def _csv(path: Path, need: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    if not path.exists():
        raise EvalInputError(f"{path}: missing")
    with open(path, newline="") as fh:
        rd = csv.DictReader(fh)
        missing = [c for c in need if c not in (rd.fieldnames or [])]
        if missing:
            raise EvalInputError(f"{path}: header lacks {', '.join(missing)}")
        yield from enumerate(rd, start=2)


@dataclass
class _Truth:
    kind: dict[str, str]
    family: dict[str, str]
    campaign: dict[str, str]
    org: dict[str, str]
    replacement: dict[str, bool]
    first: dict[str, int]            # active accounts only
    campaigns: dict[str, dict[str, Any]]
    distill: set[str]
    releases: list[tuple[int, str]]
    window: tuple[int, int]


def _read_truth(data: Path) -> _Truth:
    tdir = data / "truth"
    t = _Truth({}, {}, {}, {}, {}, {}, {}, set(), [], (0, 0))
    for ln, r in _csv(tdir / "accounts.csv", ["account_id", "org_id", "kind", "family",
                                              "campaign_id", "replacement", "first_request"]):
        a = r["account_id"]
        if r["kind"] not in ("organic", "hard_negative", "campaign"):
            raise EvalInputError(f"{tdir / 'accounts.csv'} line {ln}: kind {r['kind']!r}")
        t.kind[a], t.family[a], t.campaign[a] = r["kind"], r["family"], r["campaign_id"]
        t.org[a], t.replacement[a] = r["org_id"], r["replacement"] == "1"
        if r["first_request"]:
            t.first[a] = _ms(r["first_request"], f"{tdir / 'accounts.csv'} line {ln}")
    for _, r in _csv(tdir / "distill_requests.csv", ["request_id"]):
        t.distill.add(r["request_id"])
    cj = tdir / "campaigns.json"
    if not cj.exists():
        raise EvalInputError(f"{cj}: missing")
    t.campaigns = orjson.loads(cj.read_bytes())
    ev = orjson.loads((data / "events.json").read_bytes())
    t.window = (_ms(ev["window_start"], "events.json window_start"),
                _ms(ev["window_end"], "events.json window_end"))
    t.releases = [(_ms(e["ts"], "events.json"), e.get("model", ""))
                  for e in ev["events"] if e.get("type") == "model_release"]
    return t


@dataclass
class _Out:
    timeline: dict[str, list[tuple[int, str]]]
    final_score: dict[str, float]
    final_action: dict[str, str]
    clusters: dict[str, list[str]]


def _read_out(out: Path) -> _Out:
    o = _Out(defaultdict(list), {}, {}, {})
    rows = []
    for ln, r in _csv(out / "actions.csv", ["checkpoint", "account_id", "action", "score",
                                            "cluster_id"]):
        if r["action"] not in ACTIONS:
            raise EvalInputError(f"{out / 'actions.csv'} line {ln}: action {r['action']!r}")
        rows.append((_ms(r["checkpoint"], f"{out / 'actions.csv'} line {ln}"),
                     r["account_id"], r["action"]))
    rows.sort(key=lambda x: x[0])
    for cp, a, act in rows:
        o.timeline[a].append((cp, act))
    for ln, r in _csv(out / "final.csv", ["account_id", "score", "action", "cluster_id"]):
        try:
            o.final_score[r["account_id"]] = float(r["score"])
        except ValueError as e:
            raise EvalInputError(f"{out / 'final.csv'} line {ln}: score {r['score']!r}") from e
        if r["action"] not in ACTIONS:
            raise EvalInputError(f"{out / 'final.csv'} line {ln}: action {r['action']!r}")
        o.final_action[r["account_id"]] = r["action"]
    fj = out / "findings.jsonl"
    if fj.exists():
        latest: dict[str, tuple[str, list[str]]] = {}
        with open(fj, "rb") as fh:
            for ln, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    f = orjson.loads(line)
                    cid, accts = str(f["cluster_id"]), [str(x) for x in f["account_ids"]]
                except (orjson.JSONDecodeError, KeyError, TypeError) as e:
                    raise EvalInputError(f"{fj} line {ln}: not a finding ({e})") from e
                ver = str(f.get("checkpoint", ""))
                if cid not in latest or ver >= latest[cid][0]:
                    latest[cid] = (ver, accts)
        o.clusters = {k: v for k, (_, v) in latest.items()}
    return o


# ------------------------------------------------------------------------------- report
@dataclass
class Target:
    name: str
    value: float
    target: str
    passed: bool


@dataclass
class EvalReport:
    """Every §4 figure, with per-campaign and per-hard-negative-group tables."""

    accounts_active: int = 0
    campaign_accounts: int = 0
    benign_accounts: int = 0
    precision: float = float("nan")
    recall: float = float("nan")
    recall_by_family: dict[str, float] = field(default_factory=dict)
    recall_at_fpr_0_1: float = float("nan")
    recall_at_fpr_1: float = float("nan")
    pr_auc: float = float("nan")
    organic_suspended: int = 0
    organic_suspended_rate: float = float("nan")
    clusters: int = 0
    mixed_clusters: int = 0
    bcubed_precision: float = float("nan")
    bcubed_recall: float = float("nan")
    replacement_median_h: float = float("nan")
    replacement_accounts: int = 0
    leakage: float = float("nan")
    distill_requests: int = 0
    releases: list[dict[str, Any]] = field(default_factory=list)
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    hard_negatives: list[dict[str, Any]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(t.passed for t in self.targets)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["passed"] = self.passed
        return d

    def to_json(self) -> bytes:
        def clean(x: Any) -> Any:
            if isinstance(x, float) and not math.isfinite(x):
                return None if math.isnan(x) else ("inf" if x > 0 else "-inf")
            if isinstance(x, dict):
                return {k: clean(v) for k, v in x.items()}
            if isinstance(x, list):
                return [clean(v) for v in x]
            return x
        return orjson.dumps(clean(self.to_dict()), option=orjson.OPT_INDENT_2)


def _share(n: int, d: int) -> float:
    return n / d if d else float("nan")


def evaluate(data: Path, out: Path) -> EvalReport:
    """Score OUT (actions.csv, final.csv, findings.jsonl) against DATA/truth."""
    t = _read_truth(data)
    o = _read_out(out)
    active = set(t.first)
    rep = EvalReport(accounts_active=len(active))
    flagged: set[str] = {a for a, tl in o.timeline.items() if any(x == "suspend" for _, x in tl)}
    flagged |= {a for a, x in o.final_action.items() if x == "suspend"}
    camp = sorted(a for a in active if t.kind.get(a) == "campaign")
    benign = sorted(a for a in active if t.kind.get(a) in ("organic", "hard_negative"))
    rep.campaign_accounts, rep.benign_accounts = len(camp), len(benign)
    tp = sum(a in flagged for a in camp)
    fp = sum(a in flagged for a in benign)
    rep.precision = _share(tp, tp + fp)
    rep.recall = _share(tp, len(camp))
    for fam in CAMPAIGN_FAMILIES:
        members = [a for a in camp if t.family[a] == fam]
        if members:
            rep.recall_by_family[fam] = _share(sum(a in flagged for a in members), len(members))
    pos = [o.final_score.get(a, 0.0) for a in camp]
    neg = [o.final_score.get(a, 0.0) for a in benign]
    rep.recall_at_fpr_0_1 = recall_at_fpr(pos, neg, 0.001)
    rep.recall_at_fpr_1 = recall_at_fpr(pos, neg, 0.01)
    rep.pr_auc = average_precision([1] * len(pos) + [0] * len(neg), pos + neg)
    organic = [a for a in benign if t.kind[a] == "organic"]
    rep.organic_suspended = sum(a in flagged for a in organic)
    rep.organic_suspended_rate = _share(rep.organic_suspended, len(organic))
    _clusters(rep, t, o, active, camp, flagged)
    _requests(rep, t, o, data, camp)
    _hard_negatives(rep, t, o, benign, flagged)
    _targets(rep)
    return rep


def _clusters(rep: EvalReport, t: _Truth, o: _Out, active: set[str], camp: list[str],
              flagged: set[str]) -> None:
    rep.clusters = len(o.clusters)
    pred: dict[str, str] = {}
    purity_of: dict[str, dict[str, float]] = {}
    for cid, accts in o.clusters.items():
        members = [a for a in dict.fromkeys(accts) if a in t.kind]
        for a in members:
            pred.setdefault(a, cid)
        labels = [t.campaign[a] if t.kind[a] == "campaign" else "" for a in members]
        if any(labels) and not all(labels):
            rep.mixed_clusters += 1
        n = len(members) or 1
        purity_of[cid] = {lab: labels.count(lab) / n for lab in set(labels) if lab}
    items = set(camp) | {a for a in pred if a in active}

    def true_label(a: str) -> str:
        if t.kind[a] == "campaign":
            return "c:" + t.campaign[a]
        if t.family[a] == "agency":
            return "agency"
        return "o:" + t.org[a]

    rep.bcubed_precision, rep.bcubed_recall = bcubed({a: pred[a] for a in items if a in pred},
                                                     {a: true_label(a) for a in items})
    by_camp: defaultdict[str, list[str]] = defaultdict(list)
    for a in camp:
        by_camp[t.campaign[a]].append(a)
    for cid in sorted(t.campaigns):
        members = by_camp.get(cid, [])
        pure = [a for a in members if a in flagged and a in pred
                and purity_of.get(pred[a], {}).get(cid, 0.0) >= 0.9]
        info = t.campaigns[cid]
        rep.campaigns.append({
            "campaign": cid, "family": info.get("family", ""), "start": info.get("start", ""),
            "accounts": len(members), "flagged": sum(a in flagged for a in members),
            "recall": _share(sum(a in flagged for a in members), len(members)),
            "in_pure_clusters": len(pure),
            "detected": bool(members) and len(pure) >= 0.5 * len(members),
        })


def _iter_requests(data: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with _open_requests(data) as fh:
        for ln, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                r = orjson.loads(line)
                yield ln, r
            except orjson.JSONDecodeError:
                continue   # the detector sets malformed lines aside; so does the scorer


def _requests(rep: EvalReport, t: _Truth, o: _Out, data: Path, camp: list[str]) -> None:
    """Leakage, time to detection, replacement speed, release coverage (one log pass)."""
    camp_set = set(camp)
    d_acct: list[str] = []
    d_ts: list[int] = []
    hours: defaultdict[str, set[int]] = defaultdict(set)
    w0 = t.window[0]
    for _, r in _iter_requests(data):
        a = r.get("account_id")
        if a not in camp_set:
            continue
        ts = _ms(r["ts"], "requests")
        hours[a].add((ts - w0) // HOUR_MS)
        if r.get("request_id") in t.distill and r.get("status") == 200:
            d_acct.append(a)
            d_ts.append(ts)
    rep.distill_requests = len(d_acct)
    rep.leakage = leakage_share(d_acct, d_ts, o.timeline)
    susp = {a: first_suspend(o.timeline.get(a, [])) for a in camp}
    for a in camp:   # suspended in final.csv only: at the window end
        if susp[a] is None and o.final_action.get(a) == "suspend":
            susp[a] = t.window[1]
    # time to detection per campaign
    for row in rep.campaigns:
        cid = row["campaign"]
        start = _ms(row["start"], "campaigns.json") if row["start"] else w0
        horizon = 72 if row["family"] == "slow_low" else 24
        end = start + horizon * HOUR_MS
        early = [a for a in camp if t.campaign[a] == cid and t.first[a] < end]
        times = sorted(max(0.0, (s - start) / HOUR_MS) for a in early
                       if (s := susp[a]) is not None)
        need = math.ceil(0.5 * len(early)) if early else 0
        row["early_accounts"] = len(early)
        row["flagged_by_horizon"] = sum(x <= horizon for x in times)
        row["hours_to_half"] = times[need - 1] if need and len(times) >= need else math.inf
        row["horizon_h"] = horizon
        row["on_time"] = bool(early) and row["hours_to_half"] <= horizon
        # leakage per campaign
        mine = [i for i, a in enumerate(d_acct) if t.campaign[a] == cid]
        row["leakage"] = leakage_share([d_acct[i] for i in mine], [d_ts[i] for i in mine],
                                       o.timeline)
    # hydra replacements: first request -> first suspension
    repl = [a for a in camp if t.replacement.get(a)]
    rep.replacement_accounts = len(repl)
    if repl:
        delays = [((s - t.first[a]) / HOUR_MS if (s := susp[a]) is not None else math.inf)
                  for a in repl]
        rep.replacement_median_h = float(np.median(np.maximum(delays, 0.0)))
    # release robustness: coverage before and 24 h after each release
    for rts, model in t.releases:
        cov = []
        for at in (rts, rts + 24 * HOUR_MS):
            lo, hi = (at - 24 * HOUR_MS - w0) // HOUR_MS, (at - w0) // HOUR_MS
            act = [a for a in camp if any(lo <= h < hi for h in hours[a])]
            cov.append(_share(sum(action_at(o.timeline.get(a, []), at) == "suspend"
                                  for a in act), len(act)))
        rep.releases.append({"model": model, "release": _iso(rts),
                             "coverage_before": cov[0], "coverage_after": cov[1]})


def _iso(ms: int) -> str:
    return str(np.datetime_as_string(np.datetime64(ms, "ms"), unit="s")) + "Z"


def _hard_negatives(rep: EvalReport, t: _Truth, o: _Out, benign: list[str],
                    flagged: set[str]) -> None:
    by: defaultdict[str, list[str]] = defaultdict(list)
    for a in benign:
        if t.kind[a] == "hard_negative":
            by[t.family[a]].append(a)
    for fam in HN_FAMILIES + tuple(sorted(set(by) - set(HN_FAMILIES))):
        members = by.get(fam, [])
        if not members:
            continue
        ever: dict[str, set[str]] = {x: set() for x in ACTIONS}
        for a in members:
            for _, act in o.timeline.get(a, []):
                ever[act].add(a)
            ever[o.final_action.get(a, "none")].add(a)
        row: dict[str, Any] = {
            "group": fam, "accounts": len(members),
            "suspended": sum(a in flagged for a in members),
            "throttled": len(ever["throttle"]), "reviewed": len(ever["review"]),
            "max_score": max((o.final_score.get(a, 0.0) for a in members), default=0.0)}
        if fam == "eval_lab":
            during = 0
            for rts, _ in t.releases:
                for a in members:
                    tl = o.timeline.get(a, [])
                    if any(rts <= cp < rts + 48 * HOUR_MS and x == "suspend" for cp, x in tl):
                        during += 1
            row["suspended_in_release_burst"] = during
        rep.hard_negatives.append(row)


def _targets(rep: EvalReport) -> None:
    T = rep.targets

    def add(name: str, value: float, target: str, ok: bool) -> None:
        T.append(Target(name, value, target, bool(ok)))

    add("account precision", rep.precision, ">= 0.95", rep.precision >= 0.95)
    add("account recall", rep.recall, ">= 0.80", rep.recall >= 0.80)
    for fam, r in rep.recall_by_family.items():
        need = 0.50 if fam == "slow_low" else 0.60
        add(f"recall {fam}", r, f">= {need:.2f}", r >= need)
    for row in rep.hard_negatives:
        add(f"hard negative {row['group']} suspended", row["suspended"], "== 0",
            row["suspended"] == 0)
    add("organic benign suspended rate", rep.organic_suspended_rate, "<= 0.002",
        rep.organic_suspended_rate <= 0.002)
    add("clusters mixing campaign and benign", rep.mixed_clusters, "== 0",
        rep.mixed_clusters == 0)
    for row in rep.campaigns:
        need = 0.50 if row["family"] == "slow_low" else 0.60
        add(f"{row['campaign']} recall", row["recall"], f">= {need:.2f}",
            row["recall"] >= need)
        add(f"{row['campaign']} detected (>=50% in clusters of purity >= 0.9)",
            row["in_pure_clusters"] / row["accounts"] if row["accounts"] else float("nan"),
            ">= 0.50", row["detected"])
        if "hours_to_half" in row:
            add(f"{row['campaign']} hours to 50% flagged", row["hours_to_half"],
                f"<= {row['horizon_h']}", row["on_time"])
    if rep.replacement_accounts:
        add("hydra replacements median hours to flag", rep.replacement_median_h, "<= 2",
            rep.replacement_median_h <= 2)
    add("leakage", rep.leakage, "<= 0.25", rep.leakage <= 0.25)
    for rel in rep.releases:
        b, a = rel["coverage_before"], rel["coverage_after"]
        ok = (math.isnan(b) or math.isnan(a)) or a >= b - 0.05
        add(f"coverage 24 h after the {rel['model']} release", a,
            f">= {b:.2f} (before) - 0.05", ok)
    for row in rep.hard_negatives:
        if "suspended_in_release_burst" in row:
            add("eval lab suspended during release bursts", row["suspended_in_release_burst"],
                "== 0", row["suspended_in_release_burst"] == 0)


def format_value(v: Any) -> str:
    """A figure for a table: 3 decimals, integers as is, inf and nan spelt out."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "n/a"
        if math.isinf(v):
            return "never"
        return f"{v:.3f}"
    return str(v)


def iter_rows(rows: Iterable[dict[str, Any]], cols: Sequence[str]) -> Iterator[list[str]]:
    for r in rows:
        yield [format_value(r.get(c, "")) for c in cols]
