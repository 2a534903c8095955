"""One self-contained HTML page of a trace: no scripts, no network, inline CSS and SVG."""

from __future__ import annotations

from html import escape

from tpc.inspect.graph import Graph, to_svg
from tpc.inspect.text import show

STYLE = """
body { font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.2em; }
td, th { border: 1px solid #ccc; padding: 2px 6px; text-align: center; font-size: 13px; }
th { background: #f3f3f3; }
td.name { text-align: left; font-family: monospace; }
.heads { display: flex; flex-wrap: wrap; gap: 1.5em; }
.grid td { width: 22px; height: 22px; padding: 0; }
.grid td.on { background: #4a90d9; }
.grid td.chosen { outline: 3px solid #d62728; outline-offset: -3px; }
.grid th { font-weight: normal; font-size: 11px; }
h3 { margin: 0.2em 0; font-size: 14px; font-family: monospace; }
"""


def trace_page(doc: dict, graph: Graph, title: str) -> str:
    """The page: the value table, an attention grid per head, MLP rows, readout, the graph."""
    n = len(doc["tokens"])
    parts = [
        f"<h1>{escape(title)}</h1>",
        "<h2>Values</h2>",
        "<table>",
        "<tr><th>position</th>" + "".join(f"<th>{q}</th>" for q in range(n)) + "</tr>",
        _row("token", doc["tokens"]),
    ]
    parts += [_row(v["name"], v["values"]) for v in doc["variables"]]
    parts.append("</table>")
    if doc["heads"]:
        parts.append(
            "<h2>Attention</h2><p>Rows are queries, columns keys; blue: selected; "
            'red outline: the key a nearest head reads.</p><div class="heads">'
        )
        parts += [_grid(head, doc["tokens"]) for head in doc["heads"]]
        parts.append("</div>")
    if doc["mlps"]:
        parts.append("<h2>MLPs (table row used per position)</h2><table>")
        for mlp in doc["mlps"]:
            rows = [
                ",".join(map(show, r)) + " → " + show(v) for r, v in zip(mlp["rows"], mlp["values"])
            ]
            parts.append(
                f'<tr><td class="name">{escape(mlp["name"])}</td>'
                + "".join(f"<td>{escape(r)}</td>" for r in rows)
                + "</tr>"
            )
        parts.append("</table>")
    for readout in doc["readouts"]:
        parts.append(
            f"<h2>Readout {escape(readout['name'])}</h2><table><tr><th>position</th><th>class</th>"
            "<th>runner-up</th><th>margin</th><th>largest contributions to the margin</th></tr>"
        )
        for q, pos in enumerate(readout["positions"]):
            terms = ", ".join(
                f"{t['term']}={show(t['value'])} {t['contribution']:+.3g}" for t in pos["terms"][:3]
            )
            alone = pos["margin"] is None  # one class: no runner-up (a class may itself be None)
            margin = "" if alone else f"{pos['margin']:.3g}"
            runner_up = "" if alone else escape(show(pos["runner_up"]))
            parts.append(
                f"<tr><td>{q}</td><td>{escape(show(pos['winner']))}</td>"
                f"<td>{runner_up}</td><td>{margin}</td>"
                f'<td class="name">{escape(terms)}</td></tr>'
            )
        parts.append("</table>")
    parts += ["<h2>Program graph</h2>", to_svg(graph, standalone=False)]
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        f"<style>{STYLE}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def _row(name: str, values) -> str:
    return (
        f'<tr><td class="name">{escape(name)}</td>'
        + "".join(f"<td>{escape(show(v))}</td>" for v in values)
        + "</tr>"
    )


def _grid(head: dict, tokens: list) -> str:
    keys = head.get("key", [None] * len(tokens))
    rows = [
        "<tr><th></th>"
        + "".join(f"<th>{k}<br>{escape(show(t))}</th>" for k, t in enumerate(tokens))
        + "</tr>"
    ]
    for q, selected in enumerate(head["selected"]):
        cells = "".join(
            f'<td class="{"on" if hit else ""}{" chosen" if keys[q] == k else ""}"></td>'
            for k, hit in enumerate(selected)
        )
        rows.append(f"<tr><th>{q} {escape(show(tokens[q]))}</th>{cells}</tr>")
    reads = "; ".join(f"{k}: {', '.join(v)}" for k, v in head["reads"].items())
    return (
        f"<div><h3>{escape(head['name'])} ({escape(head['reduce'])})</h3><div>{escape(reads)}</div>"
        f'<table class="grid">{"".join(rows)}</table></div>'
    )
