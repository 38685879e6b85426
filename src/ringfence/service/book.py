"""The customer book: onboarding, accounts, API keys, analyst review and overrides, tokens.

Every write is one transaction with its audit record, then folded into the live state.
The rules are not here: onboarding's status table is ``decide/onboarding.py``, the four
eyes and re-assessment ``decide/review.py``, re-matching ``decide/rematch.py``, name
resolution ``snapshot/screening.py``; these functions read the rows the rules need, apply
them and write what they decide.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import structlog
from sqlalchemy import insert, select, update

from ringfence.audit import now_iso
from ringfence.decide import Channel
from ringfence.decide.review import check_approval, check_override_request, needs_approval
from ringfence.exc import ConflictError, InputError, NotFoundError
from ringfence.resolve import remove_controls
from ringfence.service.rematch import match_json
from ringfence.service.runtime import Runtime, sha256
from ringfence.service.webhooks import emit_event
from ringfence.snapshot.screening import declared_record
from ringfence.store.tables import accounts, api_keys, organizations, overrides, tokens, webhooks

__all__ = [
    "ROLES",
    "approve_override",
    "confirm",
    "create_account",
    "create_key",
    "create_token",
    "create_webhook",
    "get_account",
    "list_tokens",
    "onboard",
    "org_view",
    "reject_override",
    "request_override",
    "revoke_key",
    "revoke_token",
    "set_account_active",
    "token_view",
    "update_account",
]

ROLES = ("gateway", "analyst", "admin", "detector", "intermediary")
PROFILE_FIELDS = ("payment_fingerprint", "payment_bin", "payment_country", "signup_device_fp",
                  "signup_ip", "phone", "email")

log = structlog.get_logger("ringfence.service")


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:20]}"


def org_view(row: Any) -> dict[str, Any]:
    return {
        "id": row.id, "name": row.name, "country": row.country,
        "billing_country": row.billing_country, "identifiers": row.identifiers,
        "domains": row.domains, "entity_id": row.entity_id, "match": row.match,
        "verdict": row.verdict, "lower": row.lower, "upper": row.upper,
        "computed_status": row.computed_status, "reasons": row.computed_reasons,
        "status": row.status, "override": row.override, "snapshot_id": row.snapshot_id,
        "review_due": row.review_due, "dismissed": row.dismissed or [],
        "created_at": row.created_at, "updated_at": row.updated_at,
    }


def screened_values(rt: Runtime, live: Any, *, name: str, country: str | None,
                    billing_country: str | None,
                    identifiers: list[dict[str, str]],
                    exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Screen a declaration and give it a status: the one path onboarding and an
    intermediary's end-customer attestation share (the live resolver, the same
    normalisation and disguise evidence, the status table of ``decide/onboarding.py``).
    Returns the organisation row's screening columns and the ``name`` to store (control
    characters never reach the book or the audit log; their removal is recorded in the
    reasons, ``name_disguised``). ``exclude``: candidates an analyst dismissed."""
    declared_name, clean = name, remove_controls(name)[0]
    query = declared_record(declared_name, country=country,
                            identifiers=[(i["scheme"], i["value"]) for i in identifiers])
    match = live.resolver.best_match(query, declared_name=declared_name, exclude=exclude)
    countries = [c for c in (country, billing_country) if c]
    status, reasons, verdict = rt.status_for(live=live, match=match, countries=countries,
                                             name=declared_name)
    return {"entity_id": match.entity_id if match else None, "match": match_json(match),
            "verdict": verdict.verdict if verdict else None,
            "lower": verdict.lower if verdict else None,
            "upper": verdict.upper if verdict else None,
            "computed_status": str(status), "computed_reasons": reasons,
            "status": str(status), "snapshot_id": live.snapshot.id, "name": clean}


