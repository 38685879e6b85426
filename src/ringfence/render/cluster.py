"""Render a detection cluster as an SVG picture: organisations, accounts, shared values.

Input is a case as the service returns it (``GET /v1/cases/{id}``) or a finding from
``findings.jsonl``: ``account_ids``, ``org_ids``, ``members`` (account → org), the
cluster's ``fingerprints`` and, when the book knows them, ``book_accounts`` with each
account's own payment fingerprint and signup device. Three columns: organisations on the
left, accounts in the middle, fingerprints on the right; a line joins an account to its
organisation and to each fingerprint the book says it holds (a finding alone says which
values the cluster shares, not who holds each: those are drawn unjoined, dashed for the
weaker template kinds). Every text is escaped. Large clusters are cut to
``max_nodes`` per column with a "+N more" line.
"""

from __future__ import annotations

from html import escape
from typing import Any

__all__ = ["cluster_svg"]

_ACTION_COLOUR = {"suspend": "#c62828", "throttle": "#b7791f", "review": "#1565c0",
                  "none": "#555555"}
_FIELD_LABEL = {"payment_fingerprint": "card", "signup_device_fp": "device",
                "system_prompt_hash": "system prompt", "tools_hash": "tools",
                "skeleton": "skeleton"}


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def cluster_svg(case: dict[str, Any], *, max_nodes: int = 40) -> str:
    accounts = [str(a) for a in case.get("account_ids") or []]
    members = {str(m.get("account_id")): m for m in case.get("members") or []
               if isinstance(m, dict)}
    book = {str(b.get("id")): b for b in case.get("book_accounts") or [] if isinstance(b, dict)}
    org_of: dict[str, str] = {}
    for acc in accounts:
        b = book.get(acc) or {}  # the book names the provider's org id when it knows it
        org = ((members.get(acc) or {}).get("org_id") or b.get("provider_org_id")
               or b.get("org_id"))
        if org:
            org_of[acc] = str(org)
    orgs = list(dict.fromkeys([str(o) for o in case.get("org_ids") or []]
                              + list(org_of.values())))
    fps: list[tuple[str, str]] = []
    for field, values in (case.get("fingerprints") or {}).items():
        for v in values or []:
            fps.append((str(field), str(v)))
    held: dict[tuple[str, str], list[str]] = {}
    for acc, b in book.items():
        for field in ("payment_fingerprint", "signup_device_fp"):
            if b.get(field):
                held.setdefault((field, str(b[field])), []).append(acc)
    for key in held:
        if key not in fps:
            fps.append(key)
    col_orgs, col_accs, col_fps = orgs[:max_nodes], accounts[:max_nodes], fps[:max_nodes]
    sizes = [len(col_orgs), len(col_accs), len(col_fps)]
    extra = [len(orgs) - sizes[0], len(accounts) - sizes[1], len(fps) - sizes[2]]
    box_w, box_h, gap_y, col_gap, margin, top = 230, 34, 12, 90, 24, 70
    rows = max((n + (1 if e > 0 else 0) for n, e in zip(sizes, extra, strict=True)),
               default=1)
    width = margin * 2 + 3 * box_w + 2 * col_gap
    height = top + max(rows, 1) * (box_h + gap_y) + margin
    x = [margin, margin + box_w + col_gap, margin + 2 * (box_w + col_gap)]

    def y(i: int) -> float:
        return top + i * (box_h + gap_y)

    action = str(case.get("decided_action") or case.get("proposed_action")
                 or case.get("action") or "none")
    colour = _ACTION_COLOUR.get(action, "#555555")
    title = (f"cluster {case.get('cluster_id') or case.get('id') or '?'} · {action} · "
             f"score {float(case.get('score') or 0):.2f} · {len(accounts)} accounts, "
             f"{len(orgs)} orgs")
    status = case.get("status")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0f}" '
        f'viewBox="0 0 {width} {height:.0f}" font-family="Helvetica, Arial, sans-serif">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{margin}" y="{margin + 4}" font-size="15" font-weight="bold" '
        f'fill="{colour}">{escape(_short(title, 110))}</text>',
    ]
    if status:
        out.append(f'<text x="{margin}" y="{margin + 24}" font-size="12" fill="#444">'
                   f'case {escape(str(case.get("id", "")))} · {escape(str(status))}</text>')
    for i, head in enumerate(("organisations", "accounts", "shared fingerprints")):
        out.append(f'<text x="{x[i]}" y="{top - 12}" font-size="12" fill="#666">'
                   f'{head}</text>')
    pos_org = {o: i for i, o in enumerate(col_orgs)}
    pos_acc = {a: i for i, a in enumerate(col_accs)}
    pos_fp = {f: i for i, f in enumerate(col_fps)}
    # lines first, boxes over them
    for acc, i in pos_acc.items():
        org = org_of.get(acc)
        if org in pos_org:
            out.append(_line(x[0] + box_w, y(pos_org[org]) + box_h / 2, x[1],
                             y(i) + box_h / 2, "#888"))
    for key, j in pos_fp.items():
        holders = [a for a in held.get(key, []) if a in pos_acc]
        for acc in holders:
            out.append(_line(x[1] + box_w, y(pos_acc[acc]) + box_h / 2, x[2],
                             y(j) + box_h / 2, colour))
    for org, i in pos_org.items():
        out.append(_box(x[0], y(i), box_w, box_h, "#eef2f7", "#5b7290", org, "organisation"))
    for acc, i in pos_acc.items():
        m = members.get(acc) or {}
        sub = " · ".join(p for p in (
            str(m["action"]) if m.get("action") else "",
            f"score {float(m['score']):.2f}" if m.get("score") is not None else "",
            "in book" if acc in book else "") if p)
        out.append(_box(x[1], y(i), box_w, box_h, "#fdf1f0" if action == "suspend"
                        else "#fff8e6", colour, acc, sub or "account"))
    for (field, value), j in pos_fp.items():
        strong = field in ("payment_fingerprint", "signup_device_fp")
        out.append(_box(x[2], y(j), box_w, box_h, "#f3f3f3", "#333" if strong else "#999",
                        value, _FIELD_LABEL.get(field, field) + (
                            f" · {len(held.get((field, value), []))} accounts"
                            if (field, value) in held else ""),
                        dashed=not strong))
    for k, e in enumerate(extra):
        if e > 0:
            out.append(f'<text x="{x[k] + 6}" y="{y(sizes[k]) + 20:.1f}" font-size="12" '
                       f'fill="#666">+{e} more</text>')
    out.append("</svg>")
    return "\n".join(out)


def _line(x1: float, y1: float, x2: float, y2: float, colour: str) -> str:
    return (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{colour}" stroke-width="1.2" stroke-opacity="0.7"/>')


def _box(x: float, y: float, w: float, h: float, fill: str, stroke: str, label: str,
         sub: str, *, dashed: bool = False) -> str:
    dash = ' stroke-dasharray="5,3"' if dashed else ""
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{w}" height="{h}" rx="5" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.5"{dash}/>'
            f'<text x="{x + 7:.1f}" y="{y + 14:.1f}" font-size="12" font-weight="bold">'
            f'{escape(_short(label, 32))}</text>'
            f'<text x="{x + 7:.1f}" y="{y + 28:.1f}" font-size="10" fill="{stroke}">'
            f'{escape(_short(sub, 40))}</text>')
