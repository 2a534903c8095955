"""Which MLP table rows and which predicate pairs a data set ever uses."""

from __future__ import annotations

import numpy as np

from tpc.inspect.trace import is_mlp
from tpc.ir import Program, Select


def coverage(program: Program, env: dict, valid: np.ndarray) -> list[dict]:
    """Per MLP (Map / SequenceMap): the table rows (input values) read at some valid position;
    per Select: the (query value, key value) pairs of its predicate that select a visible key.
    `env` and `valid` are `Interpreter.evaluate`'s values and mask on the data set."""
    report = []
    for node in program.nodes:
        if is_mlp(node):
            inputs = list(node.inputs)
            sizes = [len(program[x].type.values) for x in inputs]
            flat = (
                np.ravel_multi_index([env[x][valid] for x in inputs], sizes)
                if sizes
                else np.zeros(0)
            )
            used = set(np.unique(flat).tolist())
            rows = [
                tuple(program[x].type.values[i] for x, i in zip(inputs, np.unravel_index(r, sizes)))
                for r in range(int(np.prod(sizes)))
            ]
            report.append(
                _entry(node.name, "mlp rows", rows, [i in used for i in range(len(rows))])
            )
        elif isinstance(node, Select):
            qs, ks = program[node.queries].type.values, program[node.keys].type.values
            sel = env[node.name] & valid[:, :, None] & valid[:, None, :]
            q = np.broadcast_to(env[node.queries][:, :, None], sel.shape)[sel]
            k = np.broadcast_to(env[node.keys][:, None, :], sel.shape)[sel]
            used = set(zip(q.tolist(), k.tolist()))
            pairs = [
                (qi, ki)
                for qi, qv in enumerate(qs)
                for ki, kv in enumerate(ks)
                if (qv, kv) in node.predicate
            ]
            report.append(
                _entry(
                    node.name,
                    "predicate pairs",
                    [(qs[a], ks[b]) for a, b in pairs],
                    [p in used for p in pairs],
                )
            )
    return report


def _entry(name: str, what: str, items: list, used: list[bool]) -> dict:
    return {
        "name": name,
        "what": what,
        "used": sum(used),
        "total": len(items),
        "unused": [list(item) for item, hit in zip(items, used) if not hit],
    }