def onboard(rt: Runtime, *, name: str, country: str | None, billing_country: str | None,
            identifiers: list[dict[str, str]], domains: list[str], actor: str,
            provider_org_id: str | None = None) -> dict[str, Any]:
    live = rt.require_live()
    screened = screened_values(rt, live, name=name, country=country,
                               billing_country=billing_country, identifiers=identifiers)
    name = screened["name"]
    org_id = _id("org")
    ts = now_iso()
    match_json = screened["match"]
    status, reasons = screened["status"], screened["computed_reasons"]
    values = {
        **screened,
        "id": org_id, "name": name, "country": country, "billing_country": billing_country,
        "identifiers": identifiers, "domains": domains,
        "override": None, "created_at": ts, "updated_at": ts,
        "provider_org_id": provider_org_id,
    }
    with rt.write_lock:
        with rt.audit.transaction() as conn:
            _free_provider_org_id(conn, provider_org_id)
            conn.execute(insert(organizations).values(**values))
            rt.audit.append(conn, kind="onboard", actor=actor, subject=org_id, payload={
                "declaration": {"name": name, "country": country,
                                "billing_country": billing_country,
                                "identifiers": identifiers, "domains": domains,
                                "provider_org_id": provider_org_id},
                "match": match_json, "status": status, "reasons": reasons,
                "snapshot_id": live.snapshot.id, "policy": live.resolved.as_dict()})
            row = rt.org_row(conn, org_id)
        rt.refresh(orgs=[org_id])
    return org_view(row)


def _free_provider_org_id(conn: Any, provider_org_id: str | None) -> None:
    if provider_org_id is None:
        return
    other = conn.execute(select(organizations.c.id).where(
        organizations.c.provider_org_id == provider_org_id)).first()
    if other is not None:
        raise ConflictError(f"provider organisation id {provider_org_id!r} is already on "
                            f"organization {other.id}",
                            details={"field": "provider_org_id", "org_id": other.id})


def _profile(profile: dict[str, Any] | None) -> dict[str, Any]:
    out = {k: v for k, v in (profile or {}).items() if k in PROFILE_FIELDS and v is not None}
    if "signup_ip" in out:
        out["signup_ip"] = str(out["signup_ip"])
    if "payment_country" in out:
        out["payment_country"] = str(out["payment_country"]).upper()
    return out


def account_view(row: Any, rt: Runtime | None = None) -> dict[str, Any]:
    out = {k: getattr(row, k) for k in ("id", "org_id", "channel", "end_customer", "active",
                                         "created_at", *PROFILE_FIELDS)}
    state = rt.holder.state if rt is not None else None
    facts = state.facts(row.id) if state is not None else None
    out["detection"] = (facts.detection.evidence()
                        if facts is not None and facts.detection is not None else None)
    return out


def create_account(rt: Runtime, *, org_id: str, channel: str, end_customer: str | None,
                   actor: str, account_id: str | None = None,
                   profile: dict[str, Any] | None = None,
                   provider_org_id: str | None = None) -> dict[str, Any]:
    """An account (the provider's id when given) with its accounts.jsonl profile. An
    account tied to a confirmed distillation case by its card or device inherits the
    case's action at once (:func:`ringfence.service.findings.link_account`)."""
    from ringfence.service.findings import link_account, refresh_detections

    ts = now_iso()
    acc_id = account_id or _id("acc")
    prof = _profile(profile)
    with rt.write_lock:
        with rt.audit.transaction() as conn:
            org = rt.org_row(conn, org_id)
            if end_customer is not None and channel == str(Channel.DIRECT):
                raise InputError("a direct account has no end customer",
                                 details={"field": "end_customer"})
            if conn.execute(select(accounts.c.id).where(accounts.c.id == acc_id)).first():
                raise ConflictError(f"account {acc_id!r} already exists",
                                    details={"field": "id", "account_id": acc_id})
            if provider_org_id is not None and org.provider_org_id != provider_org_id:
                if org.provider_org_id is not None:
                    raise ConflictError(
                        f"organization {org_id} has provider id {org.provider_org_id!r}, "
                        f"not {provider_org_id!r}", details={"field": "provider_org_id"})
                _free_provider_org_id(conn, provider_org_id)
                conn.execute(update(organizations).where(organizations.c.id == org_id)
                             .values(provider_org_id=provider_org_id, updated_at=ts))
            conn.execute(insert(accounts).values(id=acc_id, org_id=org_id, channel=channel,
                                                 end_customer=end_customer, active=True,
                                                 created_at=ts, **prof))
            rt.audit.append(conn, kind="account.create", actor=actor, subject=acc_id,
                            payload={"org_id": org_id, "channel": channel,
                                     "end_customer": end_customer, "profile": prof,
                                     "provider_org_id": provider_org_id})
            linked = link_account(rt, conn, account_id=acc_id, profile=prof, actor=actor)
            row = conn.execute(select(accounts).where(accounts.c.id == acc_id)).one()
        if linked:
            refresh_detections(rt)
        rt.refresh(accounts_=[acc_id])
    return account_view(row, rt)


