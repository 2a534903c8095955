"""Circuits by ablation: how much each head, MLP and readout term matters on a data set.

A module is ablated by replacing its output with its most frequent value on the data (the
categorical analogue of mean ablation): the node becomes a `Constant` of that value, typed
with that one value so every table downstream still applies. A readout term is ablated by
dropping it from the sum. Both are IR rewrites run by the plain interpreter.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import attrs
import numpy as np

from tpc.inspect.data import Examples
from tpc.inspect.trace import is_head, is_mlp
from tpc.interp import Interpreter
from tpc.ir import Constant, Program, Readout


class Unit(NamedTuple):
    """What one ablation removes: a head's or MLP's output node, or a readout's term."""

    module: str  # the model module (a lifted program's origin) or the node's name
    kind: str  # "head", "mlp" or "term"
    node: str
    term: int = -1  # the term's index in the readout


def units(program: Program) -> list[Unit]:
    """Every head and MLP (for a lifted model, the node each model module ends in), then every
    readout term."""
    origin = program.origin_map
    last: dict[str, str] = {}
    for node in program.nodes:
        if is_head(node) or is_mlp(node):
            last[origin.get(node.name, node.name)] = node.name
    found = [
        Unit(module, "head" if is_head(program[name]) else "mlp", name)
        for module, name in last.items()
    ]
    readout = program[program.output_map[program.main_output]]
    if isinstance(readout, Readout):
        for i, term in enumerate(readout.terms):
            label = (
                term
                if readout.terms.count(term) == 1
                else f"{term}#{readout.terms[: i + 1].count(term)}"
            )
            found.append(Unit(f"readout:{label}", "term", readout.name, i))
    return found


def ablated(program: Program, unit: Unit, value) -> Program:
    """`program` with `unit`'s output fixed at `value` (a head or MLP) or its term dropped."""
    node = program[unit.node]
    if unit.kind == "term":
        keep = [i for i in range(len(node.terms)) if i != unit.term]
        new = attrs.evolve(
            node,
            terms=tuple(node.terms[i] for i in keep),
            scores=tuple(node.scores[i] for i in keep),
        )
    else:
        new = Constant(name=node.name, type=type(node.type)((value,)), value=value)
    return program.evolve(nodes=tuple(new if n.name == node.name else n for n in program.nodes))


class Scorer:
    """Accuracy of programs over one set of examples: against its labels when it has them,
    else agreement with the intact program's output."""

    def __init__(self, program: Program, examples: Examples):
        self.program, self.output = program, program.output_map[program.main_output]
        interp = Interpreter(program)
        self.tokens, self.valid = interp.encode(examples.inputs)
        self.env = interp.evaluate(self.tokens, self.valid)
        start = 1 if program.domain.implicit_bos else 0
        self.scored = self.valid.copy()
        self.scored[:, :start] = False
        if examples.labels is not None:
            width = self.tokens.shape[1]
            padded = [
                [None] * start + list(y) + [None] * (width - start - len(y))
                for y in examples.labels
            ]
            self.want = np.array(
                [[None if v is None else str(v) for v in row] for row in padded], dtype=object
            )
            self.scored &= self.want != None  # noqa: E711 (elementwise)
        else:
            self.want = self._text(program, self.env[self.output])
        self.total = int(self.scored.sum())
        self.examples = len(examples.inputs)
        self.against = "labels" if examples.labels is not None else "intact program"

    def _text(self, program: Program, idx: np.ndarray) -> np.ndarray:
        values = np.array([str(v) for v in program[self.output].type.values], dtype=object)
        return values[idx]

    def accuracy(self, program: Program) -> float:
        out = Interpreter(program).evaluate(self.tokens, self.valid, [self.output])[self.output]
        right = (self._text(program, out) == self.want) & self.scored
        return int(right.sum()) / max(self.total, 1)

    def most_frequent(self, name: str):
        """The value `name` takes most often at the examples' positions (the first on ties)."""
        counts = np.bincount(
            self.env[name][self.valid], minlength=len(self.program[name].type.values)
        )
        return self.program[name].type.values[int(counts.argmax())]


def ablate(
    program: Program, scorer: Scorer, progress: Callable[[int], None] = lambda done: None
) -> dict:
    """Per unit: the accuracy with it ablated and the drop from the intact program's; the units
    whose ablation costs nothing, and the accuracy with all of those ablated at once."""
    baseline = scorer.accuracy(program)
    rows, removable = [], []
    for done, unit in enumerate(units(program), 1):
        value = None if unit.kind == "term" else scorer.most_frequent(unit.node)
        acc = scorer.accuracy(ablated(program, unit, value))
        rows.append(
            {
                "module": unit.module,
                "kind": unit.kind,
                "node": unit.node,
                "value": value,
                "accuracy": acc,
                "drop": baseline - acc,
            }
        )
        if acc >= baseline:
            removable.append((unit, value))
        progress(done)
    rows.sort(key=lambda r: (-r["drop"], r["module"]))
    together = program
    for unit, value in sorted(
        removable, key=lambda uv: -uv[0].term
    ):  # later terms first: indices hold
        together = ablated(together, unit, value)
    return {
        "examples": scorer.examples,
        "positions": scorer.total,
        "against": scorer.against,
        "accuracy": baseline,
        "modules": rows,
        "removable": [u.module for u, _ in removable],
        "removable_together_accuracy": scorer.accuracy(together),
    }
