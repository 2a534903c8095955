"""Type inference: the exact value set each node can take, from its inputs' value sets.

Each function is the node's local transfer function; `infer_type` dispatches on the class.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache, singledispatch

from .nodes import (
    Aggregate, Constant, Indices, Map, Node, Ones, Readout, Select, SelectAnd, SelectNot,
    SelectOr, SelectorWidth, SequenceMap, Tokens,
)
from .types import SELECTOR, Categorical, Domain, Numerical, Type, same_kind

# Sums and means over many positions can have combinatorially many values; past this we
# refuse rather than hand the backends a table nobody could build.
MAX_VALUE_SET = 200_000


class ValueSetTooLarge(Exception):
    pass


@singledispatch
def infer_type(node: Node, types: dict[str, Type], domain: Domain) -> Type:
    raise NotImplementedError(type(node).__name__)


@infer_type.register
def _(node: Tokens, types, domain):
    return Categorical(domain.token_values)


@infer_type.register
def _(node: Indices, types, domain):
    return Categorical(range(domain.n_positions))


@infer_type.register
def _(node: Ones, types, domain):
    return Numerical([1])


@infer_type.register
def _(node: Constant, types, domain):
    return same_kind(node.type.kind, [node.value])


@infer_type.register
def _(node: Map, types, domain):
    return same_kind(node.type.kind, node.table.image(types[node.x].values))


@infer_type.register
def _(node: SequenceMap, types, domain):
    return same_kind(node.type.kind, node.table.image(types[node.x].values, types[node.y].values))


@infer_type.register(Select)
@infer_type.register(SelectAnd)
@infer_type.register(SelectOr)
@infer_type.register(SelectNot)
def _(node, types, domain):
    return SELECTOR


@infer_type.register
def _(node: SelectorWidth, types, domain):
    return Categorical(range(domain.n_positions + 1))


@lru_cache(maxsize=256)
def reachable_sums(values: tuple, n_max: int) -> list[set]:
    """sums[c] = every sum of c values drawn (with repetition) from `values`, c = 0..n_max.

    Cached: many heads sum the same value set (`ones` above all). Callers must not mutate it.
    """
    sums = [{0}]
    for _ in range(n_max):
        sums.append({s + v for s in sums[-1] for v in values})
        if len(sums[-1]) > MAX_VALUE_SET:
            raise ValueSetTooLarge(f"more than {MAX_VALUE_SET} reachable sums")
    return sums


@infer_type.register
def _(node: Aggregate, types, domain):
    values = types[node.values].values
    if node.reduce == "nearest":
        extra = [node.default] if node.default is not None else []
        return Categorical([*values, *extra])
    sums = reachable_sums(values, domain.n_positions)
    if node.reduce == "sum":
        return Numerical(set().union(*sums))
    means = {Fraction(s) / c for c in range(1, len(sums)) for s in sums[c]}
    return Numerical([*means, node.default if node.default is not None else 0])


@infer_type.register
def _(node: Readout, types, domain):
    return node.type  # the classes are declared, not inferred
