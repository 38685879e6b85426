"""Decision-service commands: serve, publish, token, audit, org, decision, db.

They read the same ``RINGFENCE_*`` settings as the server (docs/service.md), call the
library (``ringfence.service``: the runtime, ``book``, ``book_csv``, ``replay``) and
render. Nothing more. Each sub-app is defined here at module level; :func:`register` only
adds them to the main app.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ringfence.cli._common import App, console, err_console, handle_errors

if TYPE_CHECKING:
    from ringfence.audit.anchor import AnchorFile
    from ringfence.service import Runtime, ServiceSettings

__all__ = ["audit_app", "channels_app", "db_app", "decision_app", "org_app", "register",
           "token_app"]

token_app = App(help="API tokens (stored hashed; shown once).", no_args_is_help=True)
audit_app = App(help="The hash-chained audit log.", no_args_is_help=True)
org_app = App(help="The customer book, in batches.", no_args_is_help=True)
decision_app = App(help="Past decisions.", no_args_is_help=True)
db_app = App(help="The operational database.", no_args_is_help=True)
channels_app = App(help="Intermediaries (channels).", no_args_is_help=True)


def _runtime(*, load: bool = True) -> Runtime:
    """A runtime on the configured database, without background threads or GeoIP; with
    ``load`` the live snapshot is loaded too (onboarding needs it)."""
    from ringfence.service import Runtime, ServiceSettings

    settings = replace(ServiceSettings.from_env(), background=False, geoip=False)
    rt = Runtime(settings)
    if load:
        rt.start()
    else:
        from ringfence.store import upgrade

        upgrade(rt.engine)
    return rt


def _print_json(data: object) -> None:
    print(json.dumps(data, indent=2, default=str))


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Worker processes (uvicorn's): each serves from the same "
        "database and follows it within RINGFENCE_SYNC_SECONDS.")] = 1,
    worker_timeout: Annotated[int, typer.Option(
        min=5, help="With --workers: seconds a worker may take to start (load and evaluate "
        "the live snapshot) or to answer the supervisor's health check before it is "
        "restarted.")] = 300,
) -> None:
    """Run the decision service (FastAPI + uvicorn)."""
    import uvicorn
    from sqlalchemy.engine import make_url

    from ringfence.service import ServiceSettings, configure_logging, create_app

    configure_logging()
    settings = ServiceSettings.from_env()
    base = f"http://{host}:{port}"
    db = make_url(settings.database_url).render_as_string(hide_password=True)
    err_console.print(
        f"ringfence decision service on [bold]{base}[/] (database {db}, "
        f"{workers} worker{'s' if workers > 1 else ''})\n"
        f"  readiness  {base}/readyz   ·   API docs  {base}/docs   ·   console  "
        f"{base}/console\n"
        "  tokens     ringfence token create --role admin|analyst|gateway|detector"
        "  (shown once)\n"
        "  stop       Ctrl-C", highlight=False)
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level,
                    access_log=False)
        return
    # Migrations and the first publish (configured or embedded default snapshot) happen
    # once, here, before the workers start: N workers on an empty database would each run
    # them. Each worker then builds its app from the same environment.
    from ringfence.service.sync import read_pointer

    rt = _runtime(load=False)  # migrations
    with rt.engine.connect() as conn:
        nothing_live = read_pointer(conn).path is None
    if nothing_live:
        rt.start()  # publishes RINGFENCE_SNAPSHOT or the embedded default
        rt.stop()
    rt.engine.dispose()
    # uvicorn's own default (5 s) restarts a worker still evaluating a large snapshot
    uvicorn.run("ringfence.service.app:worker_app", factory=True, workers=workers,
                host=host, port=port, log_level=log_level, access_log=False,
                timeout_worker_healthcheck=worker_timeout)


@handle_errors
def publish(
    snapshot: Annotated[Path, typer.Argument(help="Snapshot folder.")],
    policy: Annotated[str | None, typer.Option(help="Policy name or file.")] = None,
) -> None:
    """Re-match and re-evaluate the customer book on SNAPSHOT and make it live (every
    running server worker swaps it in within RINGFENCE_SYNC_SECONDS plus its evaluation).
    The answer's "rematch" counts what the re-screening of every organisation found."""
    _print_json(_runtime(load=False).publish(snapshot, policy=policy, actor="cli"))


