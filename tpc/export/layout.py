"""Where things live in an export's residual stream, and the parts of one block.

The stream is the Transformer Program's own: a concatenation of variables, never a sum. A
categorical variable is one-hot over its values; `ones` is one dimension holding 1; a
numerical head's output is one-hot over the finite set of values it can take (so tables
and the readout read it exactly). Internal dimensions follow where a block needs them
(a key's value at position 0, "does position 0 match", a numerical head's softmax output).
A linear functional (`Linear`: dimension -> weight) is how a unit or head reads the stream.
"""

from __future__ import annotations

from fractions import Fraction

import attrs

Linear = dict  # dimension -> weight: a linear function of the residual stream
#: attention score units between levels: exp(-128) underflows to exactly 0 in float32
SCALE = 128.0


@attrs.frozen
class Place:
    """A variable's dimensions `start`..`start + len(values)`; `values[i]` is what dimension
    `start + i` stands for (categorical: the value index or token text; numerical: the
    number)."""

    name: str
    kind: str  # "categorical", "numerical" or "internal"
    start: int
    values: tuple
    #: one dimension holding the number itself (`values`: the numbers it can hold), not a
    #: one-hot: a numerical head that sums another numerical variable (`tpc.export.sums`)
    scalar: bool = False

    @property
    def width(self) -> int:
        return 1 if self.scalar else len(self.values)

    def dim(self, index: int) -> int:
        return self.start + index


class Stream:
    """Allocates residual dimensions in order."""

    def __init__(self):
        self.places: dict[str, Place] = {}
        self.size = 0

    def add(self, name: str, kind: str, values, scalar: bool = False) -> Place:
        place = Place(name, kind, self.size, tuple(values), scalar)
        self.places[name] = place
        self.size += place.width
        return place

    def __getitem__(self, name: str) -> Place:
        return self.places[name]

    @property
    def is_bos(self) -> int:
        """1 at position 0, else 0: `positions` = 0."""
        return self.places["positions"].start

    @property
    def ones(self) -> int:
        return self.places["ones"].start

    @property
    def is_pad(self) -> int:
        """1 at a pad token, else 0 (`tpc.export.padding`)."""
        return self.places["pad"].start


@attrs.define
class Head:
    """One softmax head: sparse W_Q, W_K, W_V ([d_model, d_head] as (row, col) -> weight)
    and W_O ((col, row) -> weight)."""

    name: str
    w_q: dict = attrs.Factory(dict)
    w_k: dict = attrs.Factory(dict)
    w_v: dict = attrs.Factory(dict)
    w_o: dict = attrs.Factory(dict)

    @property
    def d_head(self) -> int:
        cols = [c for _, c in (*self.w_q, *self.w_k, *self.w_v)] + [c for c, _ in self.w_o]
        return max(cols, default=-1) + 1


@attrs.frozen
class Unit:
    """One ReLU unit: relu(reads . x + bias), added to the stream through `writes`."""

    reads: Linear
    bias: float
    writes: Linear


@attrs.define(eq=False)
class Block:
    """One TransformerLens block: heads, then the MLP's units. `role` says why it exists.
    `attn_bias` and `mlp_bias` (dimension -> value) are the attention's b_O and the MLP's
    b_out: constants added to the stream (`tpc.export.sums` rounds with them)."""

    role: str
    heads: list[Head] = attrs.Factory(list)
    units: list[Unit] = attrs.Factory(list)
    attn_bias: Linear = attrs.Factory(dict)
    mlp_bias: Linear = attrs.Factory(dict)


def number(value) -> int | float | str:
    """A numerical value as JSON: an int, or a fraction's text."""
    value = Fraction(value)
    return int(value) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
