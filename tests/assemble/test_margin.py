"""Readout margins: compiled models keep every class apart in float32 at long lengths."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from tests.assemble.test_assemble import EXAMPLES, ROOT, vocab_for
from tpc.assemble import CompileError, assemble
from tpc.assemble.check import all_inputs, mismatches
from tpc.assemble.margin import NumReadout, NumTerm, compiled_margin, readout_margin
from tpc.frontend import rasp_file_to_ir

LENGTHS = (5, 8, 12, 16, 20, 24, 32)
# Programs whose size grows fast with the length: their long lengths are in the slow sweep.
LONGEST_FAST = {
    "dyck2": 8,
    "dyck1": 16,
    "most_freq": 16,
    "make_shuffle_dyck1": 12,
    "make_shuffle_dyck2": 12,
    "make_sort_freq": 16,
    "length": 20,
    "double_hist": 24,
}
# dyck2 has 47M parameters at length 24 (its selectors' product MLPs), past what a test
# machine should build; its readout is categorical (margin 1) at every length.
LONGEST = {"dyck2": 16}


def _cases(fast: bool):
    for path in EXAMPLES:
        for n in LENGTHS:
            if n > LONGEST.get(path.stem, 32):
                continue
            if (n <= LONGEST_FAST.get(path.stem, 32)) == fast:
                yield pytest.param(
                    path, n, id=f"{path.relative_to(ROOT / 'examples' / 'rasp')}@{n}"
                )


def _check_margin(path: Path, max_len: int) -> None:
    program = rasp_file_to_ir(path, vocab=vocab_for(path), max_len=max_len)
    try:
        compiled = assemble(program)
    except CompileError as err:  # a refusal must say what and at which length
        assert f"max length {max_len}" in str(err) and str(err).split(":")[0] in program.output_map
        return
    margin = compiled_margin(compiled)
    assert margin is not None and margin.margin > margin.bound > 0, margin


@pytest.mark.parametrize("path, max_len", list(_cases(fast=True)))
def test_readout_margins_above_float32_error(path, max_len):
    _check_margin(path, max_len)


@pytest.mark.slow
@pytest.mark.parametrize("path, max_len", list(_cases(fast=False)))
def test_readout_margins_above_float32_error_long(path, max_len):
    _check_margin(path, max_len)


def _nearest_class_readout(classes):
    """A single numerical variable x read as argmax_c 2*c*x - c^2, the classic readout."""
    cs = np.array([float(c) for c in classes])
    weights = {
        "x": np.float32(np.concatenate([[0.0], 2 * cs]))[None].astype(np.float64),
        "ones": np.float32(np.concatenate([[0.0], -cs * cs]))[None].astype(np.float64),
    }
    spec = NumReadout((NumTerm("x", Fraction(1), 1.0, 0.0),), Fraction(0), 2 * cs)
    return readout_margin(weights, ("<pad>", *classes), spec, key=lambda v: v)


def test_margin_analysis_flags_classes_closer_than_float32_resolution():
    """9/10 and 359/399 differ by 1/3990: their squared-distance scores differ by 6.3e-8,
    half an ulp at 1 (less still once the weights are rounded to float32), so the
    nearest-class readout cannot be trusted to tell them apart."""
    bad = _nearest_class_readout([Fraction(9, 10), Fraction(359, 399)])
    assert not bad.ok and 0 < bad.margin < 6.3e-8 < bad.bound
    good = _nearest_class_readout([Fraction(k, 10) for k in range(11)])
    assert good.ok and good.margin == pytest.approx(0.01, rel=1e-3)


@pytest.mark.parametrize("max_len", [20, 24])
def test_pair_balance_exact_at_long_lengths(max_len):
    """The reproduction of issue 16 item 7: at max length 20 the model answered 359/399
    where the program says 9/10."""
    program = rasp_file_to_ir(
        ROOT / "examples/rasp/tracr/make_pair_balance.rasp", vocab=["(", ")", "a"], max_len=max_len
    )
    compiled = assemble(program)
    seqs = all_inputs(program.domain, limit=1500, seed=max_len)
    seqs += [["("] * k + ["a"] for k in range(max_len - 1)] + [
        ["a"] * k + [")"] for k in range(max_len - 1)
    ]
    assert mismatches(compiled, seqs) == []
    assert compiled_margin(compiled).ok
