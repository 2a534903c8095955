"""A program's dataflow graph by layer, and its DOT and SVG text (no software needed).

Stages stack like a transformer's residual stream: 0 holds the inputs (tokens, indices,
ones, constants); a head sits in the first odd stage above everything it reads (layer k's
attention is stage 2k+1), an MLP in the first even stage above its inputs (layer k's MLPs:
stage 2k+2), the readout on top. Edges say what is read: query, key, value, in, term.
"""

from __future__ import annotations

import re
from html import escape
from typing import NamedTuple

from tpc.inspect.trace import head_reads, is_head, is_mlp
from tpc.ir import Program, Readout


class Vertex(NamedTuple):
    name: str
    role: str  # "input", "head", "mlp", "readout"
    stage: int
    column: int


class Edge(NamedTuple):
    source: str
    target: str
    label: str


class Graph(NamedTuple):
    vertices: list[Vertex]
    edges: list[Edge]
    stages: int

    def stage_label(self, stage: int) -> str:
        if stage == 0:
            return "inputs"
        if any(v.role == "readout" and v.stage == stage for v in self.vertices):
            return "readout"
        return f"L{(stage - 1) // 2} " + ("heads" if stage % 2 else "MLPs")


def dataflow(program: Program) -> Graph:
    stage: dict[str, int] = {}
    roles: dict[str, str] = {}
    edges: list[Edge] = []
    for node in program.nodes:
        if node.type.kind == "selector":
            continue
        if is_head(node):
            reads = [
                (src, label) for label, names in head_reads(program, node).items() for src in names
            ]
        elif isinstance(node, Readout):
            reads = [(t, "term") for t in dict.fromkeys(node.terms)]
        else:
            reads = [(src, "in") for src in node.inputs]
        below = max((stage[src] for src, _ in reads), default=-1)
        if not reads:
            roles[node.name], stage[node.name] = "input", 0
        elif is_head(node):
            roles[node.name], stage[node.name] = "head", _above(below, odd=True)
        elif is_mlp(node):
            roles[node.name], stage[node.name] = "mlp", _above(below, odd=False)
        else:  # the readout: moved to the top below, once every stage is known
            roles[node.name], stage[node.name] = "readout", below + 1
        edges += [Edge(src, node.name, label) for src, label in reads]
    layers = {name: _model_layer(origin) for name, origin in program.origin_map.items()}
    for name, layer in layers.items():  # a lifted module sits in its model layer, used or not
        if layer is not None and roles.get(name) in ("head", "mlp"):
            stage[name] = max(stage[name], 2 * layer + (1 if roles[name] == "head" else 2))
    top = max((stage[n] for n, r in roles.items() if r != "readout"), default=0)
    for name, role in roles.items():
        if role == "readout":
            stage[name] = top + 1
    columns: dict[int, int] = {}
    vertices = []
    for name, role in roles.items():
        s = stage[name]
        vertices.append(Vertex(name, role, s, columns.get(s, 0)))
        columns[s] = columns.get(s, 0) + 1
    return Graph(vertices, edges, max(stage.values(), default=0) + 1)


def _model_layer(origin: str) -> int | None:
    """The layer of a lifted model's module (L1.cat_head0 -> 1), None for inputs."""
    match = re.match(r"L(\d+)\.", origin)
    return int(match.group(1)) if match else None


def _above(stage: int, odd: bool) -> int:
    """The first stage above `stage` that is odd (heads) or even (MLPs)."""
    return stage + 1 if (stage + 1) % 2 == odd else stage + 2