def update_account(rt: Runtime, *, account_id: str, profile: dict[str, Any],
                   actor: str) -> dict[str, Any]:
    """Set profile fields (those given; the others are kept), then link as on creation."""
    from ringfence.service.findings import link_account, refresh_detections

    prof = _profile(profile)
    with rt.write_lock:
        with rt.audit.transaction() as conn:
            old = conn.execute(select(accounts).where(accounts.c.id == account_id)).first()
            if old is None:
                raise NotFoundError(f"no account {account_id!r}",
                                    details={"account_id": account_id})
            if prof:
                conn.execute(update(accounts).where(accounts.c.id == account_id)
                             .values(**prof))
            rt.audit.append(conn, kind="account.update", actor=actor, subject=account_id,
                            payload={"profile": prof, "before": {
                                k: getattr(old, k) for k in prof}})
            linked = link_account(rt, conn, account_id=account_id, profile=prof, actor=actor)
            row = conn.execute(select(accounts).where(accounts.c.id == account_id)).one()
        if linked:
            refresh_detections(rt)
        rt.refresh(accounts_=[account_id])
    return account_view(row, rt)


def get_account(rt: Runtime, account_id: str) -> dict[str, Any]:
    with rt.engine.connect() as conn:
        row = conn.execute(select(accounts).where(accounts.c.id == account_id)).first()
    if row is None:
        raise NotFoundError(f"no account {account_id!r}", details={"account_id": account_id})
    return account_view(row, rt)


def create_key(rt: Runtime, *, account_id: str, actor: str) -> dict[str, Any]:
    secret = "rfk_" + secrets.token_urlsafe(32)
    key_id = _id("key")
    ts = now_iso()
    with rt.write_lock:
        with rt.audit.transaction() as conn:
            if conn.execute(select(accounts.c.id).where(accounts.c.id == account_id)).first() \
                    is None:
                raise NotFoundError(f"no account {account_id!r}",
                                    details={"account_id": account_id})
            conn.execute(insert(api_keys).values(id=key_id, account_id=account_id,
                                                 hash=sha256(secret), created_at=ts))
            rt.audit.append(conn, kind="key.create", actor=actor, subject=key_id,
                            payload={"account_id": account_id})
        rt.refresh(keys=[key_id])
    return {"id": key_id, "account_id": account_id, "secret": secret, "created_at": ts}


def set_account_active(rt: Runtime, *, account_id: str, active: bool, reason: str,
                       actor: str) -> dict[str, Any]:
    """Disable (every request DENY, ``account_disabled``) or re-enable an account."""
    with rt.write_lock:
        with rt.audit.transaction() as conn:
            n = conn.execute(update(accounts).where(accounts.c.id == account_id)
                             .values(active=active)).rowcount
            if not n:
                raise NotFoundError(f"no account {account_id!r}",
                                    details={"account_id": account_id})
            rt.audit.append(conn, kind="account.enable" if active else "account.disable",
                            actor=actor, subject=account_id, payload={"reason": reason})
            row = conn.execute(select(accounts).where(accounts.c.id == account_id)).one()
        rt.refresh(accounts_=[account_id])
    return account_view(row, rt)


def revoke_key(rt: Runtime, *, key_id: str, actor: str) -> None:
    with rt.write_lock:
        with rt.audit.transaction() as conn:
            n = conn.execute(update(api_keys).where(api_keys.c.id == key_id,
                                                    api_keys.c.revoked_at.is_(None))
                             .values(revoked_at=now_iso())).rowcount
            if not n:
                raise NotFoundError(f"no active key {key_id!r}", details={"key_id": key_id})
            rt.audit.append(conn, kind="key.revoke", actor=actor, subject=key_id, payload={})
        rt.refresh(keys=[key_id])


def _set_status(rt: Runtime, conn: Any, row: Any, *, status: str, reason: str, by: str,
                approved_by: str | None) -> None:
    # its basis: the entity and verdict it was made against (decide/rematch.py)
    override = {"status": status, "reason": reason, "by": by, "approved_by": approved_by,
                "entity_id": row.entity_id, "verdict": row.verdict,
                "from_status": row.status, "at": now_iso()}
    conn.execute(update(organizations).where(organizations.c.id == row.id)
                 .values(status=status, override=override, review_due=None,
                         updated_at=now_iso()))
    if status != row.status:
        emit_event(conn, type="organization.status_changed", org_id=row.id, payload={
            "org_id": row.id, "from": row.status, "to": status, "override": override})


