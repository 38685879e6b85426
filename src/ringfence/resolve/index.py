"""Candidate generation over a snapshot: an inverted index of name keys and identifiers.

Every name of every entity (legal, other, transliterated, former, trade) is analysed and
each token contributes its keys: the romanised spelling (pinyin, Cantonese, Cyrillic
romanisation, Latin), its consonant skeleton (so Persian script meets Latin), its English
glosses (so 银行 meets Bank), and a four-letter prefix and suffix (so one typo still finds
the entity). Identifiers are indexed by ``scheme:value``.

A query collects the postings of its keys, ranks entities by the summed inverse document
frequency of the keys they share (very common keys are skipped when rarer ones exist),
re-scores the best few with :func:`ringfence.resolve.compare`, and returns them ranked.
Postings are NumPy arrays in CSR form: a million entities fit in a few hundred MB.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz.distance import Levenshtein

from ringfence.model import Entity
from ringfence.resolve.ids import ParsedId, parse_id
from ringfence.resolve.legal import HAN_LEGAL_SUFFIXES
from ringfence.resolve.names import GENERIC_KEYS, Token, analyse_name
from ringfence.resolve.score import (
    DEFAULT_THRESHOLD,
    Comparison,
    Feature,
    Record,
    TokenWeights,
    compare,
)
from ringfence.resolve.text import cantonese, loose, pinyin_syllables

__all__ = ["Candidate", "EntityNames", "IndexParts", "Readings", "ScreeningIndex"]

_RERANK = 12  # candidates re-scored in full per query
_COMMON_SHARE = 0.005  # keys in more than this share of entities are a last resort
_PRUNE = 0.5  # candidates below this share of the best key weight are not re-scored


@dataclass(frozen=True, slots=True)
class EntityNames:
    """What the index needs of one entity."""

    id: str
    names: tuple[str, ...]
    countries: frozenset[str] = frozenset()
    ids: tuple[ParsedId, ...] = ()

    @classmethod
    def from_entity(cls, entity: Entity) -> EntityNames:
        names = [entity.name, *(n.value for n in entity.names)]
        ids = []
        for ident in entity.identifiers:
            try:
                ids.append(parse_id(ident.scheme, ident.value))
            except Exception:  # an unknown scheme is kept out of matching, not fatal
                continue
        countries = frozenset(c.upper() for c in (entity.hq_country, entity.jurisdiction) if c)
        return cls(
            id=entity.id,
            names=tuple(dict.fromkeys(n for n in names if n)),
            countries=countries,
            ids=tuple(ids),
        )

    def record(self) -> Record:
        return Record(names=self.names, countries=self.countries, ids=self.ids)


@dataclass(frozen=True, slots=True)
class Candidate:
    entity_id: str
    name: str  # the entity's first (legal) name
    score: float
    match: bool
    explanation: tuple[Feature, ...]

    @classmethod
    def of(cls, entity: EntityNames, result: Comparison) -> Candidate:
        return cls(
            entity_id=entity.id,
            name=entity.names[0] if entity.names else "",
            score=result.score,
            match=result.match,
            explanation=result.explanation,
        )


@dataclass(slots=True)
class Readings:
    """Pinyin and Cantonese readings of Chinese words, as :func:`pinyin_syllables` and
    :func:`cantonese` give them. Kept with a saved index and handed to
    :func:`ringfence.resolve.text.remember_readings` on load, so comparing the snapshot's
    names again needs neither pypinyin nor ToJyutping."""

    pinyin: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cantonese: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def add(self, word: str) -> None:
        if word not in self.pinyin:
            self.pinyin[word] = pinyin_syllables(word)
            self.cantonese[word] = cantonese(word)

    def add_legal_forms(self) -> None:
        """The Chinese legal forms, whose pinyin every Latin name is checked against."""
        for suffix in HAN_LEGAL_SUFFIXES:
            self.pinyin.setdefault(suffix, pinyin_syllables(suffix))

    def update(self, other: Readings) -> None:
        for word, syllables in other.pinyin.items():
            self.pinyin.setdefault(word, syllables)
        for word, syllables in other.cantonese.items():
            self.cantonese.setdefault(word, syllables)


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


def token_keys(token: Token) -> Iterator[str]:
    """The index keys of one token."""
    if not token.primary.startswith("fa:"):
        yield token.primary
    else:
        yield token.primary
    yield from token.keys
    if token.skeleton and len(token.skeleton) >= 2:
        yield "sk:" + token.skeleton
    for phrase in token.gloss[:4]:
        yield from phrase
    p = token.primary
    if len(p) >= 6 and not p.startswith("fa:"):
        yield "p:" + p[:4]
        yield "s:" + p[-4:]


def _name_keys(name: str, readings: Readings) -> set[str]:
    keys: set[str] = set()
    for variant in analyse_name(name).variants:
        for token in variant:
            keys.update(token_keys(token))
            if token.script == "Hani":
                readings.add(token.text)
    return keys


def _entity_keys(names: tuple[str, ...], readings: Readings) -> list[str]:
    keys: set[str] = set()
    for name in names:
        keys |= _name_keys(name, readings)
    return list(keys)


def _chunk_keys(chunk: list[tuple[str, ...]]) -> tuple[list[list[str]], Readings]:
    readings = Readings()
    return [_entity_keys(names, readings) for names in chunk], readings


def _analysed(
    entities: Iterable[EntityNames], workers: int, readings: Readings, chunk: int = 2000
) -> Iterator[tuple[EntityNames, list[str]]]:
    """Each entity with its index keys; the readings of its Chinese words are added to
    ``readings``."""
    if workers <= 1:
        for ent in entities:
            yield ent, _entity_keys(ent.names, readings)
        return
    from concurrent.futures import ProcessPoolExecutor
    from itertools import islice

    it = iter(entities)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: list[tuple[list[EntityNames], Any]] = []
        while True:
            batch = list(islice(it, chunk))
            if batch:
                pending.append((batch, pool.submit(_chunk_keys, [e.names for e in batch])))
            if pending and (not batch or len(pending) >= workers * 2):
                done_batch, fut = pending.pop(0)
                keys, more = fut.result()
                readings.update(more)
                yield from zip(done_batch, keys, strict=True)
            if not batch and not pending:
                return


class ScreeningIndex:
    """Inverted index over entity names and identifiers, with snapshot token weights.

    Made by :meth:`build` (analyses every name) or, for a snapshot, loaded from the arrays
    :func:`ringfence.resolve.persist.save_index` wrote (:meth:`save`, :meth:`load`).
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

        ``workers > 1`` analyses names in that many processes (same result, faster on
        large snapshots).
        """
        ents: list[EntityNames] = []
        key_ids: dict[str, int] = {}
        col_key = array("i")
        col_ent = array("i")
        id_index: dict[str, list[int]] = {}
        readings = Readings()
        for idx, (ent, keys) in enumerate(_analysed(entities, workers, readings)):
            ents.append(ent)
            for kid in {key_ids.setdefault(k, len(key_ids)) for k in keys}:
                col_key.append(kid)
                col_ent.append(idx)
            for pid in ent.ids:
                if pid.valid or pid.scheme.startswith("reg_"):
                    id_index.setdefault(str(pid), []).append(idx)
            if progress and (idx + 1) % 10_000 == 0:
                progress(idx + 1)
        keys_arr = np.frombuffer(col_key, dtype=np.int32) if col_key else np.zeros(0, np.int32)
        ent_col = np.frombuffer(col_ent, dtype=np.int32) if col_ent else np.zeros(0, np.int32)
        order = np.argsort(keys_arr, kind="stable")
        postings = ent_col[order].copy()
        counts = np.bincount(keys_arr, minlength=len(key_ids))
        offsets = np.zeros(len(key_ids) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
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

    def save(self, folder: str | Path, *, snapshot_id: str, publish: Any) -> None:
        """Publish the index as ``folder`` for ``snapshot_id`` (see ``resolve.persist``)."""
        from ringfence.resolve.persist import save_index

        save_index(self, folder, snapshot_id=snapshot_id, publish=publish)

    @classmethod
    def load(cls, folder: str | Path, *, snapshot_id: str) -> ScreeningIndex:
        """The index saved in ``folder`` for ``snapshot_id``; IntegrityError when it is
        missing, stale or damaged."""
        from ringfence.resolve.persist import load_index

        return load_index(folder, snapshot_id=snapshot_id)

    def _lookup(self, key: str) -> np.ndarray | None:
        kid = self._key_ids.get(key)
        if kid is None:
            return None
        lo, hi = int(self._offsets[kid]), int(self._offsets[kid + 1])
        result: np.ndarray = self._postings[lo:hi]
        return result

    def candidates(self, query: Record, *, limit: int = _RERANK) -> list[int]:
        """Entity positions sharing the rarest keys with the query, best first."""
        forced: list[int] = []
        for pid in query.ids:
            forced.extend(self._id_index.get(str(pid), ()))
        # Per query token, its keys (romanised, skeleton, glosses, prefix/suffix).
        groups: dict[str, set[str]] = {}
        for name in query.names:
            for variant in analyse_name(name).variants:
                for token in variant:
                    groups.setdefault(token.primary, set()).update(token_keys(token))
        lists: list[tuple[int, float, np.ndarray]] = []
        for g, tkeys in enumerate(groups.values()):
            for key in tkeys:
                post = self._lookup(key)
                if post is None or not len(post):
                    continue
                idf = math.log((self._n + 1) / (len(post) + 1)) + 0.1
                if key.startswith(("p:", "s:")):
                    idf *= 0.5
                lists.append((g, idf, post))
        limit_df = max(1000, int(self._n * _COMMON_SHARE))
        rare = [x for x in lists if len(x[2]) <= limit_df]
        use = rare or sorted(lists, key=lambda x: len(x[2]))[:2]
        out = list(dict.fromkeys(forced))
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
            floor = float(score[top[0]]) * _PRUNE if len(top) else 0.0
            out.extend(int(uniq[i]) for i in top if score[i] >= floor and int(uniq[i]) not in out)
        return out[: max(limit, len(forced))]

    def search(
        self,
        query: Record,
        *,
        limit: int = 5,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> list[Candidate]:
        """Ranked candidates for ``query`` (best first), each with score and explanation."""
        scored: list[tuple[EntityNames, Comparison]] = []
        for pos in self.candidates(query):
            ent = self.entities[pos]
            result = compare(query, ent.record(), threshold=threshold, weights=self.weights)
            if result.score > 0:
                scored.append((ent, result))
        scored = [self._need_distinctive(query, er, threshold) for er in scored]
        scored = self._unique_part(query, scored, threshold)
        ranked = sorted(scored, key=lambda er: _rank_key(query, er[0], er[1]))
        return [Candidate.of(ent, result) for ent, result in ranked[:limit]]

    def _unique_part(
        self,
        query: Record,
        scored: list[tuple[EntityNames, Comparison]],
        threshold: float,
    ) -> list[tuple[EntityNames, Comparison]]:
        """A short name that is part of exactly one entity's name matches that entity.

        Customers declare trade names ("Motorola" for Motorola Mobility LLC). Pairwise,
        "Gazprom" against "Gazprom Germania" stays below the threshold (a bare name and a
        subsidiary look alike); against a whole snapshot the question is sharper: when every
        word of the query is found, strongly, in one candidate's name and in no other
        candidate's, and one of those words is distinctive in the snapshot, that entity is
        what the query names. Words on the *query* side that the entity lacks (a qualifier,
        "Shipping", "Neft") disqualify, so look-alike subsidiaries are untouched.
        """
        covering = [i for i, (_, r) in enumerate(scored) if _covers_query(r)]
        if len(covering) > 1:
            # "Midea": Midea Group (only an organisational word more) rather than Guangdong
            # Midea Electric (a distinctive word more), when exactly one is that close.
            covering = [i for i in covering if not _distinct_extra(scored[i][1])]
        if len(covering) != 1:
            return scored
        i = covering[0]
        ent, result = scored[i]
        if result.match or not self._distinctive(query) or _extra_country(result):
            return scored
        feats = (
            Feature("unique_partial_name", threshold, query.names[0], ent.names[0]),
            *result.explanation,
        )
        scored[i] = (ent, Comparison(score=threshold, match=True, explanation=feats))
        return scored

    def _need_distinctive(
        self, query: Record, er: tuple[EntityNames, Comparison], threshold: float
    ) -> tuple[EntityNames, Comparison]:
        """A match needs one distinctive query word found with strong evidence.

        Generic and common words (bank, group, 通信, 集团) plus weak evidence (a one-letter
        translation, a consonant skeleton of a common word) can add up past the threshold
        between two unrelated names in a large snapshot; they do not make a match alone.
        A shared identifier or an acronym is enough.
        """
        ent, result = er
        if not result.match:
            return er
        weights: dict[str, float] = {}
        for name in query.names:
            for variant in analyse_name(name).variants:
                for t in variant:
                    w = 0.0 if t.generic or t.qualifier else self.weights.weight(t)
                    weights[t.text] = max(weights.get(t.text, 0.0), w)
        for f in result.explanation:
            if f.feature.startswith(("identifier:", "abbreviation")):
                return er
            strong = f.feature.startswith("token:") and f.score >= _STRONG_TOKEN
            if strong and max(weights.get(w, 0.0) for w in f.a.split()) >= _MATCH_WEIGHT:
                return er
        capped = min(result.score, threshold - 0.01)
        feats = (
            Feature("no_distinctive_match", capped - result.score, query.names[0], ent.names[0]),
            *result.explanation,
        )
        return ent, Comparison(score=capped, match=False, explanation=feats)

    def _distinctive(self, query: Record) -> bool:
        for name in query.names:
            for token in analyse_name(name).tokens:
                if token.generic or token.qualifier or len(token.primary) < 3:
                    continue
                if self.weights.weight(token) >= _DISTINCTIVE_WEIGHT:
                    return True
        return False


_DISTINCTIVE_WEIGHT = 0.5
_MATCH_WEIGHT = 0.6  # a matching query needs one word this rare (≈ in < 0.4% of 1M)
_STRONG_TOKEN = 0.85  # ... found with evidence at least this strong
_QUERY_SIDE_GAPS = ("token_unmatched", "qualifier_one_sided", "organisational_word_one_sided")


def _covers_query(result: Comparison) -> bool:
    """Every query token found (≥ 0.9 each) in the entity's name; no identifier conflict;
    the countries (when both are given) agree."""
    feats = result.explanation
    if not feats or result.score <= 0:
        return False
    found = False
    for f in feats:
        if f.feature.startswith(("identifier_conflict", "country_mismatch", "legal_form_differs")):
            return False
        if f.feature in _QUERY_SIDE_GAPS and f.a:
            return False
        if f.feature.startswith("token:"):
            if f.score < 0.9:
                return False
            found = True
    return found


@lru_cache(maxsize=1)
def _country_words() -> frozenset[str]:
    """One-word country names (Armenia, Singapore, Germany), as loose keys; not the
    generic ones (China, Russia, Iran), which names carry and drop freely."""
    from rigour.territories import get_territories

    names = {loose(t.name) for t in get_territories() if t.is_country and " " not in t.name}
    return frozenset(names - GENERIC_KEYS)


def _extra_country(result: Comparison) -> bool:
    """The entity's name names a country the query does not ("Mellat Bank Armenia" for
    "Bank Mellat"): a jurisdiction marker, so a branch or subsidiary, not a trade name."""
    words = _country_words()
    return any(
        f.feature in _QUERY_SIDE_GAPS and f.b and loose(f.b) in words for f in result.explanation
    )


def _distinct_extra(result: Comparison) -> bool:
    """The entity's name has a distinctive word the query lacks."""
    return any(
        f.feature == "token_unmatched" and f.b and -f.score >= _DISTINCTIVE_WEIGHT
        for f in result.explanation
    )


def _rank_key(query: Record, ent: EntityNames, result: Comparison) -> tuple[float, int, float, str]:
    """Best score first; on ties, an identifier match, then the name written most alike
    (word order and spelling: "Melli Bank plc" before "Bank Melli Iran" for MELLI BANK PLC)."""
    id_same = any(f.feature.startswith("identifier:") for f in result.explanation)
    alike = 0.0
    for q in query.names:
        for n in ent.names:
            alike = max(alike, Levenshtein.normalized_similarity(q.casefold(), n.casefold()))
    return (-round(result.score, 6), -int(id_same), -alike, ent.id)
