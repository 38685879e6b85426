"""From the parties of every list file of one source to staging rows.

1. **One party per key** across the files: names, identifiers, countries and ties are
   united; each file's memberships are kept apart for step 2.
2. **Membership over time**, per party and list, from the dated files that speak for that
   list: present in a file → on the list at that file's date; absent from a *complete* file
   of the list (one not marked ``--partial`` that covers the list) → delisted from that
   file's date. The start of a stretch is the listing date the list states, else unknown
   when the party is in the earliest file, else the date of the first file that has it
   again. A file with no date (and no ``--published``) adds memberships but never
   delists. Each stretch becomes one list token (:mod:`ringfence.model.listing`).
3. **Ties**: an id the list gives resolves to that party; a name ("Linked To: X", "owned
   or controlled by X") resolves to the one party whose name or alias folds to the same
   text, else stays unresolved. Structured ownership statements become holdings (control
   of a majority, equity of unknown size); everything else is evidence, never a share.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ringfence.ingest.lists.common import Link, ListFile, Party, fold
from ringfence.ingest.stage import ANY_SHARE, MAJORITY, Stage
from ringfence.model import HoldingKind, Share
from ringfence.model.listing import Listing as Token

__all__ = ["stage_lists", "windows"]


def windows(events: list[tuple[dt.date, bool]], stated_since: dt.date | None,
            stated_until: dt.date | None) -> list[tuple[dt.date | None, dt.date | None]]:
    """Stretches ``[from, to)`` of membership from dated (date, present) observations."""
    by_date: dict[dt.date, bool] = {}
    for day, present in events:
        by_date[day] = by_date.get(day, False) or present
    out: list[tuple[dt.date | None, dt.date | None]] = []
    start: dt.date | None = None
    is_open = False
    last_absent: dt.date | None = None
    for i, day in enumerate(sorted(by_date)):
        if by_date[day] and not is_open:
            is_open = True
            if i == 0 or (stated_since is not None and last_absent is not None \
                    and last_absent < stated_since <= day):
                start = stated_since
            else:
                start = day
        elif not by_date[day]:
            if is_open:
                out.append((start, day))
                is_open = False
            last_absent = day
    if is_open:
        out.append((start, stated_until))
    return out


def _tokens(key: str, occ: list[tuple[ListFile, Party]], files: list[ListFile],
            index: list[dict[str, Party]]) -> list[str]:
    names = sorted({lst.list for _f, p in occ for lst in p.listings})
    out: list[str] = []
    for name in names:
        stated = [lst for _f, p in occ for lst in p.listings if lst.list == name]
        since = min((s.since for s in stated if s.since), default=None)
        until = max((s.until for s in stated if s.until), default=None)
        progs = tuple(dict.fromkeys(p for s in stated for p in s.programmes))
        events: list[tuple[dt.date, bool]] = []
        for f, idx in zip(files, index, strict=True):
            if f.published is None:
                continue
            party = idx.get(key)
            if party is not None and any(lst.list == name for lst in party.listings):
                events.append((f.published, True))
            elif name in f.covers:
                events.append((f.published, False))
        spans = windows(events, since, until) if any(p for _d, p in events) \
            else [(since, until)]
        out.extend(Token(name, a, b, progs).token() for a, b in spans)
    return out


def stage_lists(stage: Stage, files: list[ListFile]) -> None:
    """Stage every party of ``files`` (one source) with its memberships and ties."""
    index = [{p.key: p for p in f.parties} for f in files]
    occ: dict[str, list[tuple[ListFile, Party]]] = defaultdict(list)
    for f in files:
        for p in f.parties:
            occ[p.key].append((f, p))
    by_name: dict[str, set[str]] = defaultdict(set)
    for key, found in occ.items():
        for _f, p in found:
            for value, kind, _script in p.names:
                if kind != "weak_alias":
                    by_name[fold(value)].add(key)
    unresolved = 0
    for key, found in occ.items():
        listed = [p for _f, p in found if p.listings]
        base = listed[-1] if listed else found[-1][1]
        seq = stage.next_seq()
        countries: list[str] = []
        for _f, p in found:
            countries += [c for c in p.countries if c not in countries]
        hq = countries[0] if countries and base.type != "person" else ""
        stage.entity(rec=key, key=key, seq=seq, etype=base.type, name=base.name, hq=hq,
                     hq_rank=1 if hq else 0, lists=";".join(_tokens(key, found, files, index)),
                     dataset=base.dataset, line=base.line, record=base.record)
        stage.ref(key, key)
        seen_names: set[tuple[str, str]] = set()
        seen_ids: set[tuple[str, str]] = set()
        links: list[tuple[Party, Link]] = []
        for _f, p in found:
            for value, kind, script in p.names:
                if (value, kind) not in seen_names:
                    seen_names.add((value, kind))
                    stage.name(seq, value, script=script, kind=kind)
            for scheme, value in p.identifiers:
                if (scheme, value) not in seen_ids:
                    seen_ids.add((scheme, value))
                    stage.ident(seq, scheme, value)
            links += [(p, lk) for lk in p.links]
        done: set[tuple[str, str, str]] = set()
        for p, lk in links:
            target = lk.target
            if not target and lk.target_name:
                hits = by_name.get(fold(lk.target_name), set()) - {key}
                target = next(iter(hits)) if len(hits) == 1 else ""
            ident = (lk.relation, target or lk.target_name, str(lk.reverse))
            if ident in done or (target and target == key):
                continue
            done.add(ident)
            unresolved += not target
            _stage_link(stage, p, key, lk, target)
        stage.flush_full()
    if unresolved:
        stage.notes.append(f"lists: {unresolved} tie(s) named in list remarks match no "
                           "party of the same files by name; kept as evidence with the name "
                           "as written")


def _stage_link(stage: Stage, party: Party, key: str, lk: Link, target: str) -> None:
    owner, owned = (key, target) if lk.reverse else (target, key)
    owner_mode = "ref"
    if not target:
        owner, owner_mode = f"named: {lk.target_name}", "unknown"
    hrec = f"{party.dataset}:{key}:{lk.relation}:{target or lk.target_name}"
    seq = stage.next_seq()

    def put(kind: HoldingKind, share: Share, evidence: str = "") -> None:
        stage.holding(hrec=hrec, seq=seq, owner=owner, owned=owned, owner_mode=owner_mode,
                      owned_mode="ref", kind=kind, share=share, dataset=party.dataset,
                      line=party.line, record=party.record, note=lk.note[:2000],
                      evidence=evidence)

    if lk.holding and target:
        put(HoldingKind.CONTROL, MAJORITY)
        put(HoldingKind.SHARES, ANY_SHARE)
    else:
        put(HoldingKind.CONTROL, ANY_SHARE, lk.relation)
