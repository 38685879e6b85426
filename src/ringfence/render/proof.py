"""Render a proof (as :meth:`VerdictBook.explain` returns it) as text or as an SVG picture.

Both renderers read the proof's graph form: ``nodes`` (entity, verdict, why it is an
origin) and ``edges`` (owner → owned with share, kind, dates and source). Origins sit at
the top of the picture and the entity being explained at the bottom.
"""

from __future__ import annotations

from html import escape
from typing import Any

__all__ = ["proof_svg", "proof_text"]

_COLOURS = {"restricted": ("#fde2e1", "#c62828"), "uncertain": ("#fff4d6", "#b7791f"),
            "clear": ("#e3f4e8", "#2e7d32")}


def _edge_label(edge: dict[str, Any]) -> str:
    label = str(edge.get("share_text") or edge.get("share") or "")
    kind = edge.get("kind", "shares")
    if kind != "shares":
        label += f" {kind}"
    return label.strip()


def _dates(edge: dict[str, Any]) -> str:
    start, end = edge.get("valid_from"), edge.get("valid_to")
    if not start and not end:
        return ""
    return f" [{start or '…'} → {end or '…'})"


def _source(edge: dict[str, Any]) -> str:
    src = edge.get("source") or {}
    if not isinstance(src, dict):
        return str(src)
    parts = [str(src.get("dataset") or "")]
    if src.get("line"):
        parts.append(f"line {src['line']}")
    if src.get("record"):
        parts.append(f"record {src['record']}")
    if src.get("note"):
        parts.append(str(src["note"]))
    return ", ".join(p for p in parts if p)


def _pct(value: float) -> str:
    return f"{value * 100:.4g}%"


def proof_text(proof: dict[str, Any], *, names: dict[str, str] | None = None) -> str:
    """A readable explanation: verdict, bounds, then the chain from each owner to origins."""
    names = names or {}
    target = proof["entity"]
    nodes = {n["entity"]: n for n in proof.get("nodes", [])}
    edges = proof.get("edges", [])
    into: dict[str, list[dict[str, Any]]] = {}
    for e in edges:
        into.setdefault(e["owned"], []).append(e)

    def label(eid: str) -> str:
        node = nodes.get(eid, {})
        name = names.get(eid) or node.get("name") or ""
        country = node.get("hq_country") or ""
        bits = [eid]
        if name and name != eid:
            bits.append(f"“{name}”")
        if country:
            bits.append(f"({country})")
        return " ".join(bits)

    p = proof.get("policy", {})
    lines = [
        f"{label(target)}: {proof['verdict'].upper()}",
        f"  restricted share {_pct(proof['lower'])} at the lower bound, "
        f"{_pct(proof['upper'])} at the upper bound, under {p.get('name', '?')} "
        f"{p.get('version', '')} as of {proof.get('as_of', '?')}, "
        f"snapshot {proof.get('snapshot', '?')}",
    ]
    if proof.get("summary"):
        lines.append(f"  {proof['summary']}")
    seen: set[str] = set()

    def walk(eid: str, depth: int) -> None:
        node = nodes.get(eid, {})
        pad = "  " * depth
        for reason in node.get("origin_reasons", []):
            lines.append(f"{pad}  ◆ origin: {reason}")
        if eid in seen:
            if into.get(eid):
                lines.append(f"{pad}  (owners shown above)")
            return
        seen.add(eid)
        for e in sorted(into.get(eid, []), key=lambda x: -float(x.get("weight", 0) or 0)):
            note = " [uncertain]" if e.get("uncertain") else ""
            lines.append(f"{pad}  ← {_edge_label(e)} held by {label(e['owner'])}"
                         f"{_dates(e)}{note}")
            src = _source(e)
            if src:
                lines.append(f"{pad}      source: {src}")
            walk(e["owner"], depth + 1)

    walk(target, 1)
    for path in proof.get("paths", []):
        chain = " → ".join(path.get("entities", []))
        lines.append(f"  path {path.get('product', 0):.4g}: {chain}")
    for note in proof.get("notes", []):
        lines.append(f"  note: {note}")
    if proof["verdict"] == "clear" and not edges:
        lines.append("  no restricted owner carries it past the threshold")
    return "\n".join(lines)