def confirm(rt: Runtime, *, org_id: str, reason: str, actor: str) -> dict[str, Any]:
    """Record a review confirming the status in force. It takes the organisation out of
    the queue a publish put it back in, and an override is now based on the current entity
    and verdict."""
    with rt.write_lock, rt.audit.transaction() as conn:
        row = rt.org_row(conn, org_id)
        if row.review_due is not None or row.override:
            override = row.override and {**row.override, "entity_id": row.entity_id,
                                         "verdict": row.verdict, "confirmed_by": actor}
            conn.execute(update(organizations).where(organizations.c.id == org_id)
                         .values(review_due=None, override=override or None))
        rt.audit.append(conn, kind="analyst.confirm", actor=actor, subject=org_id,
                        payload={"status": row.status, "reason": reason,
                                 "verdict": row.verdict, "review_due": row.review_due})
        return org_view(rt.org_row(conn, org_id))


def request_override(rt: Runtime, *, org_id: str, status: str, reason: str,
                     actor: str) -> dict[str, Any]:
    ov_id = _id("ovr")
    with rt.write_lock:
        with rt.audit.transaction() as conn:
            row = rt.org_row(conn, org_id)
            check_override_request(current_status=row.status, status=status, reason=reason,
                                   org_id=org_id)
            four_eyes = needs_approval(row.status)
            state = "pending" if four_eyes else "applied"
            conn.execute(insert(overrides).values(
                id=ov_id, org_id=org_id, from_status=row.status, to_status=status,
                verdict=row.verdict, reason=reason, requested_by=actor, state=state,
                decided_by=None if four_eyes else actor, created_at=now_iso(),
                decided_at=None if four_eyes else now_iso()))
            if not four_eyes:
                _set_status(rt, conn, row, status=status, reason=reason, by=actor,
                            approved_by=None)
            rt.audit.append(conn, kind="analyst.override" if not four_eyes
                            else "analyst.override_requested", actor=actor, subject=org_id,
                            payload={"override_id": ov_id, "from": row.status, "to": status,
                                     "reason": reason, "verdict": row.verdict,
                                     "needs_approval": four_eyes})
        if not four_eyes:
            rt.refresh(orgs=[org_id])
    return {"id": ov_id, "org_id": org_id, "from_status": row.status, "to_status": status,
            "state": state, "requested_by": actor, "reason": reason,
            "needs_approval": four_eyes}


def _pending(conn: Any, override_id: str) -> Any:
    ov = conn.execute(select(overrides).where(overrides.c.id == override_id)).first()
    if ov is None:
        raise NotFoundError(f"no override {override_id!r}",
                            details={"override_id": override_id})
    if ov.state != "pending":
        raise ConflictError(f"override {override_id} is already {ov.state}")
    return ov


def approve_override(rt: Runtime, *, override_id: str, reason: str,
                     actor: str) -> dict[str, Any]:
    with rt.write_lock:
        with rt.audit.transaction() as conn:
            ov = _pending(conn, override_id)
            row = rt.org_row(conn, ov.org_id)
            check_approval(override_id=override_id, requested_by=ov.requested_by,
                           approver=actor, from_status=ov.from_status,
                           from_verdict=ov.verdict, current_status=row.status,
                           current_verdict=row.verdict)
            conn.execute(update(overrides).where(overrides.c.id == override_id)
                         .values(state="applied", decided_by=actor, decided_at=now_iso()))
            _set_status(rt, conn, row, status=ov.to_status, reason=ov.reason,
                        by=ov.requested_by, approved_by=actor)
            rt.audit.append(conn, kind="analyst.override_approved", actor=actor,
                            subject=ov.org_id, payload={
                                "override_id": override_id, "from": ov.from_status,
                                "to": ov.to_status, "reason": ov.reason,
                                "approval_reason": reason, "requested_by": ov.requested_by})
        rt.refresh(orgs=[ov.org_id])
    return {"id": override_id, "org_id": ov.org_id, "state": "applied",
            "to_status": ov.to_status, "requested_by": ov.requested_by, "decided_by": actor}


