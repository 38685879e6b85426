"""Cohorts: evidence that accumulates across the holders of one program, not per account.

A slow-and-low sweep (request-logs.md §3) deals a dataset to many light accounts, each a
plausible small user sending a few requests a day. Per account, every signal needs volume:
a template's share needs requests, the activity clock needs a day's worth, and paraphrased
templates split what little there is. So the accounts stay under the suspect line, and
because behaviour values link suspects only (and count the other holders as *benign*),
their shared system prompt and templates weigh nothing: the campaign hides behind itself.

What the accounts cannot hide is what they do *together*. For each template value (system
prompt or its prefix, tool schema, prompt skeleton, near-duplicate family) held by accounts
of at least ``cohort_orgs`` orgs, the holders are read as one cohort:

- **batch provenance**: the share of holders in orgs that are not KYC-verified that share
  a signup trace (card BIN and signup day, signup IP block and window, card, device) with a
  holder of another org of the cohort: accounts made together;
- **rounds**: the share of active holders with at least one request in a synchronised
  burst (``detect.synchrony``: the same skeleton from several orgs in the same five
  minutes, far above its rate): a scheduler dealing items.

A cohort with both (``cohort_batch`` and ``cohort_sync``) is a *coordinated cohort*: its
active holders become suspects (so their shared values link them and stop counting as
benign) and carry the ``coordinated_cohort`` context signal, a weak covert sign in the gate.
Neither half needs any one account to have sent much: a cohort of a hundred accounts
sending five requests a day shows both within hours of its start. Legitimate look-alikes
show one half at most: an agency's client orgs signed up together but send on their own
clock; an open-source framework's users share a system prompt but neither signup traces
nor rounds; a university's labs on one procurement card are verified. Nothing here
suspends: the suspension gate (``clusters``, ``gate``) is unchanged.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ringfence.detect.scoring import CATEGORY_CAPS, noisy_or
from ringfence.detect.signals import Signal

if TYPE_CHECKING:
    from ringfence.detect.detector import DetectorState, _Cached

__all__ = ["COHORT_SIGNAL", "coordinated_cohorts", "mark_cohorts"]

COHORT_SIGNAL = "coordinated_cohort"
_PROGRAM_KINDS = ("system_prompt_hash", "system_prefix_hash", "tools_hash", "skeleton",
                  "skeleton_short", "skeleton_near")
_BATCH_KINDS = frozenset({"payment_bin_day", "signup_ip_block", "payment_fingerprint",
                          "signup_device_fp"})
_WEIGHT = 0.15


def coordinated_cohorts(st: DetectorState) -> dict[int, tuple[int, float, float]]:
    """Active holders of coordinated cohorts: account index -> (orgs, batch share, synced
    share) of the largest cohort it belongs to."""
    cfg = st.config
    accounts = st.accounts
    out: dict[int, tuple[int, float, float]] = {}
    for kind in _PROGRAM_KINDS:
        for value in st.index.shared(kind):
            holders = st.index.holders(kind, value)
            if len(holders) < cfg.cohort_orgs:
                continue
            active = [h for h in holders if accounts[h].n]
            synced = sum(1 for h in active if accounts[h].synced)
            if synced < 3 or synced < cfg.cohort_sync * len(active):
                continue
            orgs = {accounts[h].org_id for h in holders}
            if len(orgs) < cfg.cohort_orgs:
                continue
            members = set(holders)
            open_ = [h for h in holders if (o := st.orgs.get(accounts[h].org_id)) is None
                     or o.kyc_level != "verified"]
            batched = sum(1 for h in open_ if _batched(st, h, members))
            batch = batched / len(holders)
            if batch < cfg.cohort_batch:
                continue
            share = synced / len(active)
            for h in active:
                if h not in out or out[h][0] < len(orgs):
                    out[h] = (len(orgs), batch, share)
    return out


def _batched(st: DetectorState, h: int, members: set[int]) -> bool:
    org = st.accounts[h].org_id
    for kind, value in st.index.shared_values_of(h):
        if kind in _BATCH_KINDS and any(o in members and st.accounts[o].org_id != org
                                        for o in st.index.holders(kind, value)):
            return True
    return False


def mark_cohorts(st: DetectorState) -> None:
    """Make the active holders of coordinated cohorts suspects and give them the
    ``coordinated_cohort`` signal (context), replacing last checkpoint's."""
    found = coordinated_cohorts(st)
    for i, c in list(st.cached.items()):
        if i not in found and any(s.signal == COHORT_SIGNAL for s in c.signals):
            st.cached[i] = _with(c, None)
    for i, (orgs, batch, share) in found.items():
        cur = st.cached.get(i)
        if cur is None:
            continue
        sig = Signal(COHORT_SIGNAL, "context", share, _WEIGHT,
                     f"one of {orgs} orgs sending one program's prompts: {batch:.0%} of them "
                     f"signed up in batches with another org of the group, {share:.0%} sent "
                     "requests in synchronised rounds")
        st.cached[i] = _with(cur, sig)
        st.suspects.add(i)


def _with(c: _Cached, sig: Signal | None) -> _Cached:
    signals = [s for s in c.signals if s.signal != COHORT_SIGNAL]
    if sig is not None:
        signals.append(sig)
    context = min(CATEGORY_CAPS["context"],
                  noisy_or(s.weight for s in signals if s.category == "context"))
    return replace(c, signals=signals, context=context)
