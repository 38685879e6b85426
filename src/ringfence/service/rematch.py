"""Every organisation re-matched on publish, and an analyst's dismissal of a candidate.

A publish screens the declared name and identifiers of every organisation of the book
(direct customers and intermediaries' end customers alike, matched or not) against the
new snapshot's screening index before their statuses are recomputed
(:func:`ringfence.service.publish.plan_book`). :class:`Rescreener` is that pass: one
resolver, one query per distinct declaration (the same name, country, identifiers and
dismissed candidates are screened once), each an index look-up (postings of the name's
keys, a dozen candidates scored), never a scan of the snapshot. The runtime runs it over
the book before taking the write lock and again, inside the publish's transaction, for
rows written meanwhile (their declarations are the only ones not already screened).

What a new match means for an override or a dismissed candidate is ``decide/rematch.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import update

from ringfence.audit import now_iso
from ringfence.decide import Match
from ringfence.decide.rematch import check_dismissal, held_dismissals
from ringfence.service.webhooks import emit_event
from ringfence.snapshot.screening import SnapshotResolver, declared_record
from ringfence.store.tables import organizations

if TYPE_CHECKING:
    from ringfence.service.runtime import Runtime

__all__ = ["Rescreened", "Rescreener", "dismiss_candidate", "match_json"]


def match_json(match: Match | None) -> dict[str, Any] | None:
    """A match as the book stores it (``organizations.match``)."""
    if match is None:
        return None
    return {"entity_id": match.entity_id, "score": match.score, "confident": match.confident,
            "explanation": match.explanation,
            "alternatives": [list(a) for a in match.alternatives]}


def _declared_ids(identifiers: Iterable[Mapping[str, str]] | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(i["scheme"]), str(i["value"])) for i in identifiers or ()))


@dataclass(frozen=True)
class Rescreened:
    """One organisation screened again: its match now, the dismissals still in force and
    those ended because the candidate's screening data changed."""

    match: Match | None
    held: tuple[Mapping[str, Any], ...]
    ended: tuple[Mapping[str, Any], ...]


class Rescreener:
    """One bulk screening pass of the book over ``resolver`` (one snapshot)."""

    def __init__(self, resolver: SnapshotResolver) -> None:
        self.resolver = resolver
        self._memo: dict[tuple[Any, ...], Match | None] = {}
        self.queries = 0  # distinct declarations screened

    def screen(self, *, name: str, country: str | None,
               identifiers: Iterable[Mapping[str, str]] | None,
               dismissed: Iterable[Mapping[str, Any]] | None) -> Rescreened:
        held, ended = held_dismissals(list(dismissed or ()), self.resolver.fingerprint)
        exclude = frozenset(str(d["entity_id"]) for d in held)
        ids = _declared_ids(identifiers)
        key = (name, country, ids, exclude)
        if key not in self._memo:
            self.queries += 1
            query = declared_record(name, country=country, identifiers=ids)
            self._memo[key] = self.resolver.best_match(query, declared_name=name,
                                                       exclude=exclude)
        return Rescreened(self._memo[key], tuple(held), tuple(ended))

    def book(self, rows: Iterable[Any]) -> dict[str, Rescreened]:
        """Every row (``id``, ``name``, ``country``, ``identifiers``, ``dismissed``)."""
        return {r.id: self.screen(name=r.name, country=r.country, identifiers=r.identifiers,
                                  dismissed=r.dismissed) for r in rows}


def dismiss_candidate(rt: Runtime, *, org_id: str, entity_id: str, reason: str,
                      actor: str) -> dict[str, Any]:
    """An analyst states that ``entity_id`` (the organisation's match or one of its
    alternatives) is not this organisation. The declaration is screened again without it
    and the status recomputed (an override stays in force); later publishes keep it out
    while its screening data is what the analyst saw (``decide/rematch.py``). Refused for a
    denied organisation: lifting a denial is an override, with four eyes."""
    from ringfence.service.book import org_view, screened_values

    live = rt.require_live()
    ts = now_iso()
    with rt.write_lock:
        with rt.audit.transaction() as conn:
            row = rt.org_row(conn, org_id)
            m = row.match or {}
            candidates = ([str(m["entity_id"]), *(str(a[0]) for a in m.get("alternatives", []))]
                          if m else [])
            check_dismissal(org_id=org_id, status=row.status, entity_id=entity_id,
                            candidates=candidates, reason=reason)
            dismissed = [*(row.dismissed or []), {
                "entity_id": entity_id, "fingerprint": live.resolver.fingerprint(entity_id),
                "reason": reason, "by": actor, "at": ts, "snapshot_id": live.snapshot.id}]
            screened = screened_values(
                rt, live, name=row.name, country=row.country,
                billing_country=row.billing_country, identifiers=list(row.identifiers or []),
                exclude=frozenset(str(d["entity_id"]) for d in dismissed))
            screened.pop("name")
            if row.override:  # an analyst's status stands
                screened["status"] = row.status
            conn.execute(update(organizations).where(organizations.c.id == org_id).values(
                **screened, dismissed=dismissed, review_due=None, updated_at=ts))
            if screened["status"] != row.status:
                emit_event(conn, type="organization.status_changed", org_id=org_id, payload={
                    "org_id": org_id, "from": row.status, "to": screened["status"],
                    "dismissed_candidate": entity_id})
            rt.audit.append(conn, kind="analyst.dismiss_candidate", actor=actor,
                            subject=org_id, payload={
                                "entity_id": entity_id, "reason": reason,
                                "from": row.status, "to": screened["status"],
                                "match": screened["match"], "snapshot_id": live.snapshot.id})
            out = rt.org_row(conn, org_id)
        rt.refresh(orgs=[org_id])
    return org_view(out)
