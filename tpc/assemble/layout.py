"""The model being laid out: its variables, and the heads and MLPs that compute them.

A module goes into the earliest layer its inputs allow: heads read variables of earlier
layers, MLPs also read the heads of their own layer.
"""

from __future__ import annotations

from fractions import Fraction

import attrs
import numpy as np

from tpc.errors import TpcError
from tpc.ir import Domain

PAD = "<pad>"


class CompileError(TpcError):
    """An IR construct the model cannot compute exactly."""


@attrs.define(eq=False)
class Var:
    kind: str  # "cat" | "num"
    producer: str  # "input" | "cat_head" | "num_head" | "cat_mlp" | "num_mlp"
    layer: int  # -1 for inputs
    values: list  # cat: reachable one-hot indices; num: reachable exact model values (Fractions)
    name: str | None = None  # model variable name, once allocated
    op: "Op | None" = None

    @property
    def width(self) -> int:
        return max(self.values) + 1 if self.kind == "cat" else 1


@attrs.frozen
class Unit:
    """One hidden ReLU unit of a lookup MLP."""

    inputs: dict  # input column (the reads' widths laid end to end) -> weight
    bias: float
    outputs: dict  # output index -> weight


@attrs.define(eq=False)
class Op:
    kind: str  # "cat_head" | "num_head" | "cat_mlp" | "num_mlp"
    layer: int
    reads: list  # Vars: heads [q, k, v]; MLPs the input slots
    out: Var
    table: np.ndarray | None = None  # heads: predicate [q index, k index] bool
    mean: bool = False  # numerical heads: average instead of sum
    units: list = attrs.field(factory=list)  # MLPs: the hidden Units
    out_bias: dict = attrs.field(factory=dict)  # MLPs: output index -> bias
    slot: int = -1  # index among the layer's modules of this kind, once built


def _available(var: Var, reader: str) -> int:
    """The first layer where a module of kind `reader` can read `var`."""
    if var.producer == "input":
        return 0
    if reader in ("cat_head", "num_head"):
        return var.layer + 1
    same = {"cat_mlp": "cat_head", "num_mlp": "num_head"}[reader]
    return var.layer if var.producer == same else var.layer + 1


class Layout:
    """The input variables of a domain and every module allocated so far."""

    def __init__(self, domain: Domain):
        self.n = domain.n_positions
        # token id -> IR value: PAD first, then the vocabulary, then BOS
        self.token_values = (PAD, *domain.vocab, domain.bos)
        self.bos_id = len(self.token_values) - 1
        self.tokens = Var("cat", "input", -1, list(range(1, len(self.token_values))), "tokens")
        self.positions = Var("cat", "input", -1, list(range(self.n)), "positions")
        self.ones = Var("num", "input", -1, [Fraction(1)], "ones")
        self.ops: list[Op] = []

    def add(self, kind: str, reads: list, out_kind: str, out_values: list, **kw) -> Var:
        """A new module of `kind` reading `reads`, in the earliest layer they allow: its output."""
        layer = max((_available(v, kind) for v in reads), default=0)
        out = Var(out_kind, kind, layer, out_values)
        op = Op(kind, layer, reads, out, **kw)
        out.op = op
        self.ops.append(op)
        return out

    def count_head(self, q: Var, k: Var, table: np.ndarray) -> Var:
        """A numerical head counting the keys that predicate `table` selects (0 .. n)."""
        return self.add(
            "num_head",
            [q, k, self.ones],
            "num",
            [Fraction(c) for c in range(self.n + 1)],
            table=table,
        )
