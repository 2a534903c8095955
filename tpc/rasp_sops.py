"""tracr's s-ops that read s-ops (`tpc.rasp`): the primitives `tokens`, `indices` and
`length`, Maps (a Map of a Map is one Map), SequenceMaps, constants, and the operators that
build them (`s + 1`, `s == t` with a constant, `~s`)."""

from __future__ import annotations

from typing import Callable, Sequence

from tpc.rasp_expr import RASPExpr, Value


def _lift(op: Callable[[Value, Value], Value], flip: bool = False):
    """An operator method: SequenceMap with another s-op, Map with a constant."""

    def method(self, other):
        if isinstance(other, SOp):
            return SequenceMap(op, other, self) if flip else SequenceMap(op, self, other)
        return Map((lambda x: op(other, x)) if flip else (lambda x: op(x, other)), self)

    return method


class SOp(RASPExpr):
    """A sequence operation: one value per position."""

    _default_name = "sop"
    _has_encoding = True

    # Comparisons with constants are Maps, as in tracr (so `==` does not compare s-ops).
    def __eq__(self, other):  # type: ignore[override]
        return Map(lambda x: x == other, self)

    def __ne__(self, other):  # type: ignore[override]
        return Map(lambda x: x != other, self)

    def __lt__(self, other):
        return Map(lambda x: x < other, self)

    def __le__(self, other):
        return Map(lambda x: x <= other, self)

    def __gt__(self, other):
        return Map(lambda x: x > other, self)

    def __ge__(self, other):
        return Map(lambda x: x >= other, self)

    __hash__ = RASPExpr.__hash__
    __add__ = _lift(lambda x, y: x + y)
    __radd__ = _lift(lambda x, y: x + y, flip=True)
    __sub__ = _lift(lambda x, y: x - y)
    __rsub__ = _lift(lambda x, y: x - y, flip=True)
    __mul__ = _lift(lambda x, y: x * y)
    __rmul__ = _lift(lambda x, y: x * y, flip=True)
    __truediv__ = _lift(lambda x, y: x / y)
    __rtruediv__ = _lift(lambda x, y: x / y, flip=True)
    __and__ = _lift(lambda x, y: x and y)
    __rand__ = _lift(lambda x, y: x and y, flip=True)
    __or__ = _lift(lambda x, y: x or y)

    def __ror__(self, other):
        # tracr's `other | s` with a constant computes `s or other` (kept for equal results).
        if isinstance(other, SOp):
            return SequenceMap(lambda x, y: x or y, other, self)
        return Map(lambda x: x or other, self)

    def __invert__(self):
        return Map(lambda x: not x, self)


class TokensType(SOp):
    """The input tokens."""

    _default_name = "tokens"
    label = "tokens"

    def __repr__(self):
        return "tokens"


class IndicesType(SOp):
    """The position of each token, from 0."""

    _default_name = "indices"
    label = "indices"

    def __repr__(self):
        return "indices"


class LengthType(SOp):
    """The input's length at every position."""

    _default_name = "length"
    label = "length"

    def __repr__(self):
        return "length"


tokens = TokensType()
indices = IndicesType()
length = LengthType()


class Map(SOp):
    """`f` applied at every position; with `simplify`, a Map of a Map is one Map of the
    composed functions (and loses the inner Map's annotations, as in tracr)."""

    _default_name = "map"

    def __init__(self, f: Callable[[Value], Value], inner: SOp, simplify: bool = True):
        super().__init__()
        if not isinstance(inner, SOp) or not callable(f) or isinstance(f, RASPExpr):
            raise TypeError("Map(f, inner) takes a function and an SOp")
        if simplify and isinstance(inner, Map):
            first, second = inner.f, f
            f, inner = (lambda x: second(first(x))), inner.inner
        self.f, self.inner = f, inner

    @property
    def children(self):
        return [self.inner]


class SequenceMap(SOp):
    """`f(fst, snd)` at every position."""

    _default_name = "sequence_map"

    def __init__(self, f: Callable[[Value, Value], Value], fst: SOp, snd: SOp):
        super().__init__()
        if not (isinstance(fst, SOp) and isinstance(snd, SOp)) or not callable(f):
            raise TypeError("SequenceMap(f, fst, snd) takes a function and two SOps")
        self.f, self.fst, self.snd = f, fst, snd

    @property
    def children(self):
        return [self.fst, self.snd]


class LinearSequenceMap(SequenceMap):
    """`fst_fac * fst + snd_fac * snd` at every position."""

    _default_name = "linear_sequence_map"

    def __init__(self, fst: SOp, snd: SOp, fst_fac: float, snd_fac: float):
        super().__init__(lambda x, y: fst_fac * x + snd_fac * y, fst, snd)
        self.fst_fac, self.snd_fac = fst_fac, snd_fac


class Full(SOp):
    """`fill` at every position."""

    _default_name = "full"

    def __init__(self, fill: Value):
        super().__init__()
        self.fill = fill


class ConstantSOp(SOp):
    """A fixed list of values (its length must be the input's when `check_length`)."""

    _default_name = "constant_sop"

    def __init__(self, value: Sequence[Value], check_length: bool = True):
        super().__init__()
        self.value, self.check_length = value, check_length


def sop_not(sop: SOp) -> SOp:
    return Map(lambda x: not x, sop)
