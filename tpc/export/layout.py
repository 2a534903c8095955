"""Where each program variable lives in an export's residual stream.

The stream is the Transformer Program's own: a concatenation of variables, never a sum. A
categorical variable is one-hot over its values; `ones` is one dimension holding 1. A
variable that some categorical head reads as its *key* gets a second one-hot block, its BOS
slot, holding its value at position 0 only (the normal block is zero there): a softmax score
is bilinear in query and key, and the hard head's rule "BOS when nothing matches" needs
position 0's key to score differently when it does not match (see `heads`). `positions`
needs no BOS slot (its value 0 occurs only at position 0, and its dimension 0 is the
"is BOS" indicator the MLPs read), nor does a one-hot `tokens` (the BOS token occurs only at
position 0: an export's input always starts with BOS and holds it nowhere else).
"""

from __future__ import annotations

import attrs

from tpc.model.discrete import DiscreteProgram


@attrs.frozen
class Place:
    """A variable's dimensions: `start`..`start + width` (categorical: one per value; the
    numerical `ones`: one), and its BOS slot's, when it has one."""

    name: str
    kind: str  # "categorical" or "numerical"
    width: int
    start: int
    bos_start: int | None = None

    def dims(self, value: int = 0) -> list[int]:
        """Every dimension that holds `value` (normal and BOS slot): what a reader sums."""
        return [self.start + value] + ([] if self.bos_start is None else [self.bos_start + value])


@attrs.frozen
class Layout:
    places: dict[str, Place]
    d_model: int

    def __getitem__(self, name: str) -> Place:
        return self.places[name]

    @property
    def is_bos(self) -> int:
        """The dimension that is 1 at position 0 and 0 elsewhere (positions = 0)."""
        return self.places["positions"].start


def key_variables(dp: DiscreteProgram) -> set[str]:
    """The variables some categorical head reads as keys."""
    return {h.key for h in dp.cat_heads}


def needs_bos_slot(dp: DiscreteProgram, name: str) -> bool:
    if name == "positions" or (name == "tokens" and "tokens" in dp.embedding):
        return False
    return name in key_variables(dp)


def layout(dp: DiscreteProgram) -> Layout:
    """Variables in the model's residual order, each followed by its BOS slot if any."""
    places, at = {}, 0
    for v in dp.variables:
        width = v.width if v.kind == "categorical" else 1
        start, at = at, at + width
        bos = None
        if v.kind == "categorical" and needs_bos_slot(dp, v.name):
            bos, at = at, at + width
        places[v.name] = Place(v.name, v.kind, width, start, bos)
    return Layout(places, at)
