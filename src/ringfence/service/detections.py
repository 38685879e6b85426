"""What the gateway enforces from detection, read from the database as one index.

A confirmed case whose decided action is ``throttle`` or ``suspend`` applies to the
accounts and organisations it covered when it was decided (``decided_accounts``,
``decided_orgs``: the provider's ids, matched to the book by account id and by
``organizations.provider_org_id`` or id), and to every account a high-precision link tied
to it (``detect_links``, strength ``high``) while the case stands. The result is a
:class:`~ringfence.decide.DetectionIndex`, folded into the accounts' facts when the state is
built, so the request path pays nothing for it.
"""

from __future__ import annotations

from sqlalchemy import Connection, or_, select

from ringfence.decide import Detection, DetectionAction, DetectionIndex, RateLimit
from ringfence.decide.detection import stronger
from ringfence.store.tables import detect_cases, detect_links, organizations

__all__ = ["ENFORCED", "load_detections"]

ENFORCED = tuple(a.value for a in DetectionAction)  # the actions that reach the gateway


def load_detections(conn: Connection, *, limit: RateLimit) -> DetectionIndex:
    cases = conn.execute(select(
        detect_cases.c.id, detect_cases.c.cluster_id, detect_cases.c.decided_action,
        detect_cases.c.decided_accounts, detect_cases.c.decided_orgs)
        .where(detect_cases.c.status == "confirmed",
               detect_cases.c.decided_action.in_(ENFORCED))).all()
    if not cases:
        return DetectionIndex()
    by_account: dict[str, Detection] = {}
    org_refs: dict[str, Detection] = {}

    def make(row: object, via: str, value: str | None) -> Detection:
        action = DetectionAction(row.decided_action)  # type: ignore[attr-defined]
        return Detection(action=action, case_id=row.id,  # type: ignore[attr-defined]
                         cluster_id=row.cluster_id,  # type: ignore[attr-defined]
                         via=via, value=value,
                         limit=limit if action is DetectionAction.THROTTLE else None)

    for c in cases:
        for acc in c.decided_accounts or []:
            by_account[acc] = stronger(by_account.get(acc), make(c, "account", None)) \
                or by_account[acc]
        for org in c.decided_orgs or []:
            org_refs[org] = stronger(org_refs.get(org), make(c, "organization", org)) \
                or org_refs[org]
    by_id = {c.id: c for c in cases}
    links = conn.execute(select(detect_links.c.account_id, detect_links.c.case_id,
                                detect_links.c.field, detect_links.c.value)
                         .where(detect_links.c.strength == "high",
                                detect_links.c.case_id.in_(list(by_id)))).all()
    for ln in links:
        d = make(by_id[ln.case_id], ln.field, ln.value)
        by_account[ln.account_id] = stronger(by_account.get(ln.account_id), d) or d
    by_org: dict[str, Detection] = {}
    if org_refs:
        refs = list(org_refs)
        rows = conn.execute(select(organizations.c.id, organizations.c.provider_org_id)
                            .where(or_(organizations.c.provider_org_id.in_(refs),
                                       organizations.c.id.in_(refs)))).all()
        for r in rows:
            for ref in (r.provider_org_id, r.id):
                if ref in org_refs:
                    by_org[r.id] = stronger(by_org.get(r.id), org_refs[ref]) or org_refs[ref]
    return DetectionIndex(by_account=by_account, by_org=by_org)