def _layers(proof: dict[str, Any]) -> dict[str, int]:
    """Depth of each node: the longest chain of edges from it down to the target."""
    target = proof["entity"]
    owners_of: dict[str, list[str]] = {}
    for e in proof.get("edges", []):
        owners_of.setdefault(e["owned"], []).append(e["owner"])
    depth = {target: 0}
    frontier = [target]
    for _ in range(64):  # proofs are shallow; the bound stops a malformed cycle
        nxt = []
        for eid in frontier:
            for owner in owners_of.get(eid, []):
                if depth.get(owner, -1) < depth[eid] + 1:
                    depth[owner] = depth[eid] + 1
                    nxt.append(owner)
        if not nxt:
            break
        frontier = nxt
    for n in proof.get("nodes", []):
        depth.setdefault(n["entity"], 1)
    return depth


def proof_svg(proof: dict[str, Any], *, names: dict[str, str] | None = None) -> str:
    """The ownership chain as an SVG: boxes with country and verdict colour, arrows with
    shares. Origins at the top, the explained entity at the bottom."""
    names = names or {}
    nodes = {n["entity"]: n for n in proof.get("nodes", [])}
    nodes.setdefault(proof["entity"], {"entity": proof["entity"],
                                       "verdict": proof["verdict"]})
    depth = _layers(proof)
    max_depth = max(depth.values(), default=0)
    rows: dict[int, list[str]] = {}
    for eid, d in sorted(depth.items(), key=lambda kv: kv[0]):
        rows.setdefault(max_depth - d, []).append(eid)
    box_w, box_h, gap_x, gap_y, margin = 220, 58, 40, 90, 30
    widest = max((len(r) for r in rows.values()), default=1)
    title = (f'{proof["entity"]}: {proof["verdict"].upper()} under '
             f'{proof.get("policy", {}).get("name", "")} as of {proof.get("as_of", "")}')
    width = max(margin * 2 + widest * box_w + (widest - 1) * gap_x,
                margin * 2 + len(title) * 8.2)
    height = margin * 2 + (max_depth + 1) * box_h + max_depth * gap_y + 30
    pos: dict[str, tuple[float, float]] = {}
    for r, members in rows.items():
        row_w = len(members) * box_w + (len(members) - 1) * gap_x
        x0 = (width - row_w) / 2
        for k, eid in enumerate(members):
            pos[eid] = (x0 + k * (box_w + gap_x), margin + 30 + r * (box_h + gap_y))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#444"/></marker></defs>',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{margin}" y="{margin}" font-size="14" font-weight="bold">'
        f'{escape(title)}</text>',
    ]
    for e in proof.get("edges", []):
        if e["owner"] not in pos or e["owned"] not in pos:
            continue
        (x1, y1), (x2, y2) = pos[e["owner"]], pos[e["owned"]]
        sx, sy = x1 + box_w / 2, y1 + box_h
        tx, ty = x2 + box_w / 2, y2
        dash = ' stroke-dasharray="6,4"' if e.get("uncertain") else ""
        out.append(f'<line x1="{sx:.1f}" y1="{sy:.1f}" x2="{tx:.1f}" y2="{ty:.1f}" '
                   f'stroke="#444" stroke-width="1.5" marker-end="url(#arrow)"{dash}/>')
        mx, my = (sx + tx) / 2, (sy + ty) / 2
        out.append(f'<text x="{mx + 6:.1f}" y="{my:.1f}" font-size="12" fill="#222">'
                   f'{escape(_edge_label(e))}</text>')
    for eid, (x, y) in pos.items():
        node = nodes.get(eid, {})
        verdict = node.get("verdict", "clear")
        fill, stroke = _COLOURS.get(verdict, ("#eeeeee", "#666666"))
        name = names.get(eid) or node.get("name") or eid
        if len(name) > 30:
            name = name[:29] + "…"
        country = node.get("hq_country") or ""
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{box_w}" height="{box_h}" rx="6" '
                   f'fill="{fill}" stroke="{stroke}" stroke-width="2"/>')
        out.append(f'<text x="{x + 8:.1f}" y="{y + 20:.1f}" font-size="13" '
                   f'font-weight="bold">{escape(name)}</text>')
        sub = f"{eid} · {country} · {verdict}" if country else f"{eid} · {verdict}"
        out.append(f'<text x="{x + 8:.1f}" y="{y + 40:.1f}" font-size="11" '
                   f'fill="{stroke}">{escape(sub)}</text>')
    out.append("</svg>")
    return "\n".join(out)
