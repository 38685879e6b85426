"""Candidate generation over a snapshot: an inverted index of name keys and identifiers.

Every name of every entity (legal, other, transliterated, former, trade) is normalised
(``resolve.normalise``) and analysed; each token contributes its keys (``resolve.keys``:
romanised spellings, confusable skeleton, consonant skeleton, English glosses, a prefix
and a suffix) and neighbouring tokens their joined form. Identifiers are indexed by
``scheme:value``.

A query collects the postings of its keys, ranks entities by the summed inverse document
frequency of the keys they share (very common keys are skipped when rarer ones exist),
re-scores the best few with :func:`ringfence.resolve.compare`, applies the snapshot's
rules (``resolve.gates``) and returns them ranked. Postings are NumPy arrays in CSR form:
a million entities fit in a few hundred MB.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ringfence.model import Entity
from ringfence.resolve.candidate import Candidate, EntityNames
from ringfence.resolve.gates import (
    ambiguous_initials,
    need_distinctive,
    needs_review,
    rank_key,
    unique_part,
)
from ringfence.resolve.keys import (
    HALF,
    WEAK,
    Readings,
    acronym_lookups,
    analysed,
    gc_paused,
    initials_of,
    query_groups,
)
from ringfence.resolve.names import analyse_name
from ringfence.resolve.score import (
    DEFAULT_THRESHOLD,
    Comparison,
    Feature,
    Record,
    TokenWeights,
    compare,
)
from ringfence.resolve.within import name_within

__all__ = ["Candidate", "EntityNames", "IndexParts", "Readings", "ScreeningIndex"]

_RERANK = 12  # candidates re-scored in full per query
_COMMON_SHARE = 0.005  # keys in more than this share of entities are a last resort
_PRUNE = 0.5  # candidates below this share of the best key weight are not re-scored
_KEEP = 4  # ... except the best few
_WEAK_SHARE = 0.25  # of a key's weight, for a Russian compound's parts (rucompound.WEAK)
_ACRONYM_FORCED = 3  # an exact acronym key shared by at most this many entities
_CHUNK = 2000  # distinct names analysed per run (per task of a worker process)



@dataclass(frozen=True, slots=True)
class IndexParts:
    """What a :class:`ScreeningIndex` is made of: the entities; the keys (key id → key)
    with their postings in CSR form (``postings[offsets[k]:offsets[k + 1]]`` are the
    entity positions of key ``k``); identifier → positions; the readings (pinyin,
    Cantonese) of the Chinese words of the entities' names."""

    entities: Sequence[EntityNames]
    keys: list[str]
    offsets: np.ndarray
    postings: np.ndarray
    id_index: dict[str, list[int]]
    readings: Readings


class _DocFreq(Mapping[str, int]):
    """Key → number of entities with it, read from the postings' offsets (no second
    dictionary of millions of keys)."""

    def __init__(self, key_ids: dict[str, int], offsets: np.ndarray) -> None:
        self._key_ids = key_ids
        self._offsets = offsets

    def __getitem__(self, key: str) -> int:
        kid = self._key_ids[key]
        return int(self._offsets[kid + 1] - self._offsets[kid])

    def __iter__(self) -> Iterator[str]:
        return iter(self._key_ids)

    def __len__(self) -> int:
        return len(self._key_ids)



