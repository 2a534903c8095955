"""A naive per-position evaluator of a DiscreteProgram, written from PAPER.md section 3."""

from __future__ import annotations

import torch

from tpc.model.discrete import DiscreteProgram


def _nearest(q: int, keys: list[int]) -> int:
    """Nearest matching key, the earlier on equal distance; own position last; BOS if none."""
    others = [k for k in keys if k != q]
    if others:
        return min(others, key=lambda k: (abs(k - q), k))
    return q if q in keys else 0


def run(program: DiscreteProgram, ids: list[int]) -> list[int]:
    """Class ids for one unpadded input (token ids)."""
    n = len(ids)
    env: dict[str, list] = {"positions": list(range(n)), "ones": [1.0] * n}
    for var, table in program.embedding.items():
        env[var] = [table[t] for t in ids]
    visible = [[k for k in range(n) if not program.causal or k <= q] for q in range(n)]
    for layer in range(program.config.n_layers):
        for h in (h for h in program.cat_heads if h.layer == layer):
            Q, K, V = env[h.query], env[h.key], env[h.value]
            env[h.output] = [
                V[_nearest(q, [k for k in visible[q] if h.predicate[Q[q]][K[k]]])] for q in range(n)
            ]
        for h in (h for h in program.num_heads if h.layer == layer):
            Q, K, V = env[h.query], env[h.key], env[h.value]
            out = []
            for q in range(n):
                keys = [k for k in visible[q] if h.predicate[Q[q]][K[k]]]
                total = sum(V[k] for k in keys)
                out.append(total / max(len(keys), 1) if h.reduce == "mean" else total)
            env[h.output] = out
        for m in (m for m in program.cat_mlps + program.num_mlps if m.layer == layer):
            rows = torch.tensor([[env[v][p] for v in m.inputs] for p in range(n)])
            env[m.output] = m.apply(rows).tolist()
    return program.readout.predict(
        {v: torch.tensor(env[v]) for v in program.readout.variables}
    ).tolist()
