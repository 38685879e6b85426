"""A snapshot's screening index and its one resolver, shared by the ``screen`` command and
the decision service.

Built from the snapshot's entities, names and identifiers, saved under
``SNAPSHOT/cache/screening`` (:func:`ringfence.snapshot.screenindex.cached_index`: stamped with the
snapshot id, the index format and a fingerprint of the name-analysis code, checksummed)
and loaded from there next time, by a command or a service start alike.

:class:`SnapshotResolver` is the one resolver over it: :meth:`~SnapshotResolver.search`
ranks candidates (``ringfence screen``), :meth:`~SnapshotResolver.best_match` picks the
match of a declared organisation (the service's onboarding, ``ringfence org import``): an
entity sharing a valid identifier wins outright; otherwise the best name match, ambiguous
when another matching candidate scores within ``margin`` of it, unless exactly one of the
tied candidates is spelled as declared (TikTok Inc. rather than TikTok LLC).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from ringfence.decide import Match
from ringfence.resolve import (
    DEFAULT_THRESHOLD,
    Candidate,
    EntityNames,
    ParsedId,
    Record,
    ScreeningIndex,
    analyse_name,
    clean_name,
    needs_review,
    parse_id,
    remove_controls,
)
from ringfence.snapshot import Snapshot
from ringfence.snapshot.publish import publish_folder
from ringfence.snapshot.screenindex import cached_index

__all__ = ["SnapshotResolver", "build_screening_index", "build_workers",
           "declared_name_disguise", "declared_record", "screening_index"]


# From this many entities, a build started by a command analyses names in one process
# per core (at most _MAX_WORKERS): a worker costs a fork and its share of the chunks.
_PARALLEL_FROM = 100_000
_MAX_WORKERS = 4


def build_workers(entities: int) -> int:
    """Processes a command's build of an index of ``entities`` entities uses."""
    if entities < _PARALLEL_FROM:
        return 1
    return max(1, min(os.cpu_count() or 1, _MAX_WORKERS))


def build_screening_index(snap: Snapshot, *, parallel: bool = False) -> ScreeningIndex:
    """Every entity with its names and their kinds (the entity's own name first as legal,
    then every name of the names table with the kind ingest recorded: alias, former,
    weak_alias, trade, transliteration, short; duplicates dropped), its headquarters and
    registration countries and its parsed identifiers.

    ``parallel``: analyse names in forked worker processes when the snapshot is large
    (:func:`build_workers`); for commands, not for a server process with threads."""
    ents = snap.entities_table(["id", "name", "hq_country", "jurisdiction"]).to_pydict()
    names_t = snap.names_table().to_pydict()
    ids_t = snap.identifiers_table().to_pydict()
    names: dict[str, list[tuple[str, str]]] = {}
    for ent, value, kind in zip(names_t["entity"], names_t["name"], names_t["kind"],
                                strict=True):
        if value:
            names.setdefault(ent, []).append((value, kind or "alias"))
    idents: dict[str, list[ParsedId]] = {}
    for ent, scheme, value in zip(ids_t["entity"], ids_t["scheme"], ids_t["value"],
                                  strict=True):
        try:
            idents.setdefault(ent, []).append(parse_id(scheme, value))
        except Exception:  # a scheme or value screening cannot parse is not indexed
            continue

    country_sets: dict[tuple[str | None, str | None], frozenset[str]] = {}

    def rows() -> Iterator[EntityNames]:
        for eid, name, hq, jur in zip(ents["id"], ents["name"], ents["hq_country"],
                                      ents["jurisdiction"], strict=True):
            countries = country_sets.get((hq, jur))
            if countries is None:  # a few hundred pairs: one set each, shared
                countries = country_sets[hq, jur] = frozenset(
                    c.upper() for c in (hq, jur) if c)
            ids = tuple(idents.get(eid, ()))
            others = names.get(eid)
            if others is None and name:  # only the legal name: what with_kinds gives
                yield EntityNames(eid, (name,), countries, ids, ("legal",))
            else:
                yield EntityNames.with_kinds(eid, [(name, "legal"), *(others or ())],
                                             countries, ids)

    workers = build_workers(len(ents["id"])) if parallel else 1
    return ScreeningIndex.build(rows(), workers=workers)


