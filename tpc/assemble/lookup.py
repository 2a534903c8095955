"""Exact lookup MLPs: categorical inputs -> an output index, and a number -> a class.

Both return `Unit`s whose `inputs` are columns of the MLP's input, its reads' widths laid end
to end (a numerical read is one column).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

from tpc.assemble.layout import Unit


def cat_lookup(sizes_values: list[list[int]], fn) -> tuple[list, dict]:
    """A categorical MLP computing `fn(i1, .., im)` (an output index) on every reachable tuple.

    Returns (units, out_bias): a unit is (input conditions [(slot, index)], bias,
    {output index: weight}). A unit fires with value 1 exactly when all its conditions hold
    (weights +1 on those one-hot dims, bias -(conditions - 1)) and 0 or less otherwise.
    Construction: a default class (bias 0.5); for a pivot slot, one unit per pivot value whose
    most common output is not the default (+1 to it); one unit per remaining exception tuple
    (+2). With two inputs, also one unit per rectangle of one output (`_row_units`), or four
    per output of a threshold table (`_interval_units`); the fewest units win. The correct
    output always wins by at least 0.5.
    """
    combos = list(itertools.product(*sizes_values))
    outs = {c: fn(*c) for c in combos}
    counts: dict = {}
    for o in outs.values():
        counts[o] = counts.get(o, 0) + 1
    default = max(counts, key=lambda o: (counts[o], -o))
    best = None
    for pivot in range(len(sizes_values)):
        units = []
        rows: dict = {}
        for c, o in outs.items():
            rows.setdefault(c[pivot], []).append(o)
        effective = {}
        for a, os_ in rows.items():
            cnt: dict = {}
            for o in os_:
                cnt[o] = cnt.get(o, 0) + 1
            mode = max(cnt, key=lambda o: (cnt[o], o == default, -o))
            effective[a] = mode
            if mode != default and len(sizes_values) > 1:
                units.append(([(pivot, a)], 0.0, {mode: 1.0}))
        for c, o in outs.items():
            eff = effective[c[pivot]] if len(sizes_values) > 1 else default
            if o != eff:
                units.append(([(s, c[s]) for s in range(len(c))], -(len(c) - 1.0), {o: 2.0}))
        if best is None or len(units) < len(best):
            best = units
    if len(sizes_values) == 2:
        for pivot in (0, 1):
            for units in (
                _row_units(outs, pivot, default),
                _interval_units(outs, pivot, default, sizes_values),
            ):
                if units is not None and len(units) < len(best):
                    best = units
    return best, {default: 0.5}


def _interval_units(outs: dict, pivot: int, default: int, sizes_values) -> list | None:
    """Two inputs where, for every pivot value a and output o, the other input's values giving
    o are one run [lo, hi) of its values in index order (a threshold table, as comparisons of
    two counts give): four units per output, whatever the number of rows. With r the other
    input's rank and lo, hi read off the pivot's one-hot, relu(r - lo + 1) - relu(r - lo) is
    exactly 1[r >= lo] (integers), so u1 - u2 - u3 + u4 = 1[lo <= r < hi]; None otherwise."""
    other = 1 - pivot
    rank = {b: r for r, b in enumerate(sorted(sizes_values[other]))}
    spans: dict = {}  # (o, a) -> ranks of the other input giving o in row a
    for c, o in outs.items():
        if o != default:
            spans.setdefault(o, {}).setdefault(c[pivot], []).append(rank[c[other]])
    units = []
    for o, rows in spans.items():
        bounds = {}
        for a, rs in rows.items():
            if max(rs) - min(rs) + 1 != len(rs):
                return None  # not one run
            bounds[a] = (min(rs), max(rs) + 1)
        for edge, sign in ((0, 1.0), (1, -1.0)):
            # other's rank minus the pivot row's edge; rows without o have lo == hi == 0 (cancel)
            conds = [(other, b, float(r)) for b, r in rank.items() if r] + [
                (pivot, a, -float(bounds[a][edge]))
                for a in sizes_values[pivot]
                if a in bounds and bounds[a][edge]
            ]
            units.append((conds, 1.0, {o: sign}))
            units.append((conds, 0.0, {o: -sign}))
    return units


def _row_units(outs: dict, pivot: int, default: int) -> list:
    """Two inputs: one unit per output o != default and set B of other-input values, firing
    when the pivot is any value a whose o-values are exactly B, and the other input is in B
    (weights +1 on those a's and b's dims, bias -1: 1 exactly when both hold, else 0 or less;
    the rectangles are disjoint, one output per input pair)."""
    other = 1 - pivot
    sets: dict = {}
    for c, o in outs.items():
        if o != default:
            sets.setdefault((c[pivot], o), []).append(c[other])
    rows: dict = {}  # (o, B) -> the pivot values with that B
    for (a, o), bs in sets.items():
        rows.setdefault((o, tuple(sorted(bs))), []).append(a)
    return [
        ([(pivot, a) for a in as_] + [(other, b) for b in bs], -1.0, {o: 1.0})
        for (o, bs), as_ in rows.items()
    ]


def cat_units(widths: list[int], reach: list[list[int]], fn) -> tuple[list[Unit], dict]:
    """`cat_lookup` as Units and an output bias, for reads of these one-hot widths."""
    units, bias = cat_lookup(reach, fn)
    offsets = list(itertools.accumulate([0, *widths]))
    # a condition (slot, index) has weight 1; (slot, index, weight) says its own
    return [
        Unit({offsets[c[0]] + c[1]: (c[2] if len(c) == 3 else 1.0) for c in conds}, b, outs)
        for conds, b, outs in units
    ], bias


# float32's relative rounding error, with room: the lines' logits are computed in a handful of
# float32 operations (input layer, ReLU, output layer, log-softmax).
_F32_SLACK = 8 * 2.0**-24


def num_lookup(values: list[Fraction], cls: dict) -> tuple[list, dict]:
    """A numerical MLP (input slot 0) mapping each exact value `v` to class `cls[v]`: one
    hidden unit and a line per class when `_lines` can (2 + 2 * classes parameters), else a
    staircase (`_staircase`, about 2 * classes**2)."""
    return _lines(sorted(values), cls) or _staircase(values, cls)


def _lines(vs: list[Fraction], cls: dict) -> tuple[list, dict] | None:
    """When each class's values are one run of neighbours: h = x - min + 1 (one ReLU unit)
    and class logits rank * h + beta, lines whose upper envelope switches class halfway
    between neighbouring values of different classes. The right class wins by at least half
    the smallest gap at a boundary (more for classes further away, the envelope being convex),
    so like the staircase it is robust to input error below a quarter gap; None when a class
    comes back after another, or float32 could not keep that margin at these magnitudes."""
    runs = [cls[vs[0]]]
    cuts = []  # h at each switch, halfway between the neighbours
    for lo, hi in zip(vs, vs[1:]):
        if cls[hi] != cls[lo]:
            runs.append(cls[hi])
            cuts.append((lo + hi) / 2 - vs[0] + 1)
    if len(set(runs)) != len(runs) or len(runs) < 2:
        return None
    beta = [Fraction(0)]
    for k, cut in enumerate(cuts):  # lines k and k+1 cross at h = cut
        beta.append(beta[k] - cut)
    gap = min(hi - lo for lo, hi in zip(vs, vs[1:]) if cls[hi] != cls[lo])
    biggest = max(
        abs(k * (v - vs[0] + 1) + beta[k]) + k * abs(v - vs[0] + 1)
        for v in (vs[0], vs[-1])
        for k in range(len(runs))
    )
    if gap / 8 <= _F32_SLACK * float(biggest):  # a quarter gap of input error, twice the rounding
        return None
    unit = (1.0, float(1 - vs[0]), {c: float(k) for k, c in enumerate(runs)})
    return [unit], {c: float(beta[k]) for k, c in enumerate(runs)}


def _staircase(values: list[Fraction], cls: dict) -> tuple[list, dict]:
    """A numerical MLP (input slot 0) mapping each exact value `v` to class `cls[v]`.

    A staircase: for each pair of neighbouring values with different classes, a ramp that is 0
    at or below the lower one (plus a quarter gap) and 1 at or above the upper one (minus a
    quarter gap), made of two ReLU units; the output adds +1 to the new class and -1 to the old
    one, so at every value the logits are exactly the one-hot of its class (robust to float
    error below a quarter of the smallest gap). Units are (w, b, {class: weight}).
    """
    vs = sorted(values)
    units = []
    bias = {cls[vs[0]]: 1.0}
    for lo, hi in zip(vs, vs[1:]):
        if cls[lo] == cls[hi]:
            continue
        gap = hi - lo
        a, b = lo + gap / 4, hi - gap / 4
        w = 1 / (b - a)
        units.append((float(w), float(-a * w), {cls[hi]: 1.0, cls[lo]: -1.0}))
        units.append((float(w), float(-b * w), {cls[hi]: -1.0, cls[lo]: 1.0}))
    return units, bias
