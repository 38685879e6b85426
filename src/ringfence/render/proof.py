"""Render an :class:`~ringfence.model.Explanation` (what an engine's ``explain`` returns)
as text or as an SVG picture.

Both renderers read the explanation's graph form: ``nodes`` (entity, verdict, why it is
an origin) and ``edges`` (owner → owned with share, kind, dates and source). Origins sit
at the top of the picture and the entity being explained at the bottom.
"""

from __future__ import annotations

from html import escape

from ringfence.model import Explanation, HoldingKind, ProofEdge, ProofNode, Verdict

__all__ = ["proof_svg", "proof_text"]

_COLOURS = {Verdict.RESTRICTED: ("#fde2e1", "#c62828"),
            Verdict.UNCERTAIN: ("#fff4d6", "#b7791f"), Verdict.CLEAR: ("#e3f4e8", "#2e7d32")}


def _edge_label(edge: ProofEdge) -> str:
    label = str(edge.share)
    if edge.kind is not HoldingKind.SHARES:
        label += f" {edge.kind.value}"
    return label.strip()


def _dates(edge: ProofEdge) -> str:
    start, end = edge.valid_from, edge.valid_to
    if not start and not end:
        return ""
    return f" [{start.isoformat() if start else '…'} → {end.isoformat() if end else '…'})"


def _source(edge: ProofEdge) -> str:
    if edge.source is None:
        return "no record: the part of the equity no holding accounts for" \
            if "unaccounted_equity" in edge.uncertain else ""
    return str(edge.source)


def _edge_title(edge: ProofEdge) -> str:
    """An edge's words for a picture's tooltip: who holds what, when, from which record."""
    words = f"{edge.owner} holds {_edge_label(edge)} of {edge.owned}{_dates(edge)}"
    src = _source(edge)
    if src:
        words += f"; source: {src}"
    if edge.uncertain:
        words += f"; uncertain: {', '.join(edge.uncertain)}"
    return words


def _pct(value: float) -> str:
    return f"{value * 100:.4g}%"


def _bound_words(ex: Explanation, *, lower: bool) -> str:
    """A bound in words. A bound exactly at the threshold that the verdict still puts on
    the other side was moved there by an open end (a share "more than 50%" at the lower
    bound, "less than 50%" at the upper): saying the bare number would contradict it."""
    value, pr = ex.lower if lower else ex.upper, ex.proof
    if abs(value - pr.threshold) < 1e-12:
        if lower and not pr.inclusive and ex.verdict is Verdict.RESTRICTED:
            return f"more than {_pct(value)}"
        if not lower and pr.inclusive and ex.verdict is Verdict.CLEAR:
            return f"less than {_pct(value)}"
    return _pct(value)


def proof_text(ex: Explanation, *, names: dict[str, str] | None = None) -> str:
    """A readable explanation: verdict, bounds, then the chain from each owner to origins."""
    names = names or {}
    nodes = {n.entity: n for n in ex.nodes}
    into: dict[str, list[ProofEdge]] = {}
    for e in ex.edges:
        into.setdefault(e.owned, []).append(e)

    def label(eid: str) -> str:
        node = nodes.get(eid)
        name = names.get(eid) or (node.name if node else "")
        country = node.hq_country if node else ""
        bits = [eid]
        if name and name != eid:
            bits.append(f"“{name}”")
        if country:
            bits.append(f"({country})")
        return " ".join(bits)

    p = ex.policy
    lines = [
        f"{label(ex.entity)}: {ex.verdict.value.upper()}",
        f"  restricted share {_bound_words(ex, lower=True)} at the lower bound, "
        f"{_bound_words(ex, lower=False)} at the upper bound, under {p.name} {p.version} as of "
        f"{ex.as_of.isoformat()}, snapshot {ex.snapshot}",
    ]
    seen: set[str] = set()

    def walk(eid: str, depth: int) -> None:
        node = nodes.get(eid)
        pad = "  " * depth
        for reason in node.origin_reasons if node else ():
            lines.append(f"{pad}  ◆ origin: {reason}")
        if eid in seen:
            if into.get(eid):
                lines.append(f"{pad}  (owners shown above)")
            return
        seen.add(eid)
        for e in into.get(eid, []):
            note = " [uncertain]" if e.uncertain else ""
            lines.append(f"{pad}  ← {_edge_label(e)} held by {label(e.owner)}"
                         f"{_dates(e)}{note}")
            src = _source(e)
            if src:
                lines.append(f"{pad}      source: {src}")
            walk(e.owner, depth + 1)

    walk(ex.entity, 1)
    for path in ex.proof.paths:
        lines.append(f"  path {path.product:.4g}: {' → '.join(path.entities)}")
    for note in ex.proof.notes:
        lines.append(f"  note: {note}")
    if ex.verdict is Verdict.CLEAR and not ex.edges:
        lines.append("  no restricted owner carries it past the threshold")
    return "\n".join(lines)


