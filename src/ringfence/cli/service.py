"""Decision-service commands: serve, token, audit, publish, org, decision, db.

They read the same ``RINGFENCE_*`` settings as the server (docs/service.md), call the
library and render. Nothing more.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ringfence.cli._common import console, err_console, handle_errors

if TYPE_CHECKING:
    from ringfence.service import Runtime

__all__ = ["register"]


def _runtime(*, load: bool = True) -> Runtime:
    from ringfence.service import Runtime, ServiceSettings

    settings = replace(ServiceSettings.from_env(), background=False, geoip=False)
    rt = Runtime(settings)
    if load:
        rt.start()
    else:
        from ringfence.store import upgrade

        upgrade(rt.engine)
    return rt


def register(app: typer.Typer) -> None:
    token_app = typer.Typer(help="API tokens (stored hashed; shown once).", no_args_is_help=True)
    audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
    org_app = typer.Typer(help="The customer book, in batches.", no_args_is_help=True)
    decision_app = typer.Typer(help="Past decisions.", no_args_is_help=True)
    db_app = typer.Typer(help="The operational database.", no_args_is_help=True)
    app.add_typer(token_app, name="token")
    app.add_typer(audit_app, name="audit")
    app.add_typer(org_app, name="org")
    app.add_typer(decision_app, name="decision")
    app.add_typer(db_app, name="db")
    channels_app = typer.Typer(help="Intermediaries (channels).", no_args_is_help=True)
    app.add_typer(channels_app, name="channels")

    @channels_app.command("scorecard")
    @handle_errors
    def channels_scorecard(
        channel: Annotated[str, typer.Argument(help="The intermediary's organisation id.")],
        window: Annotated[str, typer.Option(help="day or week.")] = "day",
        as_json: Annotated[bool, typer.Option("--json", help="The card as JSON.")] = False,
    ) -> None:
        """An intermediary's scorecard from the decision log (opens a case past the
        policy's thresholds, as GET /v1/channels/{id}/scorecard does)."""
        from ringfence.service.scorecard import scorecard

        rt = _runtime()
        card = scorecard(rt, channel_id=channel, window=window)
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

    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to bind.")] = 8000,
        log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
    ) -> None:
        """Run the decision service (FastAPI + uvicorn)."""
        import uvicorn

        from ringfence.service import ServiceSettings, configure_logging, create_app

        configure_logging()
        settings = ServiceSettings.from_env()
        from sqlalchemy.engine import make_url

        base = f"http://{host}:{port}"
        db = make_url(settings.database_url).render_as_string(hide_password=True)
        err_console.print(
            f"ringfence decision service on [bold]{base}[/] (database {db})\n"
            f"  readiness  {base}/readyz   ·   API docs  {base}/docs   ·   console  "
            f"{base}/console\n"
            "  tokens     ringfence token create --role admin|analyst|gateway  (shown once)\n"
            "  stop       Ctrl-C", highlight=False)
        uvicorn.run(create_app(settings), host=host, port=port,
                    log_level=log_level, access_log=False)

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

        rt = _runtime(load=False)
        out = create_token(rt, role=role, label=label, actor="cli", channel=channel)
        err_console.print(f"token {out['id']} (role {role}); it is shown only now:")
        print(out["token"])

    @token_app.command("list")
    @handle_errors
    def token_list(
        active: Annotated[bool, typer.Option("--active", help="Only tokens not revoked.")
                          ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line, "
                                              "with who revoked each and why.")] = False,
    ) -> None:
        """List tokens: id, role, label, created, revoked (never a secret)."""
        from rich.table import Table

        from ringfence.service.book import list_tokens

        rt = _runtime(load=False)
        items = list_tokens(rt, include_revoked=not active)
        if as_json:
            for t in items:
                print(json.dumps(t))
            return
        table = Table()
        table.add_column("id", no_wrap=True)
        table.add_column("role")
        table.add_column("label")
        table.add_column("created", overflow="fold")
        table.add_column("revoked", overflow="fold")
        for t in items:
            table.add_row(t["id"], t["role"], t["label"], t["created_at"],
                          t["revoked_at"] or "")
        console.print(table)

    @token_app.command("revoke")
    @handle_errors
    def token_revoke(
        token_id: Annotated[str, typer.Argument(help="The token's id (tok_...).")],
        reason: Annotated[str, typer.Option(help="Why it is revoked (audit log).")],
    ) -> None:
        """Revoke a token. A running server refuses it within RINGFENCE_SYNC_SECONDS."""
        from ringfence.service.book import revoke_token

        rt = _runtime(load=False)
        out = revoke_token(rt, token_id=token_id, reason=reason, actor="cli")
        err_console.print(f"token {out['id']} (role {out['role']}) revoked at "
                          f"{out['revoked_at']}")

    @audit_app.command("verify")
    @handle_errors
    def audit_verify() -> None:
        """Walk the chain; name the first record edited, deleted or reordered."""
        from ringfence.audit import AuditLog
        from ringfence.service import ServiceSettings
        from ringfence.store import make_engine

        log = AuditLog(make_engine(ServiceSettings.from_env().database_url))
        v = log.verify()
        print(json.dumps(v.as_dict(), indent=2))
        if not v.ok:
            err_console.print(f"[bold red]audit chain broken:[/] {v.problem}")
            raise typer.Exit(1)
        err_console.print(f"audit chain intact: {v.checked} records, head {v.head_hash}")

    @app.command()
    @handle_errors
    def publish(
        snapshot: Annotated[Path, typer.Argument(help="Snapshot folder.")],
        policy: Annotated[str | None, typer.Option(help="Policy name or file.")] = None,
    ) -> None:
        """Re-evaluate the customer book on SNAPSHOT and make it live (every running
        server worker swaps it in within RINGFENCE_SYNC_SECONDS plus its evaluation)."""
        rt = _runtime(load=False)
        out = rt.publish(snapshot, policy=policy, actor="cli")
        print(json.dumps(out, indent=2, default=str))

    @org_app.command("import")
    @handle_errors
    def org_import(
        csv_file: Annotated[Path, typer.Argument(help="CSV: name,country,billing_country,"
                                                 "identifiers (scheme:value;...),domains")],
    ) -> None:
        """Onboard every row of a CSV; prints one JSON line per organisation.

        Every row is checked before any is onboarded: a bad row stops the import and
        nothing is written."""
        import re

        from ringfence.exc import InputError, Problem
        from ringfence.service.book import onboard

        rows: list[tuple[int, dict[str, object]]] = []
        problems: list[Problem] = []
        country = re.compile(r"^[A-Za-z]{2}$")
        with csv_file.open(newline="", encoding="utf-8") as fh:
            for line, row in enumerate(csv.DictReader(fh), start=2):
                name = (row.get("name") or "").strip()
                if not name:
                    problems.append(Problem(str(csv_file), "name is empty", line=line,
                                            field="name"))
                for col in ("country", "billing_country"):
                    value = (row.get(col) or "").strip()
                    if value and not country.match(value):
                        problems.append(Problem(str(csv_file), f"{value!r} is not an ISO "
                                                "3166-1 alpha-2 code", line=line, field=col))
                ids = []
                for part in (row.get("identifiers") or "").split(";"):
                    if part.strip():
                        scheme, sep, value = part.partition(":")
                        if not sep or not scheme.strip() or not value.strip():
                            problems.append(Problem(str(csv_file), f"{part!r} is not "
                                                    "scheme:value", line=line,
                                                    field="identifiers"))
                        ids.append({"scheme": scheme.strip(), "value": value.strip()})
                rows.append((line, {
                    "name": name,
                    "country": (row.get("country") or "").strip().upper() or None,
                    "billing_country": (row.get("billing_country") or "").strip().upper()
                    or None,
                    "identifiers": ids,
                    "domains": [d.strip() for d in (row.get("domains") or "").split(";")
                                if d.strip()]}))
        if problems:
            lines = [f"{p.location}:{p.line}: {p.field}: {p.reason}" for p in problems]
            raise InputError("\n".join([*lines, "nothing was imported"]),
                             details={"problems": [p.as_dict() for p in problems]})
        rt = _runtime()
        for line, decl in rows:
            out = onboard(rt, actor="cli", **decl)  # type: ignore[arg-type]
            print(json.dumps({"line": line, "id": out["id"], "name": out["name"],
                              "status": out["status"], "entity_id": out["entity_id"]}))

    @org_app.command("list")
    @handle_errors
    def org_list(status: Annotated[str | None, typer.Option()] = None,
                 limit: Annotated[int, typer.Option()] = 100) -> None:
        """List organisations with their status."""
        from rich.table import Table

        rt = _runtime(load=False)
        table = Table("id", "name", "entity", "verdict", "status")
        for r in rt.iter_orgs(status=status, limit=limit):
            table.add_row(r.id, r.name, r.entity_id or "", r.verdict or "", r.status)
        console.print(table)

    @decision_app.command("replay")
    @handle_errors
    def decision_replay(decision_id: str) -> None:
        """Replay a decision as of its snapshot and policy version."""
        from ringfence.service.replay import replay

        rt = _runtime(load=False)
        out = replay(rt, decision_id)
        print(json.dumps(out, indent=2, default=str))
        if not out["ok"]:
            sys.exit(1)

    @db_app.command("upgrade")
    @handle_errors
    def db_upgrade() -> None:
        """Apply the Alembic migrations (the server also does this at start)."""
        rt = _runtime(load=False)
        err_console.print(f"database at head: {rt.engine.url.render_as_string()}")
