"""Which keys a query selects and reads, on numpy arrays: comparison selects by the ranks of
the values (`comparison_ranks`, `compare_ranks`, tpc's `compare` on a [query, key] grid) and
the key a nearest head reads (`position_costs`, `nearest_keys`). The interpreter, `tpc trace`
and the SMT encoding share these rules.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def position_costs(n: int) -> np.ndarray:
    """cost[q, k] of attending from q to k: nearest first, earlier on ties, own position last."""
    q = np.arange(n)[:, None]
    k = np.arange(n)[None, :]
    cost = 2 * np.abs(k - q) - (k < q).astype(np.int64)
    return np.where(k == q, 2 * n + 1, cost)


def nearest_keys(selected: np.ndarray, cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the key each query reads, whether it selects any) of a nearest head: the selected key
    of least `cost` (see position_costs; the first on ties), position 0 when none is selected."""
    anything = selected.any(-1)
    best = np.where(selected, cost, np.iinfo(np.int64).max).argmin(-1)
    return np.where(anything, best, 0), anything


# Kinds of values for comparisons: values of different kinds are never equal or ordered.
_NONE, _NUMBER, _STRING = 0, 1, 2


def _kinds_and_ranks(values: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """Each value's kind and its rank among the values of its kind (equal values, such as
    True and 1, share a rank), so that numpy can compare them as Python does."""
    kinds = np.array(
        [_NONE if v is None else _STRING if isinstance(v, str) else _NUMBER for v in values],
        dtype=np.int8,
    )
    ranks = np.zeros(len(values), dtype=np.int64)
    for kind in (_NUMBER, _STRING):
        members = [v for v, k in zip(values, kinds) if k == kind]
        order = {v: r for r, v in enumerate(sorted(set(members)))}  # a set merges equal values
        ranks[kinds == kind] = [order[v] for v in members]
    return kinds, ranks


def comparison_ranks(query_values: Sequence, key_values: Sequence) -> tuple:
    """(kinds, ranks) of the query values and of the key values, ranked together."""
    kinds, ranks = _kinds_and_ranks([*query_values, *key_values])
    n = len(query_values)
    return (kinds[:n], ranks[:n]), (kinds[n:], ranks[n:])


_ORDER = {
    "==": np.equal,
    "!=": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}


def compare_ranks(op: str, q_kind, q_rank, k_kind, k_rank) -> np.ndarray:
    """`compare(op, key, query)` for every query (axis -2) and key (axis -1), from the values'
    `comparison_ranks` ([..., positions] arrays): the None rule first, then values of one kind
    by rank; values of different kinds are unequal and unordered."""
    q_kind, q_rank = q_kind[..., :, None], q_rank[..., :, None]
    k_kind, k_rank = k_kind[..., None, :], k_rank[..., None, :]
    if op in ("true", "false"):
        out = np.full(np.broadcast_shapes(q_kind.shape, k_kind.shape), op == "true")
    else:
        out = (q_kind == k_kind) & _ORDER[op](k_rank, q_rank)
        if op == "!=":
            out |= q_kind != k_kind
    none_q, none_k = q_kind == _NONE, k_kind == _NONE
    return np.where(none_q | none_k, none_q & none_k, out)
