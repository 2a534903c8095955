"""Types of IR nodes and the domain programs run on.

An s-op's type is the exact finite set of values it can take: `Categorical` values are
one-hot in a model, `Numerical` values are scalars. Selectors have `SelectorType`.
"""

from __future__ import annotations

from attrs import field, frozen

from .values import is_number, sort_key, value_set, values_key


@frozen
class Categorical:
    values: tuple = field(converter=value_set, eq=values_key)

    kind = "categorical"

    def __len__(self) -> int:
        return len(self.values)


@frozen
class Numerical:
    values: tuple = field(converter=value_set, eq=values_key)

    kind = "numerical"

    def __attrs_post_init__(self):
        bad = [v for v in self.values if not is_number(v)]
        if bad:
            raise TypeError(f"numerical type with non-numbers: {bad[:3]!r}")

    def __len__(self) -> int:
        return len(self.values)


@frozen
class SelectorType:
    kind = "selector"


SELECTOR = SelectorType()
SOpType = Categorical | Numerical
Type = Categorical | Numerical | SelectorType


def same_kind(kind: str, values) -> SOpType:
    """A type of the given kind ("categorical" or "numerical") over `values`."""
    return Numerical(values) if kind == "numerical" else Categorical(values)


def contains(outer: Type, inner: Type) -> bool:
    """True when `outer` has the kind of `inner` and at least its values."""
    if outer.kind != inner.kind:
        return False
    if outer.kind == "selector":
        return True
    return set(map(sort_key, inner.values)) <= set(map(sort_key, outer.values))


BOS = "<s>"  # the beginning-of-sequence token every model and lifted program reads first
DEFAULT_MAX_LEN = 8  # the longest input of RASP source when neither the caller nor the file says


@frozen
class Domain:
    """What inputs a program accepts.

    `vocab`: tokens that may follow BOS. `max_len`: the longest sequence `run` accepts.
    `implicit_bos`: callers pass tokens without BOS (RASP programs); BOS is prepended and
    its output hidden. Otherwise (lifted models) callers pass `bos` first and see every
    position. `causal`: a key is visible to a query only at or before it. `unk` (text
    models): a token outside `vocab` reads as this one, as the model's vocabulary maps words.
    """

    vocab: tuple = field(converter=value_set)
    max_len: int
    causal: bool = False
    implicit_bos: bool = True
    bos: str = BOS
    unk: str | None = None

    def __attrs_post_init__(self):
        if self.max_len < 0:
            raise ValueError("max_len must be >= 0")
        if self.bos in self.vocab:
            raise ValueError(f"the vocabulary may not contain the BOS token {self.bos!r}")
        if self.unk is not None and self.unk not in self.vocab:
            raise ValueError(f"the unknown-word token {self.unk!r} is not in the vocabulary")

    @property
    def n_positions(self) -> int:
        """Most positions a sequence has, BOS included."""
        return self.max_len + (1 if self.implicit_bos else 0)

    @property
    def token_values(self) -> tuple:
        """Every value the `tokens` input takes, BOS included."""
        return value_set((*self.vocab, self.bos))