def _layers(ex: Explanation, edges: list[ProofEdge], nodes: list[str]) -> dict[str, int]:
    """Depth of each node: the longest chain of edges from it down to the target."""
    owners_of: dict[str, list[str]] = {}
    for e in edges:
        owners_of.setdefault(e.owned, []).append(e.owner)
    depth = {ex.entity: 0}
    frontier = [ex.entity]
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
    for n in nodes:
        depth.setdefault(n, 1)
    return depth


def proof_svg(ex: Explanation, *, names: dict[str, str] | None = None,
              context: tuple[tuple[ProofEdge, ...], tuple[ProofNode, ...]] = ((), ())
              ) -> str:
    """The ownership chain as an SVG: boxes with country and verdict colour, arrows with
    shares. Origins at the top, the explained entity at the bottom. ``context`` adds
    holdings the proof does not need (e.g. the owners above its origins) and their
    entities, drawn in grey as context."""
    names = names or {}
    nodes = {n.entity: n for n in ex.nodes}
    nodes.setdefault(ex.entity, ProofNode(ex.entity, ex.verdict))
    proof_keys = {e.key for e in ex.edges}
    extra = [e for e in context[0] if e.key not in proof_keys]
    for n in context[1]:
        nodes.setdefault(n.entity, n)
    edges = [*ex.edges, *extra]
    depth = _layers(ex, edges, list(nodes))
    max_depth = max(depth.values(), default=0)
    rows: dict[int, list[str]] = {}
    for eid, d in sorted(depth.items(), key=lambda kv: kv[0]):
        rows.setdefault(max_depth - d, []).append(eid)
    box_w, box_h, gap_x, gap_y, margin = 220, 58, 40, 90, 30
    widest = max((len(r) for r in rows.values()), default=1)
    title = (f"{ex.entity}: {ex.verdict.value.upper()} under {ex.policy.name} as of "
             f"{ex.as_of.isoformat()}")
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
    for e in edges:
        if e.owner not in pos or e.owned not in pos:
            continue
        (x1, y1), (x2, y2) = pos[e.owner], pos[e.owned]
        sx, sy = x1 + box_w / 2, y1 + box_h
        tx, ty = x2 + box_w / 2, y2
        dash = ' stroke-dasharray="6,4"' if e.uncertain else ""
        is_context = e.key not in proof_keys
        colour = "#b7791f" if e.uncertain else ("#999" if is_context else "#444")
        label = _edge_label(e) + (" (uncertain)" if e.uncertain else "")
        cls = "edge" + (" uncertain" if e.uncertain else "") + (" context" if is_context
                                                                  else "")
        # each edge a group with its own words: share, dates, source, what is uncertain
        out.append(f'<g class="{cls}" '
                   f'data-owner="{escape(e.owner)}" data-owned="{escape(e.owned)}">'
                   f'<title>{escape(_edge_title(e))}'
                   f'{"; context: not needed for the verdict" if is_context else ""}</title>')
        out.append(f'<line x1="{sx:.1f}" y1="{sy:.1f}" x2="{tx:.1f}" y2="{ty:.1f}" '
                   f'stroke="{colour}" stroke-width="1.5" marker-end="url(#arrow)"{dash}/>')
        mx, my = (sx + tx) / 2, (sy + ty) / 2
        out.append(f'<text x="{mx + 6:.1f}" y="{my:.1f}" font-size="12" fill="{colour}">'
                   f'{escape(label)}</text></g>')
    for eid, (x, y) in pos.items():
        node = nodes.get(eid) or ProofNode(eid, Verdict.CLEAR)
        verdict = node.verdict.value
        fill, stroke = _COLOURS[node.verdict]
        name = names.get(eid) or node.name or eid
        if len(name) > 30:
            name = name[:29] + "…"
        country = node.hq_country
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{box_w}" height="{box_h}" rx="6" '
                   f'fill="{fill}" stroke="{stroke}" stroke-width="2"/>')
        out.append(f'<text x="{x + 8:.1f}" y="{y + 20:.1f}" font-size="13" '
                   f'font-weight="bold">{escape(name)}</text>')
        sub = f"{eid} · {country} · {verdict}" if country else f"{eid} · {verdict}"
        out.append(f'<text x="{x + 8:.1f}" y="{y + 40:.1f}" font-size="11" '
                   f'fill="{stroke}">{escape(sub)}</text>')
    out.append("</svg>")
    return "\n".join(out)