@token_app.command("create")
@handle_errors
def token_create(
    role: Annotated[str, typer.Option(help="gateway, analyst, admin, detector or "
                                      "intermediary.")],
    label: Annotated[str, typer.Option(help="Who or what holds it.")] = "",
    channel: Annotated[str | None, typer.Option(
        help="For --role intermediary: the channel (its organisation id).")] = None,
) -> None:
    """Create a token and print it once."""
    from ringfence.service.book import create_token

    out = create_token(_runtime(load=False), role=role, label=label, actor="cli",
                       channel=channel)
    err_console.print(f"token {out['id']} (role {role}); it is shown only now:")
    print(out["token"])


@token_app.command("list")
@handle_errors
def token_list(
    active: Annotated[bool, typer.Option("--active", help="Only tokens not revoked.")
                      ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line, with "
                                          "who revoked each and why.")] = False,
) -> None:
    """List tokens: id, role, label, created, revoked (never a secret)."""
    from rich.table import Table

    from ringfence.service.book import list_tokens

    items = list_tokens(_runtime(load=False), include_revoked=not active)
    if as_json:
        for t in items:
            print(json.dumps(t))
        return
    table = Table()
    table.add_column("id", no_wrap=True)
    for col in ("role", "label"):
        table.add_column(col)
    for col in ("created", "revoked"):
        table.add_column(col, overflow="fold")
    for t in items:
        table.add_row(t["id"], t["role"], t["label"], t["created_at"], t["revoked_at"] or "")
    console.print(table)


@token_app.command("revoke")
@handle_errors
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (tok_...).")],
    reason: Annotated[str, typer.Option(help="Why it is revoked (audit log).")],
) -> None:
    """Revoke a token. A running server refuses it within RINGFENCE_SYNC_SECONDS."""
    from ringfence.service.book import revoke_token

    out = revoke_token(_runtime(load=False), token_id=token_id, reason=reason, actor="cli")
    err_console.print(f"token {out['id']} (role {out['role']}) revoked at {out['revoked_at']}")


@audit_app.command("verify")
@handle_errors
def audit_verify(
    anchor: Annotated[Path | None, typer.Option(
        help="An anchor file (RINGFENCE_ANCHOR_FILE) to check the database against, with "
        "its key from RINGFENCE_ANCHOR_KEY: names every anchored head that is gone "
        "(truncation, rollback).")] = None,
) -> None:
    """Walk the chain; name the first record edited, deleted or reordered."""
    from ringfence.audit import AuditLog
    from ringfence.audit.anchor import check_anchors
    from ringfence.service import ServiceSettings
    from ringfence.store import make_engine

    settings = ServiceSettings.from_env()
    engine = make_engine(settings.database_url)
    v = AuditLog(engine).verify()
    out = v.as_dict()
    problems = [v.problem] if not v.ok else []
    if anchor is not None:
        a = check_anchors(engine, _anchor_file(settings, anchor))
        out["anchor"] = {"file": str(anchor), **a.as_dict()}
        if not a.ok:
            problems.append(f"anchor file {anchor}: {a.problem}")
    print(json.dumps(out, indent=2))
    if problems:
        err_console.print(f"[bold red]audit chain broken:[/] {'; '.join(problems)}",
                          highlight=False)
        raise typer.Exit(1)
    err_console.print(f"audit chain intact: {v.checked} records, head {v.head_hash}"
                      + (f"; every one of {out['anchor']['anchors']} anchors found"
                         if anchor is not None else ""), highlight=False)


@audit_app.command("anchor")
@handle_errors
def audit_anchor() -> None:
    """Append the chain's head to RINGFENCE_ANCHOR_FILE now (signed with
    RINGFENCE_ANCHOR_KEY); the server also does this on every publish and every
    RINGFENCE_ANCHOR_SECONDS."""
    from ringfence.audit.anchor import read_head
    from ringfence.service import ServiceSettings
    from ringfence.store import make_engine

    settings = ServiceSettings.from_env()
    if settings.anchor_file is None:
        raise typer.BadParameter("RINGFENCE_ANCHOR_FILE is not set")
    seq, digest = read_head(make_engine(settings.database_url))
    written = _anchor_file(settings, settings.anchor_file).append(seq, digest, reason="cli")
    assert written is not None
    print(json.dumps({"line": written.n, "seq": seq, "hash": digest, "ts": written.ts}))


