"""Which values a linear combination of numerical model variables can really take.

IR type inference bounds `opens - closes` by every difference of a possible `opens` and a
possible `closes`, although both are means over the same selected positions: the real values
are the means of one per-position value (+1, 0 or -1). The readout of a numerical output
separates its classes by their squared distance, so classes the model can never produce
crowd the real ones below float32 resolution (pair_balance at max length 20). Here heads
that share a selector are summed per position first, which gives the exact reachable set.
"""

from __future__ import annotations

from fractions import Fraction

from tpc.ir import reachable_sums
from tpc.ir.infer import MAX_VALUE_SET, ValueSetTooLarge


def pointwise(var, positions) -> tuple | None:
    """(X, {index: value}) when `var`'s value at a position is a function of the categorical
    variable X there, (None, {None: value}) for a constant, else None.

    `as_num` builds such variables: a numerical head that only ever matches the first key
    (always visible, never padding) and sums `ones` is the indicator table[X(query), 0].
    """
    if var.producer == "input":
        return (None, {None: var.values[0]}) if var.kind == "num" and len(var.values) == 1 else None
    op = var.op
    if op is None or op.kind != "num_head" or op.mean or op.reads[1] is not positions:
        return None
    value = op.reads[2]
    if value.producer != "input" or value.values != [Fraction(1)] or op.table[:, 1:].any():
        return None
    x = op.reads[0]
    return x, {i: Fraction(int(op.table[i, 0])) for i in x.values}


def _head_key(var):
    op = var.op
    if op is None or op.kind != "num_head":
        return None
    return (id(op.reads[0]), id(op.reads[1]), op.table.shape, op.table.tobytes(), op.mean)


def _per_position(members, positions) -> set | None:
    """Every value of sum(coef * value variable) at one key position, or None if unknown."""
    by_x: dict = {}  # X -> [(coef, f)]: variables of one X move together
    for var, coef in members:
        pw = pointwise(var.op.reads[2], positions)
        if pw is None:
            return None
        x, f = pw
        by_x.setdefault(x, (x, []))[1].append((coef, f))
    total = {Fraction(0)}
    for x, parts in by_x.values():
        keys = [None] if x is None else x.values
        own = {sum(c * f[k] for c, f in parts) for k in keys}
        total = {a + b for a in total for b in own}
    return total


def _head_group_values(members, positions, n: int) -> set | None:
    """Values of sum(coef * head) over heads that select the same keys (one sum or mean)."""
    w = _per_position(members, positions)
    if w is None:
        return None
    try:
        sums = reachable_sums(tuple(sorted(w)), n)
    except ValueSetTooLarge:
        return None
    if members[0][0].op.mean:  # an empty selection averages to 0
        return {Fraction(s) / c for c in range(1, len(sums)) for s in sums[c]} | {Fraction(0)}
    return {Fraction(s) for s in set().union(*sums)}


def view_values(view, ones, positions, n: int, limit: int = MAX_VALUE_SET) -> set | None:
    """A superset of the values of NumView `view` (exact Fractions), or None past `limit`."""
    groups: dict = {}
    sets = []
    for var, coef in view.terms.items():
        if var is ones:
            continue
        key = _head_key(var)
        if key is None:
            sets.append({coef * Fraction(v) for v in var.values})
        else:
            groups.setdefault(key, []).append((var, coef))
    for members in groups.values():
        vals = _head_group_values(members, positions, n)
        if vals is None:  # heads taken one by one: still a superset
            sets.extend({c * Fraction(v) for v in var.values} for var, c in members)
        else:
            sets.append(vals)
    total = {Fraction(view.terms.get(ones, 0))}
    for s in sorted(sets, key=len):
        total = {a + b for a in total for b in s}
        if len(total) > limit:
            return None
    return total
