"""A few server-rendered console pages for analysts (same tokens; a browser can send the
token as the ``ringfence_token`` cookie)."""

from __future__ import annotations

import json
from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ringfence.service import reads
from ringfence.service.auth import Identity, require, runtime_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Reader = Annotated[Identity, Depends(require("analyst", "admin"))]

_STYLE = ("body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}"
          "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem}"
          ".denied{color:#a00}.review{color:#a60}.allowed{color:#070}pre{background:#f6f6f6;"
          "padding:1rem;overflow:auto}")


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(f"<!doctype html><html><head><meta charset='utf-8'><title>"
                        f"{escape(title)} · ringfence</title><style>{_STYLE}</style></head>"
                        f"<body><p><a href='/console'>ringfence console</a></p>"
                        f"<h1>{escape(title)}</h1>{body}</body></html>")


@router.get("/console")
def home(request: Request, _who: Reader, status: str | None = None) -> HTMLResponse:
    rt = runtime_of(request)
    live = rt.live
    rows = list(rt.iter_orgs(status=status, limit=500))
    pending = reads.override_list(rt, state="pending")
    head = (f"<p>Live snapshot <code>{escape(live.snapshot.id)}</code>, policy "
            f"<code>{escape(live.resolved.name)} {escape(live.resolved.version)}</code></p>"
            if live else "<p><b>No snapshot loaded.</b></p>")
    filt = " · ".join(f"<a href='/console?status={s}'>{s}</a>"
                      for s in ("allowed", "review", "denied"))
    trs = "".join(
        f"<tr><td><a href='/console/organizations/{escape(r.id)}'>{escape(r.name)}</a></td>"
        f"<td>{escape(r.country or '')}</td><td>{escape(r.entity_id or '—')}</td>"
        f"<td>{escape(r.verdict or '—')}</td><td class='{escape(r.status)}'>{escape(r.status)}"
        f"{' (override)' if r.override else ''}</td></tr>" for r in rows)
    pend = "".join(f"<li>{escape(p['org_id'])}: {escape(p['from_status'])} → "
                   f"{escape(p['to_status'])} by {escape(p['requested_by'])}: "
                   f"{escape(p['reason'])} (<code>{escape(p['id'])}</code>)</li>"
                   for p in pending)
    return _page("Customer book", f"{head}<p>Filter: {filt}</p>"
                 f"<h2>Overrides awaiting a second analyst</h2><ul>{pend or '<li>none</li>'}</ul>"
                 f"<h2>Organisations</h2><table><tr><th>name</th><th>country</th>"
                 f"<th>entity</th><th>verdict</th><th>status</th></tr>{trs}</table>")


@router.get("/console/organizations/{org_id}")
def organization(org_id: str, request: Request, _who: Reader) -> HTMLResponse:
    rt = runtime_of(request)
    row, accs = reads.accounts_of(rt, org_id)
    reasons = "".join(f"<li><b>{escape(r['code'])}</b> ({escape(r['outcome'])}): "
                      f"{escape(r['text'])}</li>" for r in row.computed_reasons or [])
    proof = ""
    live = rt.live
    if live is not None and row.entity_id:
        try:
            proof = json.dumps(live.book.explain(row.entity_id).as_dict(), indent=2, default=str)
        except Exception as err:  # a proof that cannot be drawn must not break the page
            proof = f"(no proof: {err})"
    acc = "".join(f"<li><code>{escape(a['id'])}</code> {escape(a['channel'])}"
                  f"{' for ' + escape(a['end_customer']) if a['end_customer'] else ''}</li>"
                  for a in accs)
    ov = (f"<p>Override: <pre>{escape(json.dumps(row.override, indent=2))}</pre></p>"
          if row.override else "")
    return _page(row.name, f"<p class='{escape(row.status)}'>Status: <b>{escape(row.status)}"
                 f"</b> (computed: {escape(row.computed_status)})</p>{ov}"
                 f"<p>Entity <code>{escape(row.entity_id or '—')}</code>, verdict "
                 f"{escape(row.verdict or '—')}</p><h2>Reasons</h2><ul>{reasons}</ul>"
                 f"<h2>Accounts</h2><ul>{acc or '<li>none</li>'}</ul>"
                 f"<h2>Proof</h2><pre>{escape(proof or 'no matched entity')}</pre>")
