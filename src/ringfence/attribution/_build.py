"""From holdings in force to the channels one bound evaluates.

For one bound (lower: every share at its minimum; upper: at its maximum) a
:class:`Channels` holds the **shares** channel (equity edges) and, in control mode, the
**votes** channel:

- the vote channel of an owned entity is its ``votes`` holdings if it has any in force,
  else its ``shares`` holdings (shares carry votes), plus its ``control`` holdings;
- per (owner, owned) pair the vote-channel value is ``max(votes-or-shares sum, control
  sum)``: a control right and the votes of the same owner are two descriptions of one
  influence, so they are not added (that would count the owner twice); holdings of the
  same kind between the same pair add up.

Under ``unaccounted_equity: unknown`` the upper bound gets one virtual owner per owned
entity that has at least one shares holding in force, holding what the recorded lower ends
leave over (``1 - sum of lower ends``; open if any of those ends is open). Virtual owners
are nodes ``n .. n+m-1``, possible origins, ``virtual_of`` names their entity. When the
vote channel is made of ``votes`` holdings it gets its own leftover the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ringfence.attribution._kernels import jit
from ringfence.attribution.graph import CONTROL, SHARES, VOTES, HoldingTable
from ringfence.model.share import SCALE

__all__ = ["Channels", "build_channels"]

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
B = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Channels:
    n: int  # nodes, virtual owners included
    n_real: int
    origin: B
    s_src: I64
    s_dst: I64
    s_val: I64
    s_opn: I32
    v_src: I64
    v_dst: I64
    v_val: I64
    v_opn: I32
    virtual_of: I64


def _leftover(owned: I64, lo: I64, lo_open: B, n: int) -> tuple[I64, I64, I32]:
    """Per owned entity with any row: (entity, 1 - sum lo, open) where that is > 0."""
    if len(owned) == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z, np.zeros(0, dtype=np.int32)
    ent, inv = np.unique(owned, return_inverse=True)
    total = np.bincount(inv, weights=lo.astype(np.float64)).astype(np.int64)
    anyopen = np.bincount(inv, weights=lo_open.astype(np.float64)) > 0
    left = SCALE - total
    keep = left > 0
    return ent[keep], left[keep], anyopen[keep].astype(np.int32)


def build_channels(n: int, origin: B, edges: HoldingTable, *, lower: bool, control: bool,
                   unaccounted: bool, shares: bool = True,
                   by_owner: bool = False) -> Channels:
    """The channels of one bound over ``n`` entities; ``edges`` are the holdings in force.

    ``shares=False``: the shares channel holds the virtual owners' edges only (the caller
    has the recorded shares edges already, e.g. as a CSR shared by both bounds).
    ``by_owner``: the vote channel's pairs come sorted by (owner, owned), i.e. already an
    out-CSR's rows (else by (owned, owner)).
    """
    if not shares and not control and (lower or not unaccounted):
        z = np.zeros(0, dtype=np.int64)
        zo = np.zeros(0, dtype=np.int32)
        return Channels(n, n, origin, z, z, z, zo, z, z, z, zo, z)
    kind = edges.kind
    owner = edges.owner  # cast per subset below: no full-size int64 copies
    owned = edges.owned
    val = edges.lo if lower else edges.hi
    opn = edges.lo_open if lower else edges.hi_open
    eq = kind == SHARES
    if shares:
        s_src, s_dst = owner[eq].astype(np.int64), owned[eq].astype(np.int64)
        s_val, s_opn = val[eq].astype(np.int64), opn[eq].astype(np.int32)
    else:
        s_src = s_dst = s_val = np.zeros(0, dtype=np.int64)
        s_opn = np.zeros(0, dtype=np.int32)

    if control:
        has_votes = np.zeros(n, dtype=np.bool_)
        has_votes[owned[kind == VOTES]] = True
        vs = (kind == VOTES) | (eq & ~has_votes[owned])
    virt_ent = np.zeros(0, dtype=np.int64)
    v_extra: tuple[I64, I64, I64, I32] | None = None
    if unaccounted and not lower:
        ent, left, lopen = _leftover(owned[eq].astype(np.int64), edges.lo[eq],
                                     edges.lo_open[eq], n)
        virt_ent = ent
        vid = n + np.arange(len(ent), dtype=np.int64)
        s_src = np.concatenate((s_src, vid))
        s_dst = np.concatenate((s_dst, ent))
        s_val = np.concatenate((s_val, left))
        s_opn = np.concatenate((s_opn, lopen))
        if control:
            vmask = kind == VOTES
            vent, vleft, vopen = _leftover(owned[vmask].astype(np.int64), edges.lo[vmask],
                                           edges.lo_open[vmask], n)
            # the vote leftover is read from votes holdings where the entity has them,
            # else its shares leftover doubles as the vote leftover; only entities with
            # a virtual owner (some shares holding) get one
            ok = np.isin(vent, ent)
            at = np.searchsorted(ent, vent[ok])
            sav = ~has_votes[ent]
            v_extra = (
                np.concatenate((vid[at], vid[sav])),
                np.concatenate((vent[ok], ent[sav])),
                np.concatenate((vleft[ok], left[sav])),
                np.concatenate((vopen[ok], lopen[sav])),
            )
    m = len(virt_ent)
    total = n + m
    org = np.concatenate((origin, np.ones(m, dtype=np.bool_))) if m else origin

    if not control:
        z = np.zeros(0, dtype=np.int64)
        return Channels(total, n, org, s_src, s_dst, s_val, s_opn, z, z, z,
                        np.zeros(0, dtype=np.int32), virt_ent)

    # vote channel: per (owner, owned) pair, max(votes-or-shares sum, control sum)
    sel = np.flatnonzero(vs | (kind == CONTROL))
    c_src = owner[sel].astype(np.int64)
    c_dst = owned[sel].astype(np.int64)
    c_val = val[sel].astype(np.int64)
    c_opn = opn[sel]
    c_ctl = kind[sel] == CONTROL
    del sel
    if v_extra is not None:
        c_src = np.concatenate((c_src, v_extra[0]))
        c_dst = np.concatenate((c_dst, v_extra[1]))
        c_val = np.concatenate((c_val, v_extra[2]))
        c_opn = np.concatenate((c_opn, v_extra[3].astype(np.bool_)))
        c_ctl = np.concatenate((c_ctl, np.zeros(len(v_extra[0]), dtype=np.bool_)))
    v_src, v_dst, v_val, v_opn = combine_votes(c_src, c_dst, c_val, c_opn, c_ctl,
                                               total, lower=lower, by_owner=by_owner)
    return Channels(total, n, org, s_src, s_dst, s_val, s_opn, v_src, v_dst, v_val, v_opn,
                    virt_ent)


def combine_votes(src: I64, dst: I64, val: I64, opn: B, ctl: B, total: int, *,
                  lower: bool, by_owner: bool = False) -> tuple[I64, I64, I64, I32]:
    """One vote-channel edge per (owner, owned) pair: ``max(votes sum, control sum)``.

    The open flag follows the larger side; on a tie, at the lower bound either open end
    makes the max strictly larger (OR), at the upper bound both must be open for it to be
    strictly smaller (AND).
    """
    if len(src) == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z, z, np.zeros(0, dtype=np.int32)
    any_ctl = bool(ctl.any())
    if by_owner:  # the same pairs, grouped by owner first
        o_dst, o_src, o_val, o_opn, k = _group_pairs(dst, src, val, opn, ctl, total, lower,
                                                     any_ctl)
        return o_src[:k], o_dst[:k], o_val[:k], o_opn[:k]
    o_src, o_dst, o_val, o_opn, k = _group_pairs(src, dst, val, opn, ctl, total, lower,
                                                 any_ctl)
    if k == len(src) and not any_ctl:
        return src, dst, val, opn.astype(np.int32)  # no pair repeated: nothing to sum
    return o_src[:k], o_dst[:k], o_val[:k], o_opn[:k]


@jit
def _group_pairs(src: Any, dst: Any, val: Any, opn: Any, ctl: Any, total: int,
                 lower: bool, any_ctl: bool) -> tuple[Any, Any, Any, Any, int]:
    """The pairs of :func:`combine_votes` sorted by (dst, src), without a global sort:
    a counting sort by dst, then each row sorted by src (rows are short). With no
    control rights at all a pair is simply summed (open if any row is). Symmetric in
    ``src`` / ``dst``: swap them for pairs grouped by the other end."""
    m = len(src)
    ptr = np.zeros(total + 1, dtype=np.int64)
    for e in range(m):
        ptr[dst[e] + 1] += 1
    for i in range(total):
        ptr[i + 1] += ptr[i]
    fill = ptr[:-1].copy()
    perm = np.empty(m, dtype=np.int64)
    for e in range(m):
        d = dst[e]
        perm[fill[d]] = e
        fill[d] += 1
    o_src = np.empty(m, dtype=np.int64)
    o_dst = np.empty(m, dtype=np.int64)
    o_val = np.empty(m, dtype=np.int64)
    o_opn = np.empty(m, dtype=np.int32)
    k = 0
    for d in range(total):
        a, b = ptr[d], ptr[d + 1]
        if b - a > 1:  # stable sort of the row by owner
            if b - a > 16:
                row = perm[a:b].copy()
                keys = src[row]
                perm[a:b] = row[np.argsort(keys, kind="mergesort")]
            else:
                for i in range(a + 1, b):
                    x = perm[i]
                    j = i - 1
                    while j >= a and src[perm[j]] > src[x]:
                        perm[j + 1] = perm[j]
                        j -= 1
                    perm[j + 1] = x
        i = a
        while i < b:
            s = src[perm[i]]
            sv = 0
            sc = 0
            ov = False
            oc = False
            while i < b and src[perm[i]] == s:
                e = perm[i]
                if ctl[e]:
                    sc += val[e]
                    oc = oc or opn[e]
                else:
                    sv += val[e]
                    ov = ov or opn[e]
                i += 1
            o_src[k] = s
            o_dst[k] = d
            if not any_ctl or sv > sc:
                o_val[k] = sv
                o = ov
            elif sc > sv:
                o_val[k] = sc
                o = oc
            else:  # a side with no rows has value 0, not open
                o_val[k] = sv
                o = (ov or oc) if lower else (ov and oc)
            o_opn[k] = 1 if o else 0
            k += 1
    return o_src, o_dst, o_val, o_opn, k


I32_MAX = 2**31 - 1
_VAL_BITS = 30  # a holding's ppb (<= SCALE = 10**9) fits in 30 bits


def vote_csr(n: int, edges: HoldingTable, *, lower: bool, distinct: bool = False
             ) -> tuple[I64, I32, I32, B] | None:
    """The vote channel of one bound with no virtual owners, straight as an out-CSR
    ``(ptr, owned, value, open)``: the pairs of :func:`combine_votes` grouped by owner,
    each row sorted by owned. ``None`` when a value does not fit the packed form (the
    caller then takes :func:`build_channels`).

    ``distinct``: only the rows of entities whose vote channel can read differently from
    their shares channel, those with a ``votes`` or ``control`` holding (or a zero share
    with an open end, whose open flag a tie with a control side can drop). Every other
    entity's vote channel is its shares channel, pair by pair (a pair's sum saturates
    only past 200%, where every test reads the same), so a frontier over the shares
    channel already applies the vote test to it; at 10M entities with 3% vote holdings
    this is ~4% of the rows."""
    val = edges.lo if lower else edges.hi
    opn = edges.lo_open if lower else edges.hi_open
    if len(val) and (int(val.min()) < 0 or int(val.max()) >= 1 << _VAL_BITS
                     or n >= 1 << 31):
        return None
    out: tuple[I64, I32, I32, B] = _vote_csr(n, edges.owner, edges.owned, edges.kind, val,
                                             opn, lower, distinct)
    return out


@jit
def _vote_csr(n: int, owner: Any, owned: Any, kind: Any, val: Any, opn: Any,
              lower: bool, distinct: bool) -> tuple[Any, Any, Any, Any]:
    """:func:`vote_csr`: select the vote-channel rows, scatter each as one int64 (owned,
    value, open, control) into its owner's row, sort the (short) rows, merge pairs."""
    m = len(owner)
    has_votes = np.zeros(n, dtype=np.bool_)
    special = np.zeros(n if distinct else 0, dtype=np.bool_)
    any_ctl = False
    for e in range(m):
        k = kind[e]
        if k == VOTES:
            has_votes[owned[e]] = True
        if k == CONTROL:
            any_ctl = True
        if distinct and (k != SHARES or (val[e] == 0 and opn[e])):
            special[owned[e]] = True
    sel = np.zeros(m, dtype=np.bool_)
    ptr = np.zeros(n + 1, dtype=np.int64)
    for e in range(m):
        k = kind[e]
        if distinct and not special[owned[e]]:
            continue
        # votes, control, or shares of an entity without votes holdings (3 kinds only)
        if k != SHARES or not has_votes[owned[e]]:
            sel[e] = True
            ptr[owner[e] + 1] += 1
    for i in range(n):
        ptr[i + 1] += ptr[i]
    fill = ptr[:-1].copy()
    packed = np.empty(ptr[n], dtype=np.int64)
    for e in range(m):
        if sel[e]:
            u = owner[e]
            x = (np.int64(owned[e]) << 32) | (np.int64(val[e]) << 2)
            if opn[e]:
                x |= 2
            if kind[e] == CONTROL:
                x |= 1
            packed[fill[u]] = x
            fill[u] += 1
    mask = (np.int64(1) << _VAL_BITS) - 1
    o_ptr = np.zeros(n + 1, dtype=np.int64)
    o_dst = np.empty(len(packed), dtype=np.int32)
    o_val = np.empty(len(packed), dtype=np.int32)
    o_opn = np.empty(len(packed), dtype=np.bool_)
    k = 0
    for u in range(n):
        a, b = ptr[u], ptr[u + 1]
        if b - a > 16:
            packed[a:b] = np.sort(packed[a:b])
        elif b - a > 1:
            for i in range(a + 1, b):
                x = packed[i]
                j = i - 1
                while j >= a and packed[j] > x:
                    packed[j + 1] = packed[j]
                    j -= 1
                packed[j + 1] = x
        i = a
        while i < b:
            d = packed[i] >> 32
            sv = 0
            sc = 0
            ov = False
            oc = False
            while i < b and (packed[i] >> 32) == d:
                x = packed[i]
                v = (x >> 2) & mask
                if x & 1:
                    sc += v
                    oc = oc or (x & 2) != 0
                else:
                    sv += v
                    ov = ov or (x & 2) != 0
                i += 1
            o_dst[k] = d
            if not any_ctl or sv > sc:
                best = sv
                o = ov
            elif sc > sv:
                best = sc
                o = oc
            else:
                best = sv
                o = (ov or oc) if lower else (ov and oc)
            # saturate, never wrap: past 2**31 - 1 (> 2 x 100%) every test reads the same
            o_val[k] = min(best, I32_MAX)
            o_opn[k] = o
            k += 1
        o_ptr[u + 1] = k
    return o_ptr, o_dst[:k], o_val[:k], o_opn[:k]