def screening_index(snap: Snapshot, *, on_build: Callable[[], None] | None = None,
                    parallel: bool = False) -> ScreeningIndex:
    """The snapshot's index: loaded from its cache when sound, else built (``on_build``
    is called first, to tell a user it may take a while; ``parallel``: see
    :func:`build_screening_index`) and saved for next time."""
    def build() -> ScreeningIndex:
        if on_build is not None:
            on_build()
        return build_screening_index(snap, parallel=parallel)

    index, _ = cached_index(snap.root / "cache" / "screening", snapshot_id=snap.id,
                            build=build, publish=publish_folder)
    return index


def declared_record(name: str, *, country: str | None = None,
                    identifiers: Sequence[tuple[str, str]] = ()) -> Record:
    """A declared organisation as a screening query. An identifier screening cannot parse
    (unknown scheme, bad check digit) is not evidence and is left out."""
    parsed = []
    for scheme, value in identifiers:
        try:
            parsed.append(parse_id(scheme, value))
        except Exception:  # any refusal of parse_id means "not evidence"
            continue
    return Record.of(name, country=country, ids=parsed)


def _spelling(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    form = analyse_name(name)
    return tuple(t.text for t in form.tokens), form.legal_forms


def _shares_identifier(c: Candidate) -> bool:
    return any(f.feature.startswith("identifier:") and f.score >= 1.0 for f in c.explanation)


class SnapshotResolver:
    """The one resolver of a snapshot's declared names and identifiers."""

    def __init__(self, index: ScreeningIndex, *, margin: float = 0.05) -> None:
        self.index = index
        self.margin = margin
        self._positions: dict[str, int] | None = None

    def fingerprint(self, entity_id: str) -> str | None:
        """A digest of what screening knows of an entity (its names with their kinds, its
        countries, its identifiers), None when the snapshot does not have it: a dismissed
        candidate stays dismissed while this is unchanged."""
        if self._positions is None:
            self._positions = {e.id: i for i, e in enumerate(self.index.entities)}
        pos = self._positions.get(entity_id)
        if pos is None:
            return None
        ent = self.index.entities[pos]
        data = [list(ent.names), list(ent.kinds), sorted(ent.countries),
                sorted(str(p) for p in ent.ids)]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()

    @classmethod
    def for_snapshot(cls, snap: Snapshot, *, on_build: Callable[[], None] | None = None,
                     margin: float = 0.05, parallel: bool = False) -> SnapshotResolver:
        """Over the index saved beside the snapshot (built and saved when missing;
        ``parallel``: see :func:`build_screening_index`)."""
        return cls(screening_index(snap, on_build=on_build, parallel=parallel),
                   margin=margin)

    def search(self, query: Record, *, limit: int = 5,
               threshold: float = DEFAULT_THRESHOLD) -> list[Candidate]:
        """Ranked candidates, best first, each with its score and evidence."""
        return self.index.search(query, limit=limit, threshold=threshold)

    def search_many(self, queries: Sequence[Record], *, threshold: float = DEFAULT_THRESHOLD,
                    parallel: bool = False,
                    advance: Callable[[int], None] | None = None) -> list[Candidate | None]:
        """The best candidate of each query (None when it has none), in order; ``advance``
        is called with the number of queries done since the last call. ``parallel``: in
        one forked process per core (at most 4) for a large batch (a command's, not a
        server's), each process reading the index this one loaded."""
        workers = build_workers(len(queries) * _BATCH_WEIGHT) if parallel else 1
        if workers <= 1:
            out: list[Candidate | None] = []
            for query in queries:
                out.append(_best(self, query, threshold))
                if advance is not None:
                    advance(1)
            return out
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        global _FORKED
        _FORKED = self
        try:
            with ProcessPoolExecutor(max_workers=workers,
                                     mp_context=get_context("fork")) as pool:
                found: list[Candidate | None] = []
                chunks = [queries[i : i + _BATCH] for i in range(0, len(queries), _BATCH)]
                for chunk, result in zip(chunks, pool.map(_forked_best, chunks,
                                                          [threshold] * len(chunks)),
                                         strict=True):
                    found.extend(result)
                    if advance is not None:
                        advance(len(chunk))
                return found
        finally:
            _FORKED = None

    def best_match(self, query: Record, *, declared_name: str | None = None,
                   threshold: float = DEFAULT_THRESHOLD,
                   exclude: frozenset[str] = frozenset()) -> Match | None:
        """The entity ``query`` declares, or None when no candidate matches (``exclude``:
        candidates an analyst dismissed for this declaration)."""
        ranked = self.search(query, threshold=threshold, limit=_WITHIN_POOL + len(exclude))
        found = [c for c in ranked[:5 + len(exclude)] if c.entity_id not in exclude]
        matches = [c for c in found if c.match]
        if not matches:
            # no match, but the declared name may hold one entity's whole name: a lead
            # that onboarding weighs against that entity's verdict (Match.within). Looked
            # for among every candidate scored, not the first five only: a lead scores
            # low pairwise, and names sharing the declaration's other words ("... Marine
            # Shipping Services") would otherwise push it out, and the name with it
            within = [c for c in ranked if c.entity_id not in exclude and c.explanation
                      and c.explanation[0].feature == "name_within"]
            if within:
                return self._match(within[0], within, rivals=within[1:],
                                   method="name_within", confident=False)
            return None
        by_id = [c for c in matches if _shares_identifier(c)]
        if by_id:
            return self._match(by_id[0], matches, rivals=by_id[1:], method="identifier")
        top = matches[0]
        rivals = [c for c in matches[1:] if top.score - c.score < self.margin]
        if needs_review(top.explanation):
            # a bare acronym several names spell: every candidate it matches is a rival,
            # whatever the scores (review, never a confident match or no match)
            return self._match(top, matches, rivals=matches[1:], method="screening",
                               confident=False)
        name = declared_name if declared_name is not None else next(iter(query.names), "")
        if rivals and name:  # a tie the exact spelling settles
            spelled = _spelling(name)
            tied = [c for c in (top, *rivals) if _spelling(c.name) == spelled]
            if len(tied) == 1:
                top, rivals = tied[0], []
        return self._match(top, matches, rivals=rivals, method="screening")

    @staticmethod
    def _match(top: Candidate, matches: list[Candidate], *, rivals: Sequence[Candidate],
               method: str, confident: bool = True) -> Match:
        return Match(top.entity_id, round(top.score, 4), confident=confident and not rivals,
                     explanation={"method": method, "name": top.name,
                                  "features": [f.as_dict() for f in top.explanation]},
                     alternatives=tuple((c.entity_id, round(c.score, 4))
                                        for c in matches if c is not top))


_WITHIN_POOL = 12  # candidates best_match looks through for name_within leads (as many
# as ScreeningIndex.search scores in full)
_BATCH = 250  # queries per task of a parallel batch
_BATCH_WEIGHT = 20  # a query costs about what analysing this many entities does
_FORKED: SnapshotResolver | None = None  # the resolver a forked batch worker inherits


def _best(resolver: SnapshotResolver, query: Record, threshold: float) -> Candidate | None:
    if not (query.names or query.ids):
        return None
    found = resolver.search(query, limit=1, threshold=threshold)
    return found[0] if found else None


def _forked_best(queries: Sequence[Record], threshold: float) -> list[Candidate | None]:
    assert _FORKED is not None, "a batch worker runs in a process forked by search_many"
    return [_best(_FORKED, q, threshold) for q in queries]


def declared_name_disguise(
    name: str, features: Iterable[Mapping[str, Any]] = ()
) -> dict[str, Any] | None:
    """What normalisation undid in a declared name, when it was a disguise: invisible,
    control or stray combining characters removed, look-alike letters of another script
    folded (``resolve.normalise``), or a match that rested on a TS #39 confusable
    skeleton (``token:confusable`` among the match's ``features``). None otherwise.
    The evidence of the onboarding reason ``name_disguised``."""
    cleaned = clean_name(name)
    confusable = [dict(f) for f in features if f.get("feature") == "token:confusable"]
    if not cleaned.disguised and not confusable:
        return None
    evidence = cleaned.evidence()
    evidence["original"] = remove_controls(name)[0]  # "removed" names them
    evidence["changes"] = [*cleaned.changes, *(["confusable_skeleton"] if confusable else [])]
    if confusable:
        evidence["matched_by"] = confusable
    return evidence
