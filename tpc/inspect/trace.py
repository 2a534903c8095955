"""One input through a program, every intermediate value kept: what `tpc trace` shows.

The values come from `tpc.interp.Interpreter.evaluate` (its env holds every node), the key
each nearest head reads from `tpc.selection.nearest_keys` (the rule the interpreter itself
applies) and the readout's scores from `Interpreter.class_scores`, so a trace is the
interpreter's own computation, laid out per position. See docs/cli.md for the JSON schema.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

import numpy as np

from tpc.errors import TpcError
from tpc.interp import Interpreter
from tpc.ir import Aggregate, Map, Program, Readout, SelectorWidth, SequenceMap, select_leaves
from tpc.selection import nearest_keys, position_costs

SCHEMA_VERSION = 1


def head_reads(program: Program, node) -> dict[str, list[str]]:
    """What a head reads: {"query": [...], "key": [...], "value": [...]} (node names)."""
    leaves = select_leaves(program, node.selector)
    reads = {
        "query": list(dict.fromkeys(s.queries for s in leaves)),
        "key": list(dict.fromkeys(s.keys for s in leaves)),
    }
    if isinstance(node, Aggregate):
        reads["value"] = [node.values]
    return reads


def is_head(node) -> bool:
    return isinstance(node, (Aggregate, SelectorWidth))


def is_mlp(node) -> bool:
    return isinstance(node, (Map, SequenceMap))


def trace(program: Program, tokens: Sequence, only: Sequence[str] = ()) -> dict:
    """The trace of one input (token values as `Interpreter.encode` takes them) as a dict of
    plain values (IR values, not yet JSON); `only` keeps those variables (node or output names)."""
    interp = Interpreter(program)
    ids, valid = interp.encode([tokens])
    env = interp.evaluate(ids, valid)
    keep = _chosen(program, only)
    token_values = (
        program["tokens"].type.values if "tokens" in program else program.domain.token_values
    )
    doc = {
        "schema": SCHEMA_VERSION,
        "program": dict(program.meta).get("name", ""),
        "tokens": [token_values[i] for i in ids[0].tolist()],
        "bos_added": program.domain.implicit_bos,
        "outputs": dict(program.outputs),
        "variables": [],
        "heads": [],
        "mlps": [],
        "readouts": [],
    }
    origin = program.origin_map
    cost = position_costs(ids.shape[1])
    for node in program.nodes:
        if node.type.kind == "selector" or node.name not in keep:
            continue
        values = [node.type.values[i] for i in env[node.name][0].tolist()]
        doc["variables"].append(
            {
                "name": node.name,
                "node": type(node).__name__,
                "kind": node.type.kind,
                "origin": origin.get(node.name),
                "values": values,
            }
        )
        if is_head(node):
            doc["heads"].append(_head(program, node, env, cost))
        elif is_mlp(node):
            inputs = list(node.inputs)
            columns = [[program[x].type.values[i] for i in env[x][0].tolist()] for x in inputs]
            doc["mlps"].append(
                {
                    "name": node.name,
                    "inputs": inputs,
                    "rows": [list(row) for row in zip(*columns)],
                    "values": values,
                }
            )
        elif isinstance(node, Readout):
            doc["readouts"].append(_readout(interp, node, env, ids.shape))
    return doc


def _chosen(program: Program, only: Sequence[str]) -> set[str]:
    names = {n.name for n in program.nodes}
    if not only:
        return names
    outputs = program.output_map
    keep = set()
    for name in only:
        if name not in names and name not in outputs:
            shown = ", ".join(n.name for n in program.nodes if n.type.kind != "selector")
            raise TpcError(f"--only: no variable named {name!r} (variables: {shown})")
        keep.add(name if name in names else outputs[name])  # a node's own name first
    return keep


def _head(program: Program, node, env: dict, cost: np.ndarray) -> dict:
    selected = env[node.selector][0]
    head = {
        "name": node.name,
        "reduce": "width" if isinstance(node, SelectorWidth) else node.reduce,
        "selector": node.selector,
        "reads": head_reads(program, node),
        "selected": selected.tolist(),
        "count": selected.sum(-1).tolist(),
    }
    if isinstance(node, Aggregate) and node.reduce == "nearest":
        chosen, anything = nearest_keys(selected[None], cost)
        # Nothing selected: the default when the head has one, else the value at BOS.
        head["key"] = [
            k if hit or node.default is None else None
            for k, hit in zip(chosen[0].tolist(), anything[0].tolist())
        ]
    elif isinstance(node, Aggregate):
        values = [program[node.values].type.values[i] for i in env[node.values][0].tolist()]
        head["sum"] = [
            sum((Fraction(v) for v, s in zip(values, row) if s), Fraction(0))
            for row in selected.tolist()
        ]
    return head


def _readout(interp: Interpreter, node: Readout, env: dict, shape) -> dict:
    scores = interp.class_scores(node, env, shape)[0]
    terms = interp.term_scores(node, env)
    classes = list(node.classes)
    rows = []
    for q in range(shape[1]):
        order = sorted(
            range(len(classes)), key=lambda c: (-scores[q, c], c)
        )  # the first best class wins
        win = order[0]
        row = {
            "scores": [float(s) for s in scores[q]],
            "winner": classes[win],
            "runner_up": None,
            "margin": None,
            "terms": [],
        }
        if len(order) > 1:
            run = order[1]
            row.update(runner_up=classes[run], margin=float(scores[q, win]) - float(scores[q, run]))
            parts = [("bias", None, float(node.bias[win]) - float(node.bias[run]))]
            parts += [
                (
                    t,
                    interp.program[t].type.values[int(env[t][0, q])],
                    float(s[0, q, win]) - float(s[0, q, run]),
                )
                for t, s in zip(node.terms, terms)
            ]
            parts.sort(key=lambda p: -p[2])
            row["terms"] = [{"term": t, "value": v, "contribution": c} for t, v, c in parts]
        rows.append(row)
    return {"name": node.name, "classes": classes, "positions": rows}
