"""The readout refit (prune at -O2): whole-number scores that decide every input alike."""

import subprocess
import sys

import hypothesis.strategies as st
from hypothesis import given
from tpc.passes import PASSES
from tpc.passes.domain import domain_inputs

from tpc.interp import Interpreter
from tpc.ir import Builder, Domain, Predicate, Readout, Table


@st.composite
def readout_programs(draw):
    """A readout of 3 to 5 terms (tokens, positions, heads, a count; a term may repeat) with
    small scores that tie, and float32 near-ties whose rounding decides the class."""
    domain = Domain(
        vocab=draw(st.sampled_from(["ab", "abc"])),
        max_len=draw(st.integers(2, 4)),
        implicit_bos=False,
    )
    b = Builder(domain)
    t, i = b.tokens(), b.indices()
    sops = [t, i]
    for _ in range(draw(st.integers(0, 2))):
        k, q, v = (draw(st.sampled_from([t, i])) for _ in range(3))
        pairs = draw(
            st.sets(
                st.tuples(
                    st.sampled_from(b.type_of(q).values), st.sampled_from(b.type_of(k).values)
                )
            )
        )
        sops.append(b.aggregate(b.select(k, q, Predicate(pairs)), v, "nearest"))
    if draw(st.booleans()):
        sops.append(b.aggregate(b.select(t, t, "=="), b.ones(), "sum"))
    terms = draw(st.lists(st.sampled_from(sops), min_size=3, max_size=5))
    classes = draw(
        st.lists(st.sampled_from(["p", "q", "r", "s"]), min_size=2, max_size=4, unique=True)
    )
    score = st.one_of(
        st.integers(-4, 4).map(float), st.sampled_from([0.5, 2.0**-24, 1.0 + 2.0**-23])
    )
    scores = [
        Table([(v, tuple(draw(score) for _ in classes)) for v in b.type_of(term).values])
        for term in terms
    ]
    b.output("label", b.readout(terms, scores, [draw(score) for _ in classes], classes))
    return b.build()


@given(readout_programs())
def test_pruning_with_refit_keeps_every_input_of_the_domain(program):
    after = PASSES["prune"](program)
    assert PASSES["prune"](program) == after  # the same scores on every run
    seqs = [list(s) for batch in domain_inputs(program.domain) for s in batch]
    assert Interpreter(after).run(seqs) == Interpreter(program).run(seqs)
    node = after[after.output_map["label"]]
    if isinstance(node, Readout) and any("refit" in note for _, note in after.meta):
        numbers = [
            *node.bias,
            *(x for table in node.scores for row in table.outputs() for x in row),
        ]
        assert all(float(x).is_integer() for x in numbers)


def test_the_solver_writes_nothing_to_stdout():
    """HiGHS prints a banner on file descriptor 1 when its first model is made: it must not
    reach `tpc lift -O2 --to json`'s standard output."""
    code = (
        "from tpc.passes.refit import _Layout, _LinearProgram\n"
        "print(abs(_LinearProgram(_Layout((), (), (), (), 2)).solve()).tolist())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "[0.0, 0.0]\n"


def test_rows_added_twice_add_no_constraint():
    """A row the program already holds adds nothing (an empty row would read 0 <= -1)."""
    import numpy as np
    from tpc.passes.refit import _Layout, _LinearProgram

    lp = _LinearProgram(_Layout((), (), (), (), 2))  # the bias alone; class 0 must win
    rows, want = np.zeros((1, 0), dtype=np.int64), np.array([0])
    lp.add_rows(rows, want, np.array([0]))
    lp.add_rows(rows, want, np.array([0]))
    bias = lp.solve()
    assert bias is not None and bias[0] - bias[1] >= 1 - 1e-9