def _anchor_file(settings: ServiceSettings, path: Path) -> AnchorFile:
    from ringfence.audit.anchor import AnchorFile

    if not settings.anchor_key:
        raise typer.BadParameter("RINGFENCE_ANCHOR_KEY is not set: the anchor file's "
                                 "HMAC key is needed to read or write it")
    return AnchorFile(path, settings.anchor_key)


@org_app.command("import")
@handle_errors
def org_import(
    csv_file: Annotated[Path, typer.Argument(help="CSV: name,country,billing_country,"
                                             "identifiers (scheme:value;...),domains")],
) -> None:
    """Onboard every row of a CSV; prints one JSON line per organisation.

    Every row is checked before any is onboarded: a bad row stops the import and
    nothing is written."""
    from ringfence.service.book import onboard
    from ringfence.service.book_csv import read_book_csv

    rows = read_book_csv(csv_file)
    rt = _runtime()
    for row in rows:
        out = onboard(rt, name=row.name, country=row.country,
                      billing_country=row.billing_country, identifiers=row.identifiers,
                      domains=row.domains, actor="cli")
        print(json.dumps({"line": row.line, "id": out["id"], "name": out["name"],
                          "status": out["status"], "entity_id": out["entity_id"]}))


@org_app.command("list")
@handle_errors
def org_list(status: Annotated[str | None, typer.Option(help="allowed, review or denied.")
                               ] = None,
             review_due: Annotated[bool, typer.Option(
                 "--review-due", help="Only those a publish put back in the review queue."
             )] = False,
             limit: Annotated[int, typer.Option(help="Rows to show.")] = 100) -> None:
    """List organisations with their status."""
    from rich.table import Table

    table = Table("id", "name", "entity", "verdict", "status", "review due")
    for r in _runtime(load=False).iter_orgs(status=status, limit=limit,
                                            review_due=True if review_due else None):
        table.add_row(r.id, r.name, r.entity_id or "", r.verdict or "", r.status,
                      (r.review_due or {}).get("reason", ""))
    console.print(table)


@decision_app.command("replay")
@handle_errors
def decision_replay(
    decision_id: Annotated[str, typer.Argument(help="The decision's id.")],
) -> None:
    """Replay a decision as of its snapshot and policy version (exit 1 when it differs)."""
    from ringfence.service.replay import replay

    out = replay(_runtime(load=False), decision_id)
    _print_json(out)
    if not out["ok"]:
        raise typer.Exit(1)


@db_app.command("upgrade")
@handle_errors
def db_upgrade() -> None:
    """Apply the Alembic migrations (the server also does this at start)."""
    rt = _runtime(load=False)
    err_console.print(f"database at head: {rt.engine.url.render_as_string()}")


@channels_app.command("scorecard")
@handle_errors
def channels_scorecard(
    channel: Annotated[str, typer.Argument(help="The intermediary's organisation id.")],
    window: Annotated[str, typer.Option(help="day or week.")] = "day",
    as_json: Annotated[bool, typer.Option("--json", help="The card as JSON.")] = False,
) -> None:
    """An intermediary's scorecard from the decision log (opens a case past the policy's
    thresholds, as GET /v1/channels/{id}/scorecard does)."""
    from ringfence.service.scorecard import scorecard

    card = scorecard(_runtime(), channel_id=channel, window=window)
    if as_json:
        print(json.dumps(card))
        return
    for k in ("requests", "unattested_share", "end_customers", "end_users",
              "end_customers_restricted_share", "end_customers_review_share",
              "restricted_region_share", "hosting_vpn_share"):
        console.print(f"{k:32} {card[k]}", markup=False, highlight=False)
    reasons = ", ".join(f"{r['code']} {r['count']}" for r in card["top_reasons"])
    console.print(f"{'top reasons':32} {reasons}", markup=False, highlight=False)
    if card["breaches"]:
        console.print(f"breaches: {card['breaches']} (case {card['case_id']})",
                      markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("publish")(publish)
    app.add_typer(token_app, name="token")
    app.add_typer(audit_app, name="audit")
    app.add_typer(org_app, name="org")
    app.add_typer(decision_app, name="decision")
    app.add_typer(db_app, name="db")
    app.add_typer(channels_app, name="channels")
