"""The base of tracr's RASP expressions (`tpc.rasp`): annotations (a name, an encoding), ids and
labels, and the numerical / categorical annotations with their queries."""

from __future__ import annotations

import copy
import enum
import functools
import itertools
from typing import Any, Sequence

Value = Any  # None, bool, int, float or str (or anything a Map returns)

_NAME, _ENCODING = "name", "encoding"


class Encoding(enum.Enum):
    """How an s-op is held in the residual stream; only numbers may be numerical."""

    CATEGORICAL = "categorical"
    NUMERICAL = "numerical"


class RASPExpr:
    """An s-op or a selector: annotations (name, encoding), children, a unique id."""

    _ids = itertools.count(1)
    _default_name = "expr"
    _has_encoding = False  # s-ops have one (categorical unless annotated)

    def __init__(self):
        self._annotations: dict = {}

    @property
    def annotations(self) -> dict:
        """The annotations, with the defaults (name, encoding) filled in."""
        out = dict(self._annotations)
        out.setdefault(_NAME, self._default_name)
        if self._has_encoding:
            out.setdefault(_ENCODING, Encoding.CATEGORICAL)
        return out

    @annotations.setter
    def annotations(self, annotations) -> None:
        self._annotations = dict(annotations)

    @property
    def name(self) -> str:
        return self.annotations[_NAME]

    @property
    def children(self) -> list:
        return []

    @functools.cached_property
    def unique_id(self) -> int:
        return next(self._ids)

    def copy(self):
        """A shallow copy (a new id unless this one's was already taken)."""
        return copy.copy(self)

    @property
    def label(self) -> str:
        return f"{self.name}_{self.unique_id}"

    def named(self, name: str):
        return annotate(self, name=name)

    def annotated(self, **annotations):
        return annotate(self, **annotations)

    def __call__(self, xs: Sequence[Value]):
        from tpc.rasp_eval import evaluate

        return evaluate(self, xs)


def annotate(expr, **annotations):
    """A copy of `expr` with `annotations` added (replacing those of the same key)."""
    new = expr.copy()
    new._annotations = {**expr._annotations, **annotations}
    return new


def numerical(sop):
    return annotate(sop, encoding=Encoding.NUMERICAL)


def categorical(sop):
    return annotate(sop, encoding=Encoding.CATEGORICAL)


def get_encoding(sop) -> Encoding:
    return sop.annotations[_ENCODING]


def is_numerical(sop) -> bool:
    return get_encoding(sop) == Encoding.NUMERICAL


def is_categorical(sop) -> bool:
    return get_encoding(sop) == Encoding.CATEGORICAL
