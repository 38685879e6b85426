"""``ringfence detect publish | show | purge``: the service side of detection.

* ``publish OUT --service URL --token T`` posts ``OUT/findings.jsonl`` to
  ``POST /v1/findings`` (httpx) in batches; posting again is harmless (the service is
  idempotent per finding version).
* ``show OUT CLUSTER [--svg F]`` prints one finding readably (rich) and can draw it.
* ``purge [--days N]`` applies the findings' retention period to the service's database.

Parse, call, render: the work is in :mod:`ringfence.service.cases` and
:mod:`ringfence.render.cluster`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ringfence.cli._common import console, err_console, handle_errors
from ringfence.exc import InputError, NotFoundError

__all__ = ["register_service_commands"]


def _findings_file(out: Path) -> Path:
    path = out / "findings.jsonl" if out.is_dir() else out
    if not path.is_file():
        raise NotFoundError(f"no findings file at {path}", details={"path": str(path)})
    return path


def _batches(path: Path, max_lines: int, max_bytes: int) -> list[tuple[int, bytes]]:
    """(first line number, body) batches of whole lines."""
    out: list[tuple[int, bytes]] = []
    buf: list[bytes] = []
    size, first = 0, 1
    with path.open("rb") as fh:
        for n, line in enumerate(fh, 1):
            if not line.endswith(b"\n"):
                line += b"\n"
            if len(line) > max_bytes:
                raise InputError(f"{path}:{n}: one finding is larger than {max_bytes} bytes",
                                 details={"line": n})
            if buf and (len(buf) >= max_lines or size + len(line) > max_bytes):
                out.append((first, b"".join(buf)))
                buf, size, first = [], 0, n
            buf.append(line)
            size += len(line)
    if buf:
        out.append((first, b"".join(buf)))
    return out


def publish_cmd(
    out: Annotated[Path, typer.Argument(help="The detector's output folder (or a "
                                        "findings.jsonl file).")],
    service: Annotated[str, typer.Option("--service", help="Base URL of the decision "
                                         "service, e.g. http://127.0.0.1:8000.",
                                         envvar="RINGFENCE_SERVICE_URL")],
    token: Annotated[str, typer.Option("--token", help="A token with the detector role.",
                                       envvar="RINGFENCE_DETECTOR_TOKEN")],
    batch: Annotated[int, typer.Option(help="Findings per request.", min=1)] = 500,
    max_bytes: Annotated[int, typer.Option(help="Largest request body.", min=1024)]
    = 8 * 1024 * 1024,
    timeout: Annotated[float, typer.Option(help="Seconds per request.")] = 60.0,
) -> None:
    """Post OUT/findings.jsonl to the service (POST /v1/findings, role detector)."""
    import httpx

    path = _findings_file(out)
    totals: dict[str, int] = {}
    url = service.rstrip("/") + "/v1/findings"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
    with httpx.Client(timeout=timeout) as client:
        for first, body in _batches(path, batch, max_bytes):
            try:
                r = client.post(url, content=body, headers=headers)
            except httpx.HTTPError as err:
                err_console.print(f"[bold red]error:[/] cannot reach {url}: {err}",
                                  highlight=False)
                raise typer.Exit(2) from None
            if r.status_code != 200:
                _report_refusal(r, first, path)
                raise typer.Exit(2)
            for k, v in r.json()["counts"].items():
                totals[k] = totals.get(k, 0) + v
    summary = ", ".join(f"{k} {v:,}" for k, v in sorted(totals.items())) or "nothing"
    console.print(f"{path}: {summary}", markup=False, highlight=False)


def _report_refusal(r: Any, first: int, path: Path) -> None:
    try:
        err = r.json()["error"]
    except (ValueError, KeyError):
        err_console.print(f"[bold red]error:[/] {r.status_code} {r.text[:500]}",
                          highlight=False, markup=False)
        return
    err_console.print(f"[bold red]refused ({r.status_code} {err['code']}):[/] "
                      f"{err['message']}", highlight=False)
    for p in (err.get("details") or {}).get("problems", [])[:50]:
        line = (p.get("line") or 1) + first - 1
        err_console.print(f"  {path}:{line} [{p.get('field')}]: {p.get('reason')}",
                          markup=False, highlight=False)
    err_console.print("nothing from the refused batch was stored; earlier batches were "
                      "(posting again is harmless)", highlight=False)


def _find(path: Path, cluster: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                raise InputError(f"{path}:{n}: not JSON", details={"line": n}) from None
            cid = str(obj.get("cluster_id", ""))
            if cid == cluster:
                return dict(obj)
            if cid.startswith(cluster):
                found.append(obj)
    if len(found) == 1:
        return found[0]
    if found:
        raise InputError(f"{cluster!r} matches {len(found)} clusters: "
                         + ", ".join(str(f["cluster_id"]) for f in found[:10]))
    raise NotFoundError(f"no cluster {cluster!r} in {path}")


def show_cmd(
    out: Annotated[Path, typer.Argument(help="The detector's output folder (or a "
                                        "findings.jsonl file).")],
    cluster: Annotated[str, typer.Argument(help="A cluster_id (or a unique prefix).")],
    svg: Annotated[Path | None, typer.Option("--svg", help="Also draw the cluster to "
                                             "this SVG file.")] = None,
    members: Annotated[int, typer.Option(help="Members to list.", min=0)] = 30,
) -> None:
    """Print one finding readably: action, score, evidence, fingerprints, excerpts."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    f = _find(_findings_file(out), cluster)
    head = Text()
    head.append(f"{f.get('action', '?').upper()}", style="bold red" if f.get("action") ==
                "suspend" else "bold yellow")
    head.append(f"  score {float(f.get('score') or 0):.3f}  ·  "
                f"{len(f.get('account_ids') or [])} accounts in "
                f"{len(f.get('org_ids') or [])} orgs  ·  first flagged "
                f"{f.get('first_flagged')}  ·  checkpoint {f.get('checkpoint', '-')}")
    console.print(Panel(head, title=f"cluster {f.get('cluster_id')}", expand=False))
    ev = Table(title="evidence", show_lines=False)
    for col in ("signal", "value", "weight", "detail"):
        ev.add_column(col, overflow="fold")
    for e in f.get("evidence") or []:
        ev.add_row(Text(str(e.get("signal"))), Text(str(e.get("value"))),
                   Text(f"{float(e.get('weight') or 0):.3f}"), Text(str(e.get("detail"))))
    console.print(ev)
    fps = {k: v for k, v in (f.get("fingerprints") or {}).items() if v}
    if fps:
        fp = Table(title="shared fingerprints")
        fp.add_column("kind")
        fp.add_column("values", overflow="fold")
        for k, v in fps.items():
            fp.add_row(Text(k), Text(", ".join(str(x) for x in v[:10])
                                     + (f" (+{len(v) - 10})" if len(v) > 10 else "")))
        console.print(fp)
    for x in f.get("excerpts") or []:
        console.print(Text(f"  “{x}”", style="italic"))
    mem = f.get("members") or []
    if mem and members:
        mt = Table(title=f"members ({len(mem)})")
        for col in ("account", "org", "score", "action"):
            mt.add_column(col)
        for m in mem[:members]:
            mt.add_row(Text(str(m.get("account_id"))), Text(str(m.get("org_id"))),
                       Text(f"{float(m.get('score') or 0):.3f}"), Text(str(m.get("action"))))
        console.print(mt)
        if len(mem) > members:
            console.print(f"  … and {len(mem) - members} more", highlight=False)
    if svg is not None:
        from ringfence.render import cluster_svg

        svg.write_text(cluster_svg(f), encoding="utf-8")
        err_console.print(f"wrote {svg}", highlight=False)


def purge_cmd(
    days: Annotated[int | None, typer.Option(help="Retention in days (default "
                                             "RINGFENCE_FINDING_RETENTION_DAYS, 180).",
                                             min=1)] = None,
) -> None:
    """Apply the findings' retention period to the service's database (a cron job)."""
    from ringfence.cli.service import _runtime
    from ringfence.service.cases import purge

    rt = _runtime(load=False)
    out = purge(rt, days=days or rt.settings.finding_retention_days, actor="cli")
    console.print(json.dumps(out), markup=False, highlight=False)


def register_service_commands(app: typer.Typer) -> None:
    app.command("publish")(handle_errors(publish_cmd))
    app.command("show")(handle_errors(show_cmd))
    app.command("purge")(handle_errors(purge_cmd))
