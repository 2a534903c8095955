"""A small API for building programs in Python; types are inferred as nodes are added."""

from __future__ import annotations

from typing import Callable, Iterable

import attrs

from .infer import infer_type
from .names import FreshNames
from .nodes import (
    Aggregate,
    Constant,
    Indices,
    Map,
    Ones,
    Readout,
    Select,
    SelectAnd,
    SelectNot,
    SelectOr,
    SelectorWidth,
    SequenceMap,
    Tokens,
)
from .program import Program, validate
from .tables import Predicate, Table
from .types import SELECTOR, Categorical, Domain, Numerical, same_kind


class Builder:
    """Adds nodes one at a time and returns their names, which later calls take as inputs.

    >>> b = Builder(Domain(vocab="abc", max_len=5))
    >>> flip = b.select(b.indices(), b.indices(), "==")
    """

    def __init__(self, domain: Domain, infer: Callable = infer_type):
        """`infer(node, types, domain)` gives each node's type (tpc.frontend's one-input
        translation gives the values a node takes on that input instead)."""
        self.domain = domain
        self.infer = infer
        self.nodes: list = []
        self.types: dict = {}
        self.outputs: dict[str, str] = {}
        self._names = FreshNames(live=self.types, numbered=True)

    def _name(self, name: str | None, stem: str) -> str:
        if name is None:
            name = self._names.fresh(stem)
        if name in self.types:
            raise ValueError(f"a node is already named {name!r}")
        return name

    def _add(self, cls, name: str, kind: str | None = None, **fields) -> str:
        # Infer with a placeholder type of the right kind, then store the inferred one.
        placeholder = SELECTOR if kind is None else same_kind(kind, [])
        node = cls(name=name, type=placeholder, **fields)
        return self._append(
            cls(name=name, type=self.infer(node, self.types, self.domain), **fields)
        )

    def _append(self, node) -> str:
        self.nodes.append(node)
        self.types[node.name] = node.type
        return node.name

    def rename_last(self, name: str) -> str:
        """Give the node added last the new `name`; returns it. Only the caller knows that nothing
        reads the node yet (no node can: nodes come in topological order; outputs might)."""
        old = self.nodes[-1]
        if name != old.name and name in self.types:
            raise ValueError(f"a node is already named {name!r}")
        self.nodes.pop()
        del self.types[old.name]
        return self._append(attrs.evolve(old, name=name))

    def type_of(self, name: str):
        return self.types[name]

    # inputs
    def tokens(self) -> str:
        return "tokens" if "tokens" in self.types else self._add(Tokens, "tokens", "categorical")

    def indices(self) -> str:
        return (
            "indices" if "indices" in self.types else self._add(Indices, "indices", "categorical")
        )

    def ones(self) -> str:
        return "ones" if "ones" in self.types else self._add(Ones, "ones", "numerical")

    def constant(self, value, kind: str = "categorical", name: str | None = None) -> str:
        return self._add(Constant, self._name(name, "constant"), kind, value=value)

    # maps
    def map(
        self, fn: Callable | Table, x: str, kind: str = "categorical", name: str | None = None
    ) -> str:
        table = fn if isinstance(fn, Table) else Table.build(fn, self.types[x].values)
        return self._add(Map, self._name(name, "map"), kind, x=x, table=table)

    def sequence_map(
        self,
        fn: Callable | Table,
        x: str,
        y: str,
        kind: str = "categorical",
        name: str | None = None,
    ) -> str:
        if isinstance(fn, Table):
            table = fn
        else:
            table = Table.build(fn, self.types[x].values, self.types[y].values)
        return self._add(SequenceMap, self._name(name, "sequence_map"), kind, x=x, y=y, table=table)

    # selectors
    def select(
        self,
        keys: str,
        queries: str,
        predicate: str | Callable | Predicate,
        name: str | None = None,
    ) -> str:
        """`predicate`: a comparison name (key OP query), a function (key, query) -> bool, or a
        Predicate."""
        if isinstance(predicate, str):
            predicate = Predicate.comparison(predicate)
        elif not isinstance(predicate, Predicate):
            qv, kv = self.types[queries].values, self.types[keys].values
            predicate = Predicate([(q, k) for q in qv for k in kv if predicate(k, q)])
        return self._add(
            Select, self._name(name, "select"), keys=keys, queries=queries, predicate=predicate
        )

    def select_and(self, a: str, b: str, name: str | None = None) -> str:
        return self._add(SelectAnd, self._name(name, "select_and"), a=a, b=b)

    def select_or(self, a: str, b: str, name: str | None = None) -> str:
        return self._add(SelectOr, self._name(name, "select_or"), a=a, b=b)

    def select_not(self, a: str, name: str | None = None) -> str:
        return self._add(SelectNot, self._name(name, "select_not"), a=a)

    # attention
    def aggregate(
        self,
        selector: str,
        values: str,
        reduce: str | None = None,
        default=None,
        name: str | None = None,
    ) -> str:
        """`reduce` defaults to nearest for categorical values and mean for numerical ones."""
        kind = self.types[values].kind
        reduce = reduce or ("nearest" if kind == "categorical" else "mean")
        return self._add(
            Aggregate,
            self._name(name, "aggregate"),
            kind,
            selector=selector,
            values=values,
            reduce=reduce,
            default=default,
        )

    def selector_width(self, selector: str, name: str | None = None) -> str:
        return self._add(
            SelectorWidth, self._name(name, "selector_width"), "categorical", selector=selector
        )

    def readout(
        self,
        terms: Iterable[str],
        scores: Iterable[Table],
        bias: Iterable[float],
        classes: Iterable,
        name: str | None = None,
        pooled: bool = False,
    ) -> str:
        return self._append(
            Readout(
                name=self._name(name, "readout"),
                type=Categorical(classes),
                terms=tuple(terms),
                scores=tuple(scores),
                bias=tuple(map(float, bias)),
                classes=tuple(classes),
                pooled=pooled,
            )
        )

    # outputs
    def output(self, name: str, node: str) -> None:
        self.outputs[name] = node

    def build(self, **meta) -> Program:
        return validate(Program(self.nodes, self.outputs, self.domain, meta))


__all__ = ["Builder", "Categorical", "Numerical"]
