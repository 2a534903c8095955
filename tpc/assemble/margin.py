"""Readout margins: does the model's float32 readout pick the right class on every input?

The readout adds one contribution per variable to the class scores in float32, and the
numerical variables themselves carry the rounding of the heads that computed them. For each
reachable readout input we take the exact score margin between the right class and every
other class (exact arithmetic on the stored float32 weights, or on the ideal weights plus
their deviation), and a conservative bound on everything float32 can add to either score:

- each float32 add or multiply rounds by at most half an ulp, i.e. by at most u = 2^-24 of
  its result, and every partial sum is at most S = sum of the contributions' magnitudes, so
  k operations add at most k * u * S (a matmul in any order is bounded the same way; we
  double it);
- a numerical variable's float value is off by at most its `var_error`, times its weight.

A margin above the bound means no rounding can change the winner.
"""

from __future__ import annotations

import math
from fractions import Fraction

import attrs
import numpy as np

U = 2.0**-24  # float32 unit roundoff: round-to-nearest is off by at most U * |result|
EXACT_INT = 2**24  # float32 holds every integer below this exactly


@attrs.frozen
class CatReadout:
    """The output is one categorical variable: its index i must score class `expected[i]`."""

    var: str
    expected: dict  # reachable index -> class id


@attrs.frozen
class NumTerm:
    var: str
    coef: Fraction
    magnitude: float  # the largest |value| the variable takes
    error: float  # bound on |float value - exact value|


@attrs.frozen(eq=False)
class NumReadout:
    """The output is x = sum(coef * var) + const, every class is a value x takes, and class c
    scores slopes[c] * (x - const) plus its stored intercepts: the `ones` row and, with a
    `bucket` (Var, {class index: its row}), the row of the categorical variable that tells
    which group of classes x is in."""

    terms: tuple
    const: Fraction
    slopes: np.ndarray
    bucket: tuple | None = None


@attrs.frozen
class Margin:
    margin: float  # exact score margin of the right class over the runner-up, at the worst case
    bound: float  # bound on float32 error of that comparison
    case: str  # the input and the runner-up at the worst case

    @property
    def ok(self) -> bool:
        return self.margin > self.bound


def _name(var) -> str:
    return var if isinstance(var, str) else var.name


def var_error(var, n: int, cache: dict | None = None) -> float:
    """A bound on |float32 value - exact value| of numerical model variable `var` (n keys)."""
    cache = {} if cache is None else cache
    if var.producer == "input":
        return 0.0
    if id(var) in cache:
        return cache[id(var)]
    src = var.op.reads[2]
    e_in = var_error(src, n, cache)
    biggest = max((abs(float(v)) for v in src.values), default=0.0) + e_in
    if (
        e_in == 0
        and all(Fraction(v).denominator == 1 for v in src.values)
        and n * biggest < EXACT_INT
    ):
        err = 0.0  # integer sums below 2^24 are exact
    else:
        rep = max(abs(Fraction(float(np.float32(float(v)))) - Fraction(v)) for v in src.values)
        err = n * (e_in + float(rep)) + n * n * U * biggest  # n - 1 adds, each <= U * n * biggest
    if var.op.mean:
        err += U * (biggest + err)  # one division, of a sum whose error the count only shrinks
    cache[id(var)] = err
    return err


def rounds_once(var, n: int) -> bool:
    """Whether the model's float32 value of `var` is always its exact value rounded once:
    `ones`, and heads summing integers below 2^24 (a mean divides that exact sum once)."""
    if var.producer == "input":
        return True
    src = var.op.reads[2]
    return (
        var_error(src, n) == 0
        and all(Fraction(v).denominator == 1 for v in src.values)
        and n * max((abs(v) for v in src.values), default=0) < EXACT_INT
    )


def row_blocks(cfg) -> list[tuple[str, int, int]]:
    """(variable, first row, width) of each readout term's rows in the model's readout
    matrix, in the order the model adds them."""
    width = cfg.widths()
    blocks, row = [], 0
    for v in cfg.readout_order():
        blocks.append((v, row, width.get(v, 1)))
        row += width.get(v, 1)
    return blocks


