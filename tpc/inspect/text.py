"""Terminal text of a trace: the value table, then heads, MLPs and readouts."""

from __future__ import annotations

from functools import partial

from tpc.ir import show as show_value

show = partial(show_value, quote=False)  # tables print values unquoted


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Left-aligned columns, two spaces apart."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [header, *rows]]


def trace_text(doc: dict, terms: int = 3) -> str:
    """The trace as text: one row per variable, one column per position."""
    n = len(doc["tokens"])
    out = table(["position", *map(str, range(n))],
                [["token", *map(show, doc["tokens"])]]
                + [[v["name"], *map(show, v["values"])] for v in doc["variables"]])
    for head in doc["heads"]:
        reads = "; ".join(f"{k} {', '.join(v)}" for k, v in head["reads"].items())
        out += ["", f"head {head['name']} ({head['reduce']}; {reads})"]
        if "key" in head:
            row = ["reads key", *("-" if k is None else str(k) for k in head["key"])]
        elif "sum" in head:
            row = ["sum", *map(show, head["sum"])]
        else:
            row = ["count", *map(str, head["count"])]
        out += table(["query", *map(str, range(n))], [["selects", *(_keys(r) for r in head["selected"])], row])
    for mlp in doc["mlps"]:
        out += ["", f"mlp {mlp['name']} (table row used: {', '.join(mlp['inputs'])} -> value)"]
        out += table(["position", *map(str, range(n))],
                     [["row", *(",".join(map(show, r)) for r in mlp["rows"])], ["value", *map(show, mlp["values"])]])
    for readout in doc["readouts"]:
        out += ["", f"readout {readout['name']} (classes {' '.join(map(show, readout['classes']))})"]
        for q, pos in enumerate(readout["positions"]):
            line = f"  {q}: {show(pos['winner'])}"
            if pos["margin"] is not None:  # a runner-up exists (its class may be None)
                top = ", ".join(f"{t['term']}={show(t['value'])} {t['contribution']:+.3g}" if t["value"] is not None
                                else f"{t['term']} {t['contribution']:+.3g}" for t in pos["terms"][:terms])
                line += f" over {show(pos['runner_up'])} by {pos['margin']:.3g}: {top}"
            out.append(line)
    return "\n".join(out) + "\n"


def _keys(row: list[bool]) -> str:
    keys = [str(k) for k, hit in enumerate(row) if hit]
    return ",".join(keys) if keys else "-"
