"""Drawings of a graph.Graph: Mermaid (renders in GitHub Markdown), Graphviz DOT, and a self-contained HTML page
whose SVG is laid out here, one column per kind of node, so that it needs no script and no network."""
from __future__ import annotations

import html
import json

from .model import KINDS, Graph, Node

TITLES = {"container": "containers", "port": "ports", "config": "configs", "lua": "Lua handlers",
          "module": "Lua modules", "dict": "shared dicts"}
MERMAID_SHAPES = {"container": ("[[", "]]"), "port": ("((", "))"), "config": ("[", "]"), "lua": ("([", "])"),
                  "module": ("[/", "/]"), "dict": ("[(", ")]")}
DOT_SHAPES = {"container": "box3d", "port": "circle", "config": "note", "lua": "box", "module": "component",
              "dict": "cylinder"}
FINDING_COLOUR = "#c62828"


def _lines(node: Node) -> list[str]:
    lines = [node.label] + ([node.detail] if node.detail and node.detail != node.label else [])
    if node.codes:
        lines.append("findings: " + " ".join(node.codes))
    return lines


def _columns(graph: Graph) -> list[tuple[str, list[Node]]]:
    """(kind, its nodes in a stable order) for each kind present, left to right."""
    found = []
    for kind in KINDS:
        members = sorted((n for n in graph.nodes.values() if n.kind == kind), key=lambda n: n.id)
        if members:
            found.append((kind, members))
    return found


def _ids(graph: Graph) -> dict[str, str]:
    """Short identifiers every format accepts, in a stable order."""
    return {node_id: f"n{index}" for index, node_id in enumerate(sorted(graph.nodes))}


def mermaid(graph: Graph) -> str:
    ids = _ids(graph)
    out = ["flowchart LR"]
    for kind, members in _columns(graph):
        out.append(f'  subgraph {kind}s["{TITLES[kind]}"]')
        for node in members:
            opening, closing = MERMAID_SHAPES[kind]
            text = "<br/>".join(html.escape(line, quote=False).replace('"', "#quot;") for line in _lines(node))
            out.append(f'    {ids[node.id]}{opening}"{text}"{closing}')
        out.append("  end")
    for edge in graph.edges:
        label = f'|"{edge.label}"|' if edge.label else ""
        out.append(f"  {ids[edge.source]} -->{label} {ids[edge.target]}")
    flagged = [ids[n.id] for n in graph.nodes.values() if n.codes]
    if flagged:
        out.append(f"  classDef finding stroke:{FINDING_COLOUR},stroke-width:3px,color:{FINDING_COLOUR}")
        out.append(f"  class {','.join(sorted(flagged))} finding")
    return "\n".join(out) + "\n"


def dot(graph: Graph) -> str:
    ids = _ids(graph)
    out = ["digraph deployment {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=11];']
    for kind, members in _columns(graph):
        out.append(f'  subgraph cluster_{kind} {{ label={json.dumps(TITLES[kind])}; rank=same;')
        for node in members:
            colour = f', color="{FINDING_COLOUR}", penwidth=2' if node.codes else ""
            out.append(f'    {ids[node.id]} [shape={DOT_SHAPES[kind]}, label={json.dumps(chr(10).join(_lines(node)))}'
                       f"{colour}];")
        out.append("  }")
    for edge in graph.edges:
        label = f" [label={json.dumps(edge.label)}]" if edge.label else ""
        out.append(f"  {ids[edge.source]} -> {ids[edge.target]}{label};")
    out.append("}")
    return "\n".join(out) + "\n"


# -- HTML: columns by kind, nodes stacked, edges as curves from the right side of one box to the left of another.

BOX_WIDTH, LINE_HEIGHT, PADDING, GAP_Y, GAP_X, TOP = 280, 16, 8, 18, 70, 50
CHARS_PER_LINE = 36


def _wrapped(node: Node) -> list[str]:
    lines = []
    for line in _lines(node):
        while len(line) > CHARS_PER_LINE:
            cut = line.rfind("/", 0, CHARS_PER_LINE) + 1 or CHARS_PER_LINE
            lines.append(line[:cut])
            line = "  " + line[cut:]
        lines.append(line)
    return lines


def layout(graph: Graph) -> dict[str, tuple[float, float, float, float, list[str]]]:
    """{node id: (x, y, width, height, lines)}: one column per kind present, boxes never overlapping."""
    placed = {}
    for column, (_kind, members) in enumerate(_columns(graph)):
        x = 20 + column * (BOX_WIDTH + GAP_X)
        y = TOP
        for node in members:
            lines = _wrapped(node)
            height = len(lines) * LINE_HEIGHT + 2 * PADDING
            placed[node.id] = (x, y, BOX_WIDTH, height, lines)
            y += height + GAP_Y
    return placed


def html_page(graph: Graph, title: str) -> str:
    placed = layout(graph)
    width = max((x + w for x, _, w, _, _ in placed.values()), default=300) + 20
    height = max((y + h for _, y, _, h, _ in placed.values()), default=100) + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="12">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#607d8b"/></marker></defs>']
    seen_columns = set()
    for node_id, (x, _y, _w, _h, _lines) in placed.items():
        kind = graph.nodes[node_id].kind
        if kind not in seen_columns:
            seen_columns.add(kind)
            parts.append(f'<text class="column" x="{x}" y="{TOP - 18}" font-weight="bold" font-size="14">'
                         f"{html.escape(TITLES[kind])}</text>")
    for edge in graph.edges:
        sx, sy, sw, sh, _ = placed[edge.source]
        tx, ty, _tw, th, _ = placed[edge.target]
        x1, y1, x2, y2 = sx + sw, sy + sh / 2, tx, ty + th / 2
        if x2 <= x1:  # same column or backwards: leave and enter by the left side
            x1 = sx
        bend = max(40.0, abs(x2 - x1) / 2)
        parts.append(f'<path class="edge" d="M {x1} {y1} C {x1 + bend if x2 > x1 else x1 - bend} {y1}, '
                     f'{x2 - bend} {y2}, {x2} {y2}" fill="none" stroke="#90a4ae" marker-end="url(#arrow)">'
                     f"<title>{html.escape(edge.label)}</title></path>")
    for node_id, (x, y, w, h, lines) in placed.items():
        node = graph.nodes[node_id]
        stroke = FINDING_COLOUR if node.codes else "#546e7a"
        parts.append(f'<g class="node {node.kind}" data-id="{html.escape(node_id)}">'
                     f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="#ffffff" stroke="{stroke}" '
                     f'stroke-width="{3 if node.codes else 1.2}"/>')
        for index, line in enumerate(lines):
            colour = FINDING_COLOUR if line.startswith("findings:") else "#263238"
            weight = ' font-weight="bold"' if index == 0 else ""
            parts.append(f'<text x="{x + PADDING}" y="{y + PADDING + (index + 1) * LINE_HEIGHT - 4}" '
                         f'fill="{colour}"{weight}>{html.escape(line)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            "<style>body{margin:16px;background:#fafafa;font-family:Helvetica,Arial,sans-serif}"
            "h1{font-size:18px}</style></head>\n<body><h1>" + html.escape(title) + "</h1>\n"
            + "\n".join(parts) + "\n</body></html>\n")
