"""Near-duplicate prompt skeletons: MinHash over character shingles, LSH banding.

The exact skeleton keys (``text.skeleton_keys``: the masked head and tail) join the prompts
of one template when its varying item sits in the middle, or at one end. A template with
unmasked slots at both ends (a topic word, a product, a tone, a house-style tag) gets new
keys for every fill. Here each skeleton gets a *family*: the family of the first earlier
skeleton whose estimated Jaccard similarity (character 5-shingles) reaches ``threshold``,
or a family of its own.

- ``minhash``: vectorised NumPy MinHash of a batch of texts (multiply-shift hashing of
  32-bit shingle hashes; the shingles are a rolling polynomial over UTF-32 code points, so
  it works the same for every script and in every process);
- ``SkeletonFamilies``: the LSH index (``bands`` x ``rows`` banding of the signature; a
  candidate must also reach the threshold on the whole signature). It is kept apart from
  what it indexes, like datasketch's ``MinHashLSH`` (``benchmarks/neardup.py`` measures
  both), and outlives the accounts; buckets stop growing at ``bucket_cap`` (a family is
  found through its first members).

Whether a family is *evidence* is decided where every shared value is weighed: the family
is one more shared value (``skeleton_near``), weighed by how rare it is among the orgs that
are not suspects (``linking``), so a framework's wrapper held by many unrelated orgs links
nobody.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ringfence.detect.text import stable_hash

__all__ = ["SkeletonFamilies", "minhash", "shingles"]

_SHINGLE = 5
_MASK32 = np.uint64(0xFFFFFFFF)


def shingles(text: str, k: int = _SHINGLE) -> NDArray[np.uint64]:
    """The distinct 32-bit hashes of the ``k``-character shingles of ``text`` (the whole
    text as one shingle when shorter)."""
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cps = cps.astype(np.uint64)
    if len(cps) < k:
        cps = np.concatenate([cps, np.zeros(k - len(cps), np.uint64)])
    n = len(cps) - k + 1
    h = np.zeros(n, np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):  # polynomial rolling hash, wrapping at 2^64
            h = h * np.uint64(1_000_003) + cps[j:j + n]
        h ^= h >> np.uint64(29)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(32)
    return np.unique(h & _MASK32)


def _perms(num_perm: int, seed: int) -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
    rng = np.random.default_rng(seed)
    # multiply-shift: random odd 64-bit multipliers, the product wraps at 2^64 and its
    # high 32 bits are the hash (with a multiplier under 2^32 it would be monotone in x)
    a = rng.integers(0, 2**64, size=num_perm, dtype=np.uint64, endpoint=False) | np.uint64(1)
    b = rng.integers(0, 2**64, size=num_perm, dtype=np.uint64, endpoint=False)
    return a, b


def minhash(texts: Sequence[str], *, num_perm: int = 64, seed: int = 1,
            chunk: int = 256) -> NDArray[np.uint32]:
    """MinHash signatures (``len(texts)`` x ``num_perm``, uint32) of ``texts``, vectorised
    over each chunk of texts: one (perm x shingle) product and a ``minimum.reduceat``."""
    a, b = _perms(num_perm, seed)
    out = np.empty((len(texts), num_perm), np.uint32)
    for start in range(0, len(texts), chunk):
        parts = [shingles(t) for t in texts[start:start + chunk]]
        sizes = np.fromiter((len(p) for p in parts), np.int64, len(parts))
        flat = np.concatenate(parts)
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        with np.errstate(over="ignore"):
            hashed = (a[:, None] * flat[None, :] + b[:, None]) >> np.uint64(32)
        out[start:start + len(parts)] = np.minimum.reduceat(hashed, offsets, axis=1).T
    return out


@dataclass
class SkeletonFamilies:
    """An LSH index of skeleton signatures giving each skeleton its family id."""

    threshold: float = 0.6
    num_perm: int = 64
    bands: int = 16
    bucket_cap: int = 8
    seed: int = 1
    _buckets: list[dict[bytes, list[int]]] = field(default_factory=list)
    _sigs: list[NDArray[np.uint32]] = field(default_factory=list)
    _family: list[int] = field(default_factory=list)
    _memo: dict[int, int] = field(default_factory=dict)  # stable hash of a skeleton -> id

    def __post_init__(self) -> None:
        if self.num_perm % self.bands:
            raise ValueError("SkeletonFamilies: num_perm must be a multiple of bands")
        if not self._buckets:
            self._buckets = [{} for _ in range(self.bands)]

    def __len__(self) -> int:
        return len(self._family)

    def families(self, skeletons: Sequence[str]) -> list[int]:
        """The family of each skeleton (a skeleton seen before keeps its family)."""
        keys = [stable_hash(s) for s in skeletons]
        todo = {k: s for k, s in zip(keys, skeletons, strict=True) if k not in self._memo}
        if todo:
            sigs = minhash(list(todo.values()), num_perm=self.num_perm, seed=self.seed)
            for k, sig in zip(todo, sigs, strict=True):
                self._memo[k] = self._insert(sig)
        return [self._family[self._memo[k]] for k in keys]

    def _insert(self, sig: NDArray[np.uint32]) -> int:
        rows = self.num_perm // self.bands
        keys = [sig[i * rows:(i + 1) * rows].tobytes() for i in range(self.bands)]
        best = -1
        seen: set[int] = set()
        for band, key in zip(self._buckets, keys, strict=True):
            for cand in band.get(key, ()):
                if cand in seen:
                    continue
                seen.add(cand)
                if float(np.mean(self._sigs[cand] == sig)) >= self.threshold:
                    best = cand
                    break
            if best >= 0:
                break
        me = len(self._family)
        self._sigs.append(sig)
        self._family.append(self._family[best] if best >= 0 else me)
        for band, key in zip(self._buckets, keys, strict=True):
            members = band.setdefault(key, [])
            if len(members) < self.bucket_cap:
                members.append(me)
        return me