COLORS = {"input": "#e8e8e8", "head": "#cfe2ff", "mlp": "#d4f0d4", "readout": "#ffe0b3"}
SHAPES = {"input": "plaintext", "head": "ellipse", "mlp": "box", "readout": "box"}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(graph: Graph, title: str = "program") -> str:
    """Graphviz DOT text: inputs at the bottom, one rank per stage, edges labelled."""
    lines = [
        f"digraph {_quote(title)} {{",
        "  rankdir=BT;",
        '  node [fontname="Helvetica", style=filled];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for stage in range(graph.stages):
        members = [v for v in graph.vertices if v.stage == stage]
        if not members:
            continue
        lines.append(
            f"  subgraph {_quote(f'stage{stage}')} {{ rank=same; "
            f"{_quote(f'#stage{stage}')} [label={_quote(graph.stage_label(stage))}, "
            'shape=plaintext, style=""];'
        )
        for v in members:
            lines.append(
                f"    {_quote(v.name)} [shape={SHAPES[v.role]}, "
                f"fillcolor={_quote(COLORS[v.role])}];"
            )
        lines.append("  }")
    labels = [
        f"#stage{s}" for s in range(graph.stages) if any(v.stage == s for v in graph.vertices)
    ]
    for low, high in zip(labels, labels[1:]):  # keeps the stage names in order down the left side
        lines.append(f"  {_quote(low)} -> {_quote(high)} [style=invis];")
    for e in graph.edges:
        lines.append(f"  {_quote(e.source)} -> {_quote(e.target)} [label={_quote(e.label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


COLUMN, ROW, LEFT, BOX_W, BOX_H = 160, 90, 110, 140, 30
# Pictures label the edges into heads (what is read matters there); an MLP's edges are its
# inputs and the readout's its terms, which the boxes already say.
SHOWN_LABELS, LABEL_AT = ("query", "key", "value"), 0.85


def stage_y(graph: Graph, stage: int) -> float:
    """Height of a stage's centre line, in pixels from the top: inputs at the bottom."""
    return ROW * (graph.stages - 1 - stage + 0.5)


def positions(graph: Graph) -> dict[str, tuple[float, float]]:
    """Centre of each vertex, in pixels (y grows downwards)."""
    return {
        v.name: (LEFT + COLUMN * (v.column + 0.5), stage_y(graph, v.stage)) for v in graph.vertices
    }


def edge_ends(graph: Graph) -> list[tuple[float, ...]]:
    """(x1, y1, x2, y2, label x, label y) of each edge: from the top of its source to the
    bottom of its target, the ends spread along each box and the labels staggered in height
    so that arrows and labels do not pile up."""
    where = positions(graph)
    outgoing: dict[str, list[int]] = {}
    incoming: dict[str, list[int]] = {}
    for i, e in enumerate(graph.edges):
        outgoing.setdefault(e.source, []).append(i)
        incoming.setdefault(e.target, []).append(i)

    def spread(ends: list[int], i: int) -> float:
        return (ends.index(i) + 0.5) / len(ends) * BOX_W * 0.9 - BOX_W * 0.45

    out = []
    for i, e in enumerate(graph.edges):
        (x1, y1), (x2, y2) = where[e.source], where[e.target]
        x1, y1 = x1 + spread(outgoing[e.source], i), y1 - BOX_H / 2
        x2, y2 = x2 + spread(incoming[e.target], i), y2 + BOX_H / 2
        at = LABEL_AT - 0.2 * (incoming[e.target].index(i) % 2)
        out.append((x1, y1, x2, y2, x1 + at * (x2 - x1), y1 + at * (y2 - y1)))
    return out


def to_svg(graph: Graph, standalone: bool = True) -> str:
    """SVG text of the graph; `standalone` adds the XML namespace a .svg file needs (HTML
    pages inline it without)."""
    where = positions(graph)
    width = LEFT + COLUMN * max((v.column + 1 for v in graph.vertices), default=1)
    height = ROW * graph.stages
    ns = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    out = [
        f'<svg{ns} width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="Helvetica, Arial, sans-serif" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
        'markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    ]
    for stage in range(graph.stages):
        y = stage_y(graph, stage)
        out.append(
            f'<text x="8" y="{y + 4:.0f}" fill="#666">{escape(graph.stage_label(stage))}</text>'
        )
    for e, (x1, y1, x2, y2, lx, ly) in zip(graph.edges, edge_ends(graph)):
        out.append(
            f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="#555" '
            'marker-end="url(#arrow)"/>'
        )
        if e.label in SHOWN_LABELS:
            out.append(
                f'<text x="{lx:.0f}" y="{ly:.0f}" font-size="9" fill="#a33" text-anchor="middle">'
                f"{escape(e.label)}</text>"
            )
    for v in graph.vertices:
        x, y = where[v.name]
        rx = BOX_H / 2 if v.role == "head" else 3
        out.append(
            f"<g><title>{escape(v.name)}</title>"
            f'<rect x="{x - BOX_W / 2:.0f}" y="{y - BOX_H / 2:.0f}" '
            f'width="{BOX_W}" height="{BOX_H}" rx="{rx:.0f}" '
            f'fill="{COLORS[v.role]}" stroke="#333"/>'
            f'<text x="{x:.0f}" y="{y + 4:.0f}" text-anchor="middle">'
            f"{escape(_short(v.name))}</text></g>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _short(name: str, limit: int = 20) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