def _postings(
    name_keys: np.ndarray, keys_per_name: np.ndarray, ent_names: np.ndarray,
    names_per_ent: np.ndarray, n_keys: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The CSR postings (offsets, entity positions) of every key: entity ``e`` holds the
    keys of each of its names (``ent_names``, ``names_per_ent[e]`` of them per entity),
    name ``n`` its ``keys_per_name[n]`` keys in ``name_keys``. Entities are ascending
    within a key, each once."""
    n_ents = len(names_per_ent)
    starts = np.zeros(len(keys_per_name) + 1, dtype=np.int64)
    np.cumsum(keys_per_name, out=starts[1:])
    lens = keys_per_name[ent_names]  # keys of each (entity, name) pair
    before = np.cumsum(lens) - lens  # where each pair's keys start in the gathered run
    at = np.repeat(starts[:-1][ent_names] - before, lens) + np.arange(int(lens.sum()))
    pair_ent = np.repeat(np.repeat(np.arange(n_ents, dtype=np.int64), names_per_ent), lens)
    codes = np.sort(name_keys[at].astype(np.int64) * max(n_ents, 1) + pair_ent)
    # duplicates dropped by sorting (np.unique's hashing is ~25x slower on NumPy 2.4 for
    # tens of millions of codes)
    keep = np.ones(len(codes), dtype=bool)
    np.not_equal(codes[1:], codes[:-1], out=keep[1:])
    codes = codes[keep]
    postings = (codes % max(n_ents, 1)).astype(np.int32)
    offsets = np.zeros(n_keys + 1, dtype=np.int64)
    np.cumsum(np.bincount(codes // max(n_ents, 1), minlength=n_keys), out=offsets[1:])
    return offsets, postings


class ScreeningIndex:
    """Inverted index over entity names and identifiers, with snapshot token weights.

    Made by :meth:`build` (analyses every name) or, for a snapshot, loaded from the arrays
    :func:`ringfence.snapshot.screenindex.save_index` wrote.
    """

    def __init__(
        self,
        entities: Sequence[EntityNames],
        *,
        key_ids: dict[str, int],
        offsets: np.ndarray,
        postings: np.ndarray,
        id_index: dict[str, list[int]],
        readings: Readings | None = None,
    ) -> None:
        self.entities = entities
        self._key_ids = key_ids
        self._offsets = offsets
        self._postings = postings
        self._id_index = id_index
        self._readings = readings or Readings()
        self.weights = TokenWeights(_DocFreq(key_ids, offsets), len(entities))
        self._n = max(len(entities), 1)

    def __len__(self) -> int:
        return len(self.entities)

    @classmethod
    def from_entities(
        cls, entities: Iterable[Entity], *, progress: Callable[[int], None] | None = None
    ) -> ScreeningIndex:
        return cls.build((EntityNames.from_entity(e) for e in entities), progress=progress)

    @classmethod
    def build(
        cls,
        entities: Iterable[EntityNames],
        *,
        progress: Callable[[int], None] | None = None,
        workers: int = 1,
    ) -> ScreeningIndex:
        """Index every name and identifier; ``progress`` is called every 10,000 entities.

        Each distinct name is analysed once, however many entities carry it (registries
        repeat names); an entity's keys are the union of its names' keys, gathered with
        NumPy. ``workers > 1`` analyses names in that many processes (same result, faster
        on large snapshots).
        """
        ents: list[EntityNames] = []
        id_index: dict[str, list[int]] = {}
        name_ids: dict[str, int] = {}
        ent_names = array("i")  # each entity's name ids, one entity after the other
        names_per_ent = array("i")

        def runs() -> Iterator[tuple[list[str], int]]:
            """Runs of names not seen before, with the number of entities read so far."""
            fresh: list[str] = []
            for ent in entities:
                for pid in ent.ids:
                    if pid.valid or pid.scheme.startswith("reg_"):
                        id_index.setdefault(str(pid), []).append(len(ents))
                ents.append(ent)
                for name in ent.names:
                    nid = name_ids.get(name)
                    if nid is None:
                        nid = name_ids[name] = len(name_ids)
                        fresh.append(name)
                    ent_names.append(nid)
                names_per_ent.append(len(ent.names))
                if len(fresh) >= _CHUNK:
                    yield fresh, len(ents)
                    fresh = []
            yield fresh, len(ents)

        key_ids: dict[str, int] = {}
        flats: list[np.ndarray] = []
        counts: list[np.ndarray] = []
        readings = Readings()
        reported = 0
        with gc_paused():  # millions of small objects, no cycles: see gc_paused
            for read, chunk in analysed(runs(), workers):
                # the run's own key numbers → the index's (one dictionary look-up per
                # distinct key of the run)
                to_global = np.fromiter(
                    (key_ids.setdefault(k, len(key_ids)) for k in chunk.vocab),
                    dtype=np.int32, count=len(chunk.vocab))
                flats.append(to_global[chunk.flat])
                counts.append(chunk.counts)
                readings.update(chunk.readings)
                if progress and read // 10_000 > reported:
                    reported = read // 10_000
                    progress(reported * 10_000)
        offsets, postings = _postings(
            np.concatenate([np.zeros(0, np.int32), *flats]),
            np.concatenate([np.zeros(0, np.int64), *counts]),
            np.frombuffer(ent_names, dtype=np.int32),
            np.frombuffer(names_per_ent, dtype=np.int32),
            len(key_ids),
        )
        readings.add_legal_forms()
        if progress:
            progress(len(ents))
        return cls(
            ents,
            key_ids=key_ids,
            offsets=offsets,
            postings=postings,
            id_index=id_index,
            readings=readings,
        )

    def parts(self) -> IndexParts:
        """The arrays and tables the index is made of (for saving it)."""
        keys = [""] * len(self._key_ids)
        for key, kid in self._key_ids.items():
            keys[kid] = key
        return IndexParts(
            entities=self.entities,
            keys=keys,
            offsets=self._offsets,
            postings=self._postings,
            id_index=self._id_index,
            readings=self._readings,
        )

    def _lookup(self, key: str) -> np.ndarray | None:
        kid = self._key_ids.get(key)
        if kid is None:
            return None
        lo, hi = int(self._offsets[kid]), int(self._offsets[kid + 1])
        result: np.ndarray = self._postings[lo:hi]
        return result

    def candidates(self, query: Record, *, limit: int = _RERANK) -> list[int]:
        """Entity positions sharing the rarest keys with the query, best first."""
        return list(self._shared(query, limit))

    def _shared(self, query: Record, limit: int) -> dict[int, float]:
        """:meth:`candidates` with the summed weight of the keys each shares with the
        query (0 for one brought by an identifier or acronym alone), in that order."""
        forced: list[int] = []
        for pid in query.ids:
            forced.extend(self._id_index.get(str(pid), ()))
        # a name whose initials are exactly an indexed acronym (Islamic Revolutionary
        # Guard Corps ~ IRGC) brings that entity, as an identifier does, when few share it
        for key in initials_of(query.names):
            post = self._lookup(key)
            if post is not None and 0 < len(post) <= _ACRONYM_FORCED:
                forced.extend(int(p) for p in post)
        # Per query token, its keys (romanised, skeleton, glosses, prefix/suffix).
        lists: list[tuple[int, float, np.ndarray]] = []
        for g, tkeys in enumerate(query_groups(query.names)):
            for key in tkeys:
                marked = key[:1] in (WEAK, HALF)  # a compound's parts (rucompound.compound_lookups)
                post = self._lookup(key[1:] if marked else key)
                if post is None or not len(post):
                    continue
                df = len(post)
                if key.startswith("cj:"):  # a compound's lead: no rarer than the word itself
                    plain = self._lookup(key[3:])  # (ТРАНСНЕФТЬ ~ TRANSNEFTEPRODUKT's lead)
                    df += len(plain) if plain is not None else 0
                idf = math.log((self._n + 1) / (df + 1)) + 0.1
                if key.startswith(("p:", "s:", HALF)):
                    idf *= 0.5
                elif key.startswith("ab:"):
                    idf *= 0.3  # consonant classes: coarse, for Arabic script ~ Latin
                elif key.startswith(WEAK):
                    idf *= _WEAK_SHARE
                lists.append((g, idf, post))
        limit_df = max(1000, int(self._n * _COMMON_SHARE))
        rare = [x for x in lists if len(x[2]) <= limit_df]
        use = rare or sorted(lists, key=lambda x: len(x[2]))[:2]
        out = dict.fromkeys(forced, 0.0)
        if use:
            # An entity scores, per query token, the weight of its best shared key (a
            # same-script name shares several keys of one word, a translation one; both
            # count once), summed over the query's tokens.
            per_token: list[np.ndarray] = []
            per_weight: list[np.ndarray] = []
            for g in sorted({x[0] for x in use}):
                mine = [(w, p) for gg, w, p in use if gg == g]
                cat = np.concatenate([p for _, p in mine])
                wts = np.concatenate([np.full(len(p), w, dtype=np.float64) for w, p in mine])
                order = np.lexsort((-wts, cat))  # by entity, best weight first
                cat, wts = cat[order], wts[order]
                first = np.ones(len(cat), dtype=bool)
                first[1:] = cat[1:] != cat[:-1]
                per_token.append(cat[first])
                per_weight.append(wts[first])
            uniq, inv = np.unique(np.concatenate(per_token), return_inverse=True)
            score = np.bincount(inv, weights=np.concatenate(per_weight))
            top = np.argsort(-score, kind="stable")[:limit]
            # Cheap pruning before the full comparison: an entity sharing less than
            # _PRUNE of the best entity's token weight is unlikely to outrank it on names.
            # The first _KEEP are always kept (a rarer shared key, e.g. a consonant
            # skeleton, must not push out the entity sharing the distinctive word).
            floor = float(score[top[0]]) * _PRUNE if len(top) else 0.0
            for rank, i in enumerate(top):
                if rank < _KEEP or score[i] >= floor:
                    out[int(uniq[i])] = float(score[i])
        return dict(list(out.items())[: max(limit, len(forced))])

    def initials_shared(self, query: Record) -> int:
        """How many entities' names have the query's bare acronym (CGN, one Latin word of
        2 to 6 capitals) as their initials, all or the first three; 0 when the query is
        not one."""
        got: set[int] = set()
        for name in query.names:
            form = analyse_name(name)
            if not acronym_lookups(form):
                continue
            acro = form.tokens[0].text
            for key in ("ac:" + acro, "ac3:" + acro if len(acro) == 3 else ""):
                post = self._lookup(key) if key else None
                if post is not None:
                    got.update(int(p) for p in post[:1000])
        return len(got)

    def _runs_shared(self, query: Record) -> int:
        """How many entities' names a bare acronym spells, a run of two or three letters
        of a word included (every key :func:`acronym_lookups` gives; the first 1,000
        postings of each); 0 when the query is not one."""
        got: set[int] = set()
        for name in query.names:
            for key in acronym_lookups(analyse_name(name)):
                post = self._lookup(key)
                if post is not None:
                    got.update(int(p) for p in post[:1000])
        return len(got)

    def same_entity(
        self, a: Record, b: Record, *, threshold: float = DEFAULT_THRESHOLD
    ) -> Comparison | None:
        """Both sides resolve (matched, top candidate) to one entity: a match whose
        evidence is ``same_entity`` (the entity, each side's score and, when a side matched
        a name that is not the legal one, which name and its kind), scored as the
        weaker side. None otherwise. For pairs whose names carry no string evidence of
        each other (a former or trade name the snapshot records)."""
        found_a = self.search(a, limit=1, threshold=threshold)
        found_b = self.search(b, limit=1, threshold=threshold)
        if not (found_a and found_b and found_a[0].match and found_b[0].match):
            return None
        ca, cb = found_a[0], found_b[0]
        if needs_review(ca.explanation) or needs_review(cb.explanation):
            return None  # an acronym several names spell resolves to none of them
        if ca.entity_id != cb.entity_id:
            return None
        score = min(ca.score, cb.score)
        via_a, via_b = (f", {c.matched_name}" if c.matched_name else "" for c in (ca, cb))
        feature = Feature(
            "same_entity",
            score,
            f"{a.names[0]} → {ca.entity_id} ({ca.score:.2f}{via_a})",
            f"{b.names[0]} → {cb.entity_id} ({cb.score:.2f}{via_b})",
        )
        return Comparison(score=score, match=True, explanation=(feature,))

    def search(
        self,
        query: Record,
        *,
        limit: int = 5,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> list[Candidate]:
        """Ranked candidates for ``query`` (best first), each with score and explanation."""
        scored: list[tuple[EntityNames, Comparison]] = []
        shared: dict[str, float] = {}  # entity id → weight of the keys shared with the query
        for pos, weight in self._shared(query, _RERANK).items():
            ent = self.entities[pos]
            result = compare(query, ent.record(), threshold=threshold, weights=self.weights)
            if result.score > 0:
                scored.append((ent, result))
                shared[ent.id] = weight
        scored = [need_distinctive(query, er, threshold, self.weights) for er in scored]
        scored = unique_part(query, scored, threshold, self.weights)
        scored = name_within(query, scored, threshold, self.weights)
        scored = ambiguous_initials(query, scored, threshold, self.initials_shared(query),
                                    self._runs_shared(query))
        ranked = sorted(scored,
                        key=lambda er: rank_key(query, er[0], er[1], shared.get(er[0].id, 0.0)))
        return [Candidate.of(ent, result) for ent, result in ranked[:limit]]
