"""A snapshot's screening index, shared by the ``screen`` command and the decision service.

Built from the snapshot's entities, names and identifiers, saved under
``SNAPSHOT/cache/screening`` (:func:`ringfence.resolve.cached_index`: stamped with the
snapshot id, the index format and a fingerprint of the name-analysis code, checksummed)
and loaded from there next time, by a command or a service start alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from ringfence.resolve import (
    EntityNames,
    ParsedId,
    ScreeningIndex,
    cached_index,
    clean_name,
    parse_id,
    remove_controls,
)
from ringfence.snapshot import Snapshot
from ringfence.snapshot.publish import publish_folder

__all__ = ["build_screening_index", "declared_name_disguise", "screening_index"]


def build_screening_index(snap: Snapshot) -> ScreeningIndex:
    """Every entity with its names (the entity's own name first, duplicates dropped), its
    headquarters and registration countries and its parsed identifiers."""
    ents = snap.entities_table(["id", "name", "hq_country", "jurisdiction"]).to_pydict()
    names_t = snap.names_table().to_pydict()
    ids_t = snap.identifiers_table().to_pydict()
    names: dict[str, list[str]] = {}
    for ent, value in zip(names_t["entity"], names_t["name"], strict=True):
        if value:
            names.setdefault(ent, []).append(value)
    idents: dict[str, list[ParsedId]] = {}
    for ent, scheme, value in zip(ids_t["entity"], ids_t["scheme"], ids_t["value"],
                                  strict=True):
        try:
            idents.setdefault(ent, []).append(parse_id(scheme, value))
        except Exception:  # a scheme or value screening cannot parse is not indexed
            continue

    def rows() -> Iterator[EntityNames]:
        for eid, name, hq, jur in zip(ents["id"], ents["name"], ents["hq_country"],
                                      ents["jurisdiction"], strict=True):
            all_names = tuple(dict.fromkeys(n for n in [name, *names.get(eid, [])] if n))
            countries = frozenset(c.upper() for c in (hq, jur) if c)
            yield EntityNames(eid, all_names, countries, tuple(idents.get(eid, ())))

    return ScreeningIndex.build(rows())


def screening_index(snap: Snapshot, *, on_build: Callable[[], None] | None = None
                    ) -> ScreeningIndex:
    """The snapshot's index: loaded from its cache when sound, else built (``on_build``
    is called first, to tell a user it may take a while) and saved for next time."""
    def build() -> ScreeningIndex:
        if on_build is not None:
            on_build()
        return build_screening_index(snap)

    index, _ = cached_index(snap.root / "cache" / "screening", snapshot_id=snap.id,
                            build=build, publish=publish_folder)
    return index


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