def reject_override(rt: Runtime, *, override_id: str, reason: str,
                    actor: str) -> dict[str, Any]:
    with rt.write_lock, rt.audit.transaction() as conn:
        ov = _pending(conn, override_id)
        conn.execute(update(overrides).where(overrides.c.id == override_id)
                     .values(state="rejected", decided_by=actor, decided_at=now_iso()))
        rt.audit.append(conn, kind="analyst.override_rejected", actor=actor,
                        subject=ov.org_id, payload={"override_id": override_id,
                                                    "reason": reason})
    return {"id": override_id, "org_id": ov.org_id, "state": "rejected", "decided_by": actor}


def create_token(rt: Runtime, *, role: str, label: str, actor: str,
                 channel: str | None = None) -> dict[str, Any]:
    """A token; an ``intermediary`` token names the one channel (the intermediary's
    organisation id) it may act on, and no other role takes one."""
    from ringfence.store.tables import channels

    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}", details={"field": "role"})
    if (role == "intermediary") != (channel is not None):
        raise InputError("an intermediary token needs --channel, and only it takes one",
                         details={"field": "channel"})
    secret = f"rft_{role}_" + secrets.token_urlsafe(32)
    token_id = _id("tok")
    with rt.audit.transaction() as conn:
        if channel is not None and conn.execute(
                select(channels.c.org_id).where(channels.c.org_id == channel)).first() is None:
            raise NotFoundError(f"no channel {channel!r}", details={"field": "channel"})
        conn.execute(insert(tokens).values(id=token_id, hash=sha256(secret), role=role,
                                           label=label, created_at=now_iso(),
                                           channel_id=channel))
        rt.audit.append(conn, kind="token.create", actor=actor, subject=token_id,
                        payload={"role": role, "label": label, "channel": channel})
    rt.reload_tokens()
    return {"id": token_id, "role": role, "label": label, "channel": channel,
            "token": secret}


def token_view(row: Any) -> dict[str, Any]:
    """A token as it may be shown: never its secret, nor its hash."""
    return {"id": row.id, "role": row.role, "label": row.label,
            "channel": row.channel_id, "created_at": row.created_at, "revoked_at": row.revoked_at,
            "revoked_by": row.revoked_by, "revoke_reason": row.revoke_reason}


def list_tokens(rt: Runtime, *, include_revoked: bool = True) -> list[dict[str, Any]]:
    q = select(tokens).order_by(tokens.c.created_at, tokens.c.id)
    if not include_revoked:
        q = q.where(tokens.c.revoked_at.is_(None))
    with rt.engine.connect() as conn:
        return [token_view(r) for r in conn.execute(q).all()]


def revoke_token(rt: Runtime, *, token_id: str, reason: str, actor: str) -> dict[str, Any]:
    """Revoke a token for good, with who and why, in one transaction with its audit record
    (``token.revoke``). This process refuses it from the moment this returns; every other
    process within ``sync_seconds`` (see :mod:`ringfence.service.tokens`)."""
    if not reason.strip():
        raise InputError("a revocation needs a written reason", details={"field": "reason"})
    ts = now_iso()
    with rt.audit.transaction() as conn:
        n = conn.execute(update(tokens).where(tokens.c.id == token_id,
                                              tokens.c.revoked_at.is_(None))
                         .values(revoked_at=ts, revoked_by=actor, revoke_reason=reason)
                         ).rowcount
        row = conn.execute(select(tokens).where(tokens.c.id == token_id)).first()
        if row is None:
            raise NotFoundError(f"no token {token_id!r}", details={"token_id": token_id})
        if not n:
            raise ConflictError(f"token {token_id} was already revoked",
                                details={"token_id": token_id, "revoked_at": row.revoked_at})
        rt.audit.append(conn, kind="token.revoke", actor=actor, subject=token_id,
                        payload={"role": row.role, "label": row.label, "reason": reason})
    rt.tokens.forget(row.hash)  # refused here from now on, whatever the re-read does
    try:
        rt.reload_tokens()  # and no older read still in flight can bring it back
    except Exception:
        log.exception("token list re-read failed after a revocation; it is dropped anyway")
    return token_view(row)


def create_webhook(rt: Runtime, *, url: str, secret: str, actor: str) -> dict[str, Any]:
    """Register a receiver of every event (signed with ``secret``; docs/service.md)."""
    hook_id = _id("whk")
    with rt.audit.transaction() as conn:
        conn.execute(insert(webhooks).values(id=hook_id, url=url, secret=secret, active=True,
                                             created_at=now_iso()))
        rt.audit.append(conn, kind="webhook.create", actor=actor, subject=hook_id,
                        payload={"url": url})
    return {"id": hook_id, "url": url, "active": True}
