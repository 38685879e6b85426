"""Fan-out counting: how many distinct end users, countries and networks one account
serves. One implementation for the gateway (per request, per worker) and the detection
package (per log window), with bounded memory.

:class:`DistinctCounter` is exact up to ``cap`` values (a set), then switches to a
HyperLogLog sketch (datasketch, 2**p registers, about ``1.04 / sqrt(2**p)`` relative error:
3.3% at p=10) so an account with a million end users costs a kilobyte, not a million
strings. Counters merge (set union, or register maximum once either side is a sketch), so
several workers' counts can be combined; every count past ``cap`` is **approximate**.

:func:`crosses` is the resale rule both users apply: at least ``min_users`` end users and
either ``min_countries`` countries or ``min_networks`` networks.
"""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from typing import Any

from datasketch import HyperLogLog

__all__ = ["DistinctCounter", "FanOut", "crosses"]

DEFAULT_CAP = 64
_P = 10


def _hash32(data: bytes) -> int:
    # stable across processes (unlike hash()), so sketches from several workers merge
    return int.from_bytes(hashlib.blake2b(data, digest_size=4).digest(), "little")


class DistinctCounter:
    """Distinct values: exact below ``cap``, a HyperLogLog sketch above."""

    __slots__ = ("_cached", "_hll", "_set", "_since", "cap")

    def __init__(self, cap: int = DEFAULT_CAP) -> None:
        self.cap = cap
        self._set: set[str] | None = set()
        self._hll: HyperLogLog | None = None
        self._cached = 0  # the sketch's estimate, refreshed every 16 additions
        self._since = 0

    def add(self, value: str) -> bool:
        """Count ``value``; True when it is certainly new (only below the cap, where the
        values themselves are kept), False for a repeat or past the cap."""
        s = self._set
        if s is not None:
            if value in s:
                return False
            s.add(value)
            if len(s) > self.cap:
                self._to_sketch()
                return False
            return True
        assert self._hll is not None
        self._hll.update(value.encode())
        self._since += 1
        return False

    def _to_sketch(self) -> None:
        hll = HyperLogLog(p=_P, hashfunc=_hash32)
        for v in self._set or ():
            hll.update(v.encode())
        self._hll, self._set = hll, None
        self._cached, self._since = round(hll.count()), 0

    @property
    def approximate(self) -> bool:
        return self._hll is not None

    def count(self) -> int:
        if self._set is not None:
            return len(self._set)
        assert self._hll is not None
        if self._since >= 16:  # a sketch's estimate costs more than an addition
            self._cached, self._since = round(self._hll.count()), 0
        return self._cached

    def __len__(self) -> int:
        return self.count()

    def merge(self, other: DistinctCounter) -> None:
        """Fold ``other`` in (set union; register-wise maximum for sketches)."""
        if other._set is not None:
            for v in other._set:
                self.add(v)
            return
        if self._hll is None:
            self._to_sketch()
        assert self._hll is not None and other._hll is not None
        self._hll.merge(other._hll)
        self._cached, self._since = round(self._hll.count()), 0

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe form (values below the cap; the sketch's registers above)."""
        if self._set is not None:
            return {"values": sorted(self._set)}
        assert self._hll is not None
        return {"registers": base64.b64encode(self._hll.reg.tobytes()).decode()}

    @classmethod
    def from_json(cls, data: dict[str, Any], cap: int = DEFAULT_CAP) -> DistinctCounter:
        import numpy as np

        c = cls(cap)
        if "registers" in data:
            c._to_sketch()
            assert c._hll is not None
            c._hll.merge(HyperLogLog(p=_P, hashfunc=_hash32, reg=np.frombuffer(
                base64.b64decode(data["registers"]), dtype=np.int8).copy()))
            c._cached, c._since = round(c._hll.count()), 0
        else:
            for v in data.get("values", []):
                c.add(str(v))
        return c

    def __getstate__(self) -> dict[str, Any]:
        return {"cap": self.cap, "set": self._set,
                "reg": None if self._hll is None else self._hll.reg.tobytes()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        import numpy as np

        self.cap = state["cap"]
        self._set = state["set"]
        self._hll = None
        self._cached = len(self._set or ())
        self._since = 0
        if state["reg"] is not None:
            self._hll = HyperLogLog(p=_P, hashfunc=_hash32,
                                    reg=np.frombuffer(state["reg"], dtype=np.int8).copy())
            self._cached = round(self._hll.count())


def crosses(counts: tuple[int, int, int], *, min_users: int, min_countries: int,
            min_networks: int) -> bool:
    """The resale rule on ``(end users, countries, networks)``."""
    users, countries, networks = counts
    return users >= min_users and (countries >= min_countries or networks >= min_networks)


class FanOut:
    """Per-account counters of end users, countries and networks over a tumbling window,
    for at most ``max_keys`` accounts (the least recently seen is dropped past that)."""

    def __init__(self, *, window_seconds: float = 86400.0, max_keys: int = 100_000,
                 cap: int = DEFAULT_CAP) -> None:
        self.window_seconds = window_seconds
        self.max_keys = max_keys
        self.cap = cap
        self._window = -1
        self._by: OrderedDict[str, tuple[DistinctCounter, DistinctCounter,
                                         DistinctCounter]] = OrderedDict()
        self.merged: dict[str, tuple[int, int, int]] = {}  # with other workers (absorb)

    def observe(self, key: str, *, now: float, user: str | None, country: str | None,
                network: str | None) -> tuple[int, int, int]:
        """Count one request; returns the account's (end users, countries, networks)."""
        window = int(now // self.window_seconds)
        if window != self._window:
            self._window = window
            self._by.clear()
            self.merged = {}
        by = self._by
        c = by.get(key)
        if c is None:
            cap = self.cap
            c = by[key] = (DistinctCounter(cap), DistinctCounter(cap), DistinctCounter(cap))
            if len(by) > self.max_keys:
                by.popitem(last=False)
        else:
            by.move_to_end(key)
        if user:
            c[0].add(user)
        if country:
            c[1].add(country)
        if network:
            c[2].add(network)
        counts = c[0].count(), c[1].count(), c[2].count()
        other = self.merged.get(key) if self.merged else None
        if other is not None:
            return (max(counts[0], other[0]), max(counts[1], other[1]),
                    max(counts[2], other[2]))
        return counts

    def counts(self, key: str) -> tuple[int, int, int] | None:
        c = self._by.get(key)
        return None if c is None else (c[0].count(), c[1].count(), c[2].count())

    def merge(self, other: FanOut) -> None:
        """Fold another worker's counters of the same window in."""
        if other._window != self._window:
            if other._window < self._window:
                return
            self._window, self._by = other._window, OrderedDict()
        for key, theirs in other._by.items():
            mine = self._by.get(key)
            if mine is None:
                cap = self.cap
                mine = self._by[key] = (DistinctCounter(cap), DistinctCounter(cap),
                                        DistinctCounter(cap))
            for a, b in zip(mine, theirs, strict=True):
                a.merge(b)

    # ---------------------------------------------------------- sharing between workers
    def export(self, *, min_users: int, limit: int = 1000) -> dict[str, Any]:
        """This worker's counters worth sharing: accounts with at least ``min_users`` end
        users (the busiest ``limit``), JSON-safe, with the window they belong to."""
        busy = sorted(((c[0].count(), k) for k, c in self._by.items()
                       if c[0].count() >= min_users), reverse=True)[:limit]
        return {"window": self._window, "accounts": {
            k: [c.to_json() for c in self._by[k]] for _n, k in busy}}

    def absorb(self, shared: list[dict[str, Any]]) -> None:
        """Fold other workers' exports (of this window) into :attr:`merged`: per account,
        the counts of this worker's counters united with theirs. ``observe`` reports the
        larger of its own counts and these (refreshed at each sync, so a little stale)."""
        merged: dict[str, tuple[int, int, int]] = {}
        theirs: dict[str, list[DistinctCounter]] = {}
        for part in shared:
            if part.get("window") != self._window:
                continue
            for key, counters in part.get("accounts", {}).items():
                got = [DistinctCounter.from_json(c, self.cap) for c in counters]
                if key in theirs:
                    for a, b in zip(theirs[key], got, strict=True):
                        a.merge(b)
                else:
                    theirs[key] = got
        for key, got in theirs.items():
            mine = self._by.get(key)
            if mine is not None:
                for a, b in zip(got, mine, strict=True):
                    a.merge(b)
            merged[key] = (got[0].count(), got[1].count(), got[2].count())
        self.merged = merged
