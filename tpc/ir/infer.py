"""Type inference: the exact value set each node can take, from its inputs' value sets.

`TypeInference` holds each node's local transfer function, one visit method per class.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from .nodes import Node
from .types import SELECTOR, Categorical, Domain, Numerical, Type, same_kind
from .visitor import Visitor

# Sums and means over many positions can have combinatorially many values; past this we
# refuse rather than hand the backends a table nobody could build.
MAX_VALUE_SET = 200_000


class ValueSetTooLarge(Exception):
    pass


class TypeInference(Visitor):
    """Each node's local transfer function: its value set from its inputs' `types`."""

    def __init__(self, types: dict[str, Type], domain: Domain):
        self.types, self.domain = types, domain

    def visit_Tokens(self, node):
        return Categorical(self.domain.token_values)

    def visit_Indices(self, node):
        return Categorical(range(self.domain.n_positions))

    def visit_Ones(self, node):
        return Numerical([1])

    def visit_Constant(self, node):
        return same_kind(node.type.kind, [node.value])

    def visit_Map(self, node):
        return same_kind(node.type.kind, node.table.image(self.types[node.x].values))

    def visit_SequenceMap(self, node):
        return same_kind(
            node.type.kind, node.table.image(self.types[node.x].values, self.types[node.y].values)
        )

    def selector(self, node):
        return SELECTOR

    visit_Select = visit_SelectAnd = visit_SelectOr = visit_SelectNot = selector

    def visit_SelectorWidth(self, node):
        return Categorical(range(self.domain.n_positions + 1))

    def visit_Aggregate(self, node):
        values = self.types[node.values].values
        if node.reduce == "nearest":
            extra = [node.default] if node.default is not None else []
            return Categorical([*values, *extra])
        sums = reachable_sums(values, self.domain.n_positions)
        if node.reduce == "sum":
            return Numerical(set().union(*sums))
        means = {Fraction(s) / c for c in range(1, len(sums)) for s in sums[c]}
        return Numerical([*means, node.default if node.default is not None else 0])

    def visit_Readout(self, node):
        return node.type  # the classes are declared, not inferred


def infer_type(node: Node, types: dict[str, Type], domain: Domain) -> Type:
    """The exact value set `node` can take, given its inputs' `types`."""
    return TypeInference(types, domain).visit(node)


@lru_cache(maxsize=256)
def reachable_sums(values: tuple, n_max: int) -> list[set]:
    """sums[c] = every sum of c values drawn (with repetition) from `values`, c = 0..n_max.

    Cached: many heads sum the same value set (`ones` above all). Callers must not mutate it.
    """
    if values and all(type(v) is int for v in values):
        return _integer_sums(values, n_max)
    sums = [{0}]
    for _ in range(n_max):
        sums.append({s + v for s in sums[-1] for v in values})
        if len(sums[-1]) > MAX_VALUE_SET:
            raise ValueSetTooLarge(f"more than {MAX_VALUE_SET} reachable sums")
    return sums


def _integer_sums(values: tuple, n_max: int) -> list[set]:
    """reachable_sums of integers, each set of sums a bitset of (sum - c * min) while it grows:
    the set-by-set product takes hours on the sums of sums a 64-token model's heads take."""
    low = min(values)
    shifts = sorted({v - low for v in values})
    contiguous = shifts[-1] == len(shifts) - 1  # counts and their sums: 0..m
    bits = [1]
    for _ in range(n_max):
        grown = bits[-1] if contiguous else 0
        if contiguous:  # doubling: after each step, every shift below `covered` is in
            covered = 1
            while covered < len(shifts):
                step = min(covered, len(shifts) - covered)
                grown |= grown << step
                covered += step
        else:
            for shift in shifts:
                grown |= bits[-1] << shift
        if grown.bit_count() > MAX_VALUE_SET:
            raise ValueSetTooLarge(f"more than {MAX_VALUE_SET} reachable sums")
        bits.append(grown)
    return [
        {c * low + i for i, bit in enumerate(reversed(bin(b)[2:])) if bit == "1"}
        for c, b in enumerate(bits)
    ]
