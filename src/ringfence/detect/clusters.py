"""Clusters at a checkpoint: their link evidence, scores, member actions and findings.

A cluster's score combines three categories (``scoring.combine``): *link* (the rarest
shared values across its orgs, one weight per kind, scaled by how many orgs they span),
*content* (the members' content scores, weighted by requests) and *context* (the members'
context; egress from a restricted region anywhere in the cluster propagates to it). A
member's score is the larger of its own and its cluster's: cluster evidence lifts members
that look ordinary on their own (a hydra account serving resold customer traffic).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ringfence.detect.config import ACTIONS
from ringfence.detect.gate import CovertSigns, covert_signs, declared_identity
from ringfence.detect.scoring import CATEGORY_CAPS, noisy_or
from ringfence.detect.signals import Signal
from ringfence.detect.text import stable_hash

if TYPE_CHECKING:
    from ringfence.detect.detector import ActionRow, DetectorState

__all__ = ["score_clusters"]

_FINGERPRINT_KINDS = ("payment_fingerprint", "signup_device_fp", "system_prompt_hash",
                      "tools_hash", "skeleton", "skeleton_short", "skeleton_near")
# content signals that say what a distillation campaign asks for; a shared template (the
# template_sweep / coordinated_sweep signals, the skeleton and system prompt links) says only
# that several accounts run one program, which open-source frameworks and benchmark
# harnesses also do; so do client-written histories and tool use (agent frameworks)
_DISTILL_SIGNALS = frozenset({"cot_elicitation", "rubric_grading", "policy_rewrite"})
_GATE = 0.25
# links that say who made the accounts (a batch signup), not which program they run
_PROVENANCE_KINDS = frozenset({"payment_bin_day", "signup_ip_block"})
_KIND_WORDS = {
    "payment_fingerprint": "payment instrument", "signup_device_fp": "signup device",
    "email": "mailbox (after normalisation)", "signup_ip_block": "signup IP block and window",
    "payment_bin_day": "card BIN on the same signup day", "system_prompt_hash": "system prompt",
    "tools_hash": "tool schema", "skeleton": "prompt skeleton", "ip": "client IP",
    "client_user_id": "end-user id", "skeleton_short": "short prompt (whole, masked)",
    "skeleton_near": "near-duplicate template family (MinHash/LSH, several fills)",
    "sync": "synchronised burst (one skeleton, several orgs, same five minutes)",
}


def _link_evidence(st: DetectorState, labels: np.ndarray) -> dict[int, dict[str, list[Any]]]:
    """Per cluster label, per kind: [max weight, values, accounts, rarity count (orgs for
    identity kinds, benign orgs for the others), example values, max orgs spanned]."""
    out: dict[int, dict[str, list[Any]]] = defaultdict(dict)
    accounts = st.accounts
    for ev in st.links.evidence:
        groups: dict[int, list[int]] = defaultdict(list)
        for h in ev.linked:
            groups[int(labels[h])].append(h)
        for lab, members in groups.items():
            if len(members) < 2:
                continue
            n_orgs = len({accounts[m].org_id for m in members})
            if n_orgs < 2:
                continue
            rarity = ev.n_orgs if st.config.kinds[ev.kind].identity else ev.n_benign_orgs
            # how many of the holders look independent (own card): an agency declares its
            # relation by paying for its clients; a hidden campaign pays separately
            cards = {accounts[m].payment_fp or accounts[m].account_id for m in members}
            independent = len(cards) / len(members)
            cur = out[lab].get(ev.kind)
            if cur is None:
                out[lab][ev.kind] = [ev.weight, 1, len(members), rarity, [ev.value], n_orgs,
                                     independent if n_orgs >= 3 else 0.0]
            else:
                cur[0] = max(cur[0], ev.weight)
                cur[1] += 1
                cur[2] = max(cur[2], len(members))
                cur[3] = min(cur[3], rarity)
                if len(cur[4]) < 5:
                    cur[4].append(ev.value)
                if n_orgs >= 3 and n_orgs >= cur[5]:
                    cur[6] = max(cur[6], independent)
                cur[5] = max(cur[5], n_orgs)
    return out


def _fmt_value(value: Any) -> str:
    if isinstance(value, tuple):
        return "/".join(str(v) for v in value)
    if isinstance(value, int):
        return f"sk:{value:016x}"
    return str(value)


def score_clusters(st: DetectorState, labels: np.ndarray,
                   joined: dict[tuple[int, int], dict[str, float]], *, t: float,
                   checkpoint: str, combine: Callable[[dict[str, float]], tuple[float, bool]],
                   action_for: Callable[[float], str],
                   max_action: Callable[[str, str], str]) -> tuple[list[ActionRow],
                                                                   list[dict[str, Any]]]:
    from ringfence.detect.detector import ActionRow, iso

    accounts = st.accounts
    groups: dict[int, list[int]] = defaultdict(list)
    for a in accounts:
        groups[int(labels[a.idx])].append(a.idx)
    evidence = _link_evidence(st, labels)
    for (x, _y), per_kind in joined.items():
        lab = int(labels[x])
        for kind, w in per_kind.items():
            ev = evidence[lab].get(kind)
            if ev is not None:
                ev[0] = max(ev[0], w)

    # stable cluster ids: largest clusters claim their predecessors' ids first
    multi = sorted((g for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g[0]))
    taken: set[str] = set()
    cluster_of: dict[int, str] = {}
    for g in multi:
        prev = Counter(accounts[m].cluster_id for m in g if accounts[m].cluster_id)
        cid = ""
        for cand, _n in sorted(prev.items(), key=lambda kv: (-kv[1], kv[0])):
            if cand not in taken:
                cid = cand
                break
        if not cid:
            first = min(accounts[m].account_id for m in g)
            cid = f"c{stable_hash(first + checkpoint):016x}"[:13]
        taken.add(cid)
        for m in g:
            cluster_of[m] = cid

    rows: list[ActionRow] = []
    changed: list[dict[str, Any]] = []
    current: dict[str, dict[str, Any]] = {}
    for lab in sorted(groups, key=lambda k: groups[k][0]):
        members = groups[lab]
        if len(members) == 1:
            only = accounts[members[0]]
            if members[0] not in st.scored and not only.cluster_id and (
                    only.action == "none" or only.action == "suspend"):
                kept = st.findings.get(f"acct-{only.account_id}")
                if kept is not None:
                    current[f"acct-{only.account_id}"] = kept
                continue  # a lone account with nothing new: its score stands
        cached = [st.cached.get(m) for m in members]
        orgs = sorted({accounts[m].org_id for m in members})
        cluster_sigs: list[Signal] = []
        cats = {"link": 0.0, "content": 0.0, "context": 0.0}
        capped = False
        if len(members) > 1:
            for kind, (w, nvals, nacc, rarest, _ex, _no, _ind) in sorted(
                    evidence.get(lab, {}).items()):
                where = ("held by {} orgs in all" if st.config.kinds[kind].identity
                         else "held by {} other (unflagged) orgs").format(rarest)
                cluster_sigs.append(Signal(
                    f"shared_{kind}", "link", nvals, w,
                    f"{nvals} {_KIND_WORDS.get(kind, kind)} value(s) shared by up to {nacc} "
                    f"accounts across orgs of this cluster; the rarest is {where}"))
            if len(orgs) >= 2 and cluster_sigs:
                # two front orgs already say "one operator behind several customers"
                org_factor = min(1.0, 0.6 + 0.2 * (len(orgs) - 2))
                cats["link"] = min(CATEGORY_CAPS["link"],
                                   noisy_or(s.weight for s in cluster_sigs) * org_factor)
            reqs = [accounts[m].n for m in members]
            total = sum(reqs)
            contents = [c.content if c else 0.0 for c in cached]
            contexts = [c.context if c else 0.0 for c in cached]
            by_req = (sum(c * r for c, r in zip(contents, reqs, strict=True)) / total
                      if total else 0.0)
            active = [c for c, r in zip(contents, reqs, strict=True) if r]
            by_acc = sum(active) / len(active) if active else 0.0
            cats["content"] = max(by_req, by_acc)
            sweep = evidence.get(lab, {}).get("skeleton")
            if sweep is not None and sweep[5] >= 3 and sweep[6] >= 0.5:
                w = 0.45 * min(1.0, sweep[5] / 6) * sweep[6]
                cats["content"] = min(CATEGORY_CAPS["content"], noisy_or([cats["content"], w]))
                cluster_sigs.append(Signal(
                    "coordinated_sweep", "content", sweep[5], w,
                    f"one prompt skeleton dominates the traffic of accounts in {sweep[5]} "
                    f"orgs that pay separately ({sweep[6]:.0%} distinct cards): a dataset "
                    "swept in parts by accounts posing as unrelated"))
            ctx = sum(contexts) / len(contexts)
            restricted = sum(1 for c in cached if c and any(
                s.signal == "restricted_egress" for s in c.signals))
            if restricted:
                ctx = max(ctx, 0.3)
                cluster_sigs.append(Signal(
                    "restricted_egress_in_cluster", "context", restricted, 0.3,
                    f"{restricted} member account(s) reached the service from a restricted "
                    "region; it counts for the whole cluster"))
            busy = [r for r in reqs if r >= 5]
            equalised = False
            if len(busy) >= 5:
                mean = statistics.fmean(busy)
                cv = statistics.pstdev(busy) / mean if mean else 0.0
                if cv < 0.3:
                    equalised = True
                    ctx = noisy_or([ctx, 0.15])
                    cluster_sigs.append(Signal(
                        "volume_equalised", "context", cv, 0.15,
                        f"{len(busy)} active members send {mean:.0f} requests each with "
                        f"variation {cv:.2f} (load-balanced)"))
            cats["context"] = min(CATEGORY_CAPS["context"], ctx)
            cluster_score, capped = combine(cats)
        else:
            equalised = False
            cluster_score = 0.0
            lone = cached[0]
            if lone is not None:  # a lone account's breakdown is its own
                cats = {"link": 0.0, "content": lone.content, "context": lone.context}
                _own, capped = combine(cats)
        # suspension needs corroboration that is not the shared template itself: a
        # distillation content label, or an identity link (card, device, mailbox) across orgs
        distill = [noisy_or(s.weight for s in c.signals if s.signal in _DISTILL_SIGNALS)
                   if c else 0.0 for c in cached]
        dreqs = [accounts[m].n for m in members]
        dtotal = sum(dreqs)
        by_req_d = (sum(d * r for d, r in zip(distill, dreqs, strict=True)) / dtotal
                    if dtotal else 0.0)
        # a batch signup of KYC-verified orgs (one university's labs on its procurement
        # card) is a declared institution, not a hidden one
        unverified = sum(1 for o in orgs if (info := st.orgs.get(o)) is None
                         or info.kyc_level != "verified")
        identity = len(members) > 1 and any(
            (kind in _PROVENANCE_KINDS and ev[0] > 0.0 and unverified >= 2)
            or (st.config.kinds[kind].identity and ev[0] >= _GATE)
            for kind, ev in evidence.get(lab, {}).items())
        active_d = [d for d, r in zip(distill, dreqs, strict=True) if r]
        by_acc_d = sum(active_d) / len(active_d) if active_d else 0.0
        # an identity or signup link opens the way to a suspension only for a group that
        # also operates covertly (detect.gate), and never through a verified org's own card
        covert: CovertSigns | None = None
        if identity:
            covert = covert_signs(st, members, cached, t=t, equalised=equalised)
            identity = covert.enough and not declared_identity(st, members)
        distill_ok = max(by_req_d, by_acc_d) >= _GATE
        if distill_ok and len(orgs) >= 2:
            # labels the small model gave (not the pattern banks) are a weaker reading of
            # the content: a group of several orgs whose distillation evidence rests mostly
            # on them must also operate covertly (an agency's copywriting misread)
            labelled = sum(sum(accounts[m].labels[1:]) for m in members)
            by_model = sum(accounts[m].model_distill for m in members)
            if 2 * by_model > labelled:
                if covert is None:
                    covert = covert_signs(st, members, cached, t=t, equalised=equalised)
                distill_ok = covert.enough
        may_suspend = identity or distill_ok
        if covert is not None and (covert.strong or covert.weak):
            cluster_sigs.append(Signal(
                "covert_operation", "context", len(covert.strong) + len(covert.weak), 0.0,
                f"how the linked accounts operate: {covert.describe()} (a suspension on "
                "links, or on content only the small model read, needs one strong or two "
                "weak signs)"))
        cid = cluster_of.get(members[0], "")
        flagged: list[int] = []
        for m, c in zip(members, cached, strict=True):
            a = accounts[m]
            score = max(c.own if c else 0.0, cluster_score)
            action = action_for(score)
            if action == "suspend" and not may_suspend:
                action = "throttle"
            if not a.n:
                action = "none"  # no request in the window: nothing to act on yet
            if a.action == "suspend":
                action = "suspend"
            elif action == "suspend":
                a.suspended_at = t
            if action != "none" and a.first_flagged is None:
                a.first_flagged = t
            if action != a.action or (cid != a.cluster_id and action != "none"):
                if action != a.action:
                    rows.append(ActionRow(checkpoint, a.account_id, action, round(score, 4),
                                          cid))
                a.action = action
            a.score = score
            a.cluster_id = cid
            if action != "none":
                flagged.append(m)
        if not flagged:
            continue
        fid = cid or f"acct-{accounts[members[0]].account_id}"
        top = max(ACTIONS.index(accounts[m].action) for m in members)
        score = max(accounts[m].score for m in members)
        mark = (ACTIONS[top], round(score, 3), tuple(members))
        if st.finding_marks.get(fid) == mark and fid in st.findings:
            current[fid] = st.findings[fid]
            continue
        st.finding_marks[fid] = mark
        finding = _finding(st, fid, members, orgs, ACTIONS[top], score, cats, capped,
                           cluster_sigs, cached, evidence.get(lab, {}), checkpoint, iso)
        current[fid] = finding
        changed.append(finding)
    st.findings = current
    _ = max_action
    return rows, changed


def _finding(st: DetectorState, fid: str, members: list[int], orgs: list[str], action: str,
             score: float, cats: dict[str, float], capped: bool, cluster_sigs: list[Signal],
             cached: list[Any], link_ev: dict[str, list[Any]], checkpoint: str,
             iso: Callable[[float], str]) -> dict[str, Any]:
    accounts = st.accounts
    per_name: dict[str, list[Signal]] = defaultdict(list)
    for c in cached:
        if c:
            for s in c.signals:
                per_name[s.signal].append(s)
    evidence = [s.as_dict() for s in cluster_sigs]
    size = len(members)
    for name in sorted(per_name):
        sigs = per_name[name]
        best = max(sigs, key=lambda s: s.weight)
        evidence.append({
            "signal": name, "value": round(len(sigs) / size, 4),
            "weight": round(statistics.fmean(s.weight for s in sigs), 4),
            "detail": (f"{len(sigs)} of {size} accounts; strongest: {best.detail}"
                       if size > 1 else best.detail),
            "category": best.category})
    evidence.sort(key=lambda e: -float(e["weight"]))  # type: ignore[arg-type]
    fingerprints: dict[str, list[str]] = {k: [] for k in _FINGERPRINT_KINDS}
    for kind in _FINGERPRINT_KINDS:
        ev = link_ev.get(kind)
        if ev:
            fingerprints[kind] = [_fmt_value(v) for v in ev[4]]
    excerpts: list[str] = []
    for m in members:
        for label, text in accounts[m].excerpts:
            if len(excerpts) < 5:
                excerpts.append(f"[{label}] {text}"[:200])
    flagged_at = [f for f in (accounts[m].first_flagged for m in members) if f is not None]
    return {
        "cluster_id": fid,
        "account_ids": sorted(accounts[m].account_id for m in members),
        "org_ids": orgs,
        "action": action,
        "score": round(score, 4),
        "first_flagged": iso(min(flagged_at)) if flagged_at else checkpoint,
        "evidence": evidence,
        "checkpoint": checkpoint,
        "score_breakdown": {k: round(v, 4) for k, v in cats.items()} | {
            "corroboration_cap": capped},
        "fingerprints": fingerprints,
        "excerpts": excerpts,
        "members": [{"account_id": accounts[m].account_id, "org_id": accounts[m].org_id,
                     "score": round(accounts[m].score, 4), "action": accounts[m].action}
                    for m in sorted(members, key=lambda m: accounts[m].account_id)],
    }
