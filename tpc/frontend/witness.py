"""Translating a RASP program for one input (`tpc run`): every node is evaluated on that input
as it is built, and its type is the set of values it takes there, not every value the domain
allows. Element-wise tables then hold the rows the input reaches (at most one per position),
so nothing grows with the square of the input's length but the [query, key] selector arrays
the interpreter evaluates anyway. The nodes are the ones `rasp_to_ir` builds, restricted to
the input's values; a run reads its outputs here, not from a Program (whose tables must be
total over the domain, so such nodes do not make one)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from tpc.interp import Interpreter
from tpc.ir import Aggregate, Domain, Numerical, SequenceMap, infer_type, same_kind, value_key


class Witness:
    """One input (without BOS for implicit-BOS domains) evaluated node by node; `nodes` is the
    builder's list, evaluated lazily, in order, when a value is asked for."""

    def __init__(self, domain: Domain, tokens: list):
        self.interp = Interpreter(None, domain)
        self.batch = self.interp.start(*self.interp.encode([tokens]))
        self.nodes: list = []
        self._exact: dict = {}  # sum / mean aggregate -> its exact value at each position

    def type_of(self, node, types: dict, domain: Domain):
        """`node`'s type: the values it takes on the input where inference would give more."""
        if isinstance(
            node, SequenceMap
        ):  # its table lists the pairs that occur (fusion.materialize)
            return same_kind(node.type.kind, node.table.outputs())
        if isinstance(node, Aggregate) and node.reduce != "nearest":
            self._exact[node.name] = self._exact_totals(node, self.evaluated())
            return Numerical(self._exact[node.name])
        return infer_type(node, types, domain)

    def _exact_totals(self, node: Aggregate, env: dict) -> list:
        """The sum or mean at each position in exact arithmetic: numerators over the values'
        common denominator, summed as integers (int64 when they cannot overflow)."""
        selected = env[node.selector][0]
        values = self.interp.types[node.values].values
        scale = math.lcm(*(Fraction(v).denominator for v in values))
        numerators = [int(v * scale) for v in values]
        at = env[node.values][0]
        if max(map(abs, numerators), default=0) * len(at) < 2**62:
            totals = (selected.astype(np.int64) @ np.array(numerators, dtype=np.int64)[at]).tolist()
        else:
            totals = (selected.astype(object) @ np.array(numerators, dtype=object)[at]).tolist()
        if node.reduce == "sum":
            return [Fraction(t, scale) for t in totals]
        default = node.default if node.default is not None else 0
        return [
            Fraction(t, scale * c) if c else default
            for t, c in zip(totals, selected.sum(-1).tolist())
        ]

    def evaluated(self) -> dict:
        """Every node's values so far (as `Interpreter.evaluate` gives them, batch of one)."""
        env = self.batch.env
        for node in self.nodes:
            if node.name in env:
                continue
            self.interp.add(node)
            if (
                isinstance(node, Aggregate) and node.reduce != "nearest"
            ):  # exact, not snapped from floats
                exact = self._exact.pop(node.name, None) or self._exact_totals(node, env)
                index = {v: i for i, v in enumerate(node.type.values)}
                env[node.name] = np.array([[index[v] for v in exact]], dtype=np.int64)
            else:
                env[node.name] = self.interp.visit(node, self.batch)
        return env

    def values(self, name: str) -> list:
        """The values of node `name` at each position of the input, BOS included."""
        at = self.evaluated()[name][0].tolist()
        values = self.interp.types[name].values
        return [values[i] for i in at]

    def pairs(self, x: str, y: str) -> list:
        """The (x value, y value) pairs occurring at some position, in order of first occurrence."""
        return list(
            {
                (value_key(a), value_key(b)): (a, b) for a, b in zip(self.values(x), self.values(y))
            }.values()
        )