def model_weights(model) -> dict:
    """Readout variable name -> its rows [width, classes] of a built model (float64 copies;
    the readouts this module analyses read each variable once)."""
    w = model.unembed.detach().double().numpy()
    return {v: w[row : row + n] for v, row, n in row_blocks(model.cfg)}


def readout_margin(weights: dict, classes, spec, key=_name) -> Margin | None:
    """The worst-case readout margin against its float32 error bound, for readout `weights`
    (variable key -> rows [width, classes], class 0 masked) whose class ids name `classes`;
    None when `spec` is None (scores the program declares, added in the program's order)."""
    if spec is None:
        return None
    weights = {k: w[:, 1:] for k, w in weights.items()}
    if isinstance(spec, CatReadout):
        return _cat_margin(weights, key, classes, spec)
    return _num_margin(weights, key, classes[1:], spec)


def compiled_margin(compiled) -> Margin | None:
    """The readout margin of a built model (`Compiled`), from its stored weights."""
    return readout_margin(model_weights(compiled.model), compiled.classes, compiled.readout)


def _cat_margin(weights, key, classes, spec: CatReadout) -> Margin:
    terms = len(weights)
    worst = Margin(math.inf, 0.0, "one class")
    for i, k in spec.expected.items():
        row = weights[key(spec.var)][i]
        if len(row) < 2:
            break
        others = np.delete(row, k - 1)
        j = int(np.argmax(others))
        margin = float(row[k - 1] - others[j])
        bound = 2 * (terms + 1) * U * float(np.abs(row).sum())
        if margin - bound < worst.margin - worst.bound:
            runner = j + 1 if j + 1 < k else j + 2
            worst = Margin(
                margin,
                bound,
                f"{key(spec.var)} = {i}: class {classes[k]!r} over {classes[runner]!r}",
            )
    return worst


def _num_margin(weights, key, classes, spec: NumReadout, chunk: int = 512) -> Margin:
    xs = np.array([float(c) - float(spec.const) for c in classes])
    s = spec.slopes
    ones = (
        weights[key_ones][0] if (key_ones := _ones_key(weights)) is not None else np.zeros_like(s)
    )
    # The model adds sum_t row_t[c] * value_t; row_t = s * coef_t up to float32 rounding.
    dev, var_err, size = np.zeros_like(s), np.zeros_like(s), np.zeros_like(s)
    for t in spec.terms:
        row = weights[key(t.var)][0]
        dev += np.abs(row - s * float(t.coef)) * t.magnitude
        var_err += np.abs(row) * t.error
        size += np.abs(row) * (t.magnitude + t.error)
    ops = 2 * len(spec.terms) + 4
    worst = Margin(math.inf, 0.0, "one class")
    if len(s) < 2:
        return worst
    for lo in range(0, len(xs), chunk):
        rows = np.arange(lo, min(lo + chunk, len(xs)))
        inter = np.broadcast_to(ones, (len(rows), len(s)))
        if spec.bucket is not None:
            var, row_of = spec.bucket
            inter = inter + weights[key(var)][[row_of[i] for i in rows]]
        score = s * xs[rows, None] + inter
        err = (
            dev
            + var_err
            + 2 * ops * U * (size + np.abs(inter))
            + 1e-14 * (1 + size + np.abs(inter))
        )
        own = score[np.arange(len(rows)), rows]
        gap = own[:, None] - score
        bound = err[np.arange(len(rows)), rows][:, None] + err
        slack = gap - bound
        slack[np.arange(len(rows)), rows] = np.inf
        i, c = np.unravel_index(int(np.argmin(slack)), slack.shape)
        if slack[i, c] < worst.margin - worst.bound:
            worst = Margin(
                float(gap[i, c]), float(bound[i, c]), f"value {classes[rows[i]]} over {classes[c]}"
            )
    return worst


def _ones_key(weights):
    return next((k for k in weights if _name(k) == "ones"), None)
