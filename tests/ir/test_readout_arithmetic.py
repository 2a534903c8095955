"""Readout scores are float32 numbers added term by term (tpc/ir/scores.py): the interpreter,
the naive evaluator, emitted Python and the models' hard mode all compute the same totals,
near-ties and terms read twice included."""

import torch
from tpc.passes import optimize

from tests.naive import naive_run
from tpc.backends.python import load_module, to_python
from tpc.frontend import rasp_to_ir
from tpc.interp import Interpreter
from tpc.ir import Builder, Domain, Table
from tpc.lift import lift_model
from tpc.model.config import ModelConfig
from tpc.model.learned import TransformerProgram

READ_TWICE = """#!tpc model explicit-bos
r = readout classes ['x', 'y'] bias [0, 0] {
    tokens: {'a': [0.0, 0.0], 'b': [5.0, 0.0], '<s>': [0.0, 0.0]},
    tokens: {'a': [0.0, 0.0], 'b': [0.0, 1.0], '<s>': [0.0, 0.0]}
};
output 'output' = r;
"""


def _all_backends(program, seqs):
    emitted = load_module(to_python(program), "readout")
    return (
        Interpreter(program).run(seqs)["output"],
        [naive_run(program, s)["output"] for s in seqs],
        [emitted.run(s) for s in seqs],
    )


def test_a_node_read_twice_adds_twice():
    """Issue 16, reproduction 1: on <s> b the scores are x = 5, y = 1."""
    program = rasp_to_ir(READ_TWICE, vocab=["a", "b"], max_len=3)
    for result in _all_backends(program, [["<s>", "b"], ["<s>", "a", "b"]]):
        assert result == [["x", "x"], ["x", "x", "x"]]
    for result in _all_backends(optimize(program), [["<s>", "b"]]):
        assert result == [["x", "x"]]


def test_a_float32_near_tie_is_decided_in_float32_order():
    """x totals 1 + 2**-24 + 2**-24: exactly y's 1 + 2**-23 in float64 (a tie x would win),
    but 1 in float32, where each 2**-24 rounds away (ties to even), so y wins."""
    b = Builder(Domain(vocab=["a"], max_len=2))
    t = b.tokens()
    base = Table({"<s>": (1.0, 1.0 + 2**-23), "a": (1.0, 1.0 + 2**-23)})
    nudge = Table({"<s>": (2**-24, 0.0), "a": (2**-24, 0.0)})
    b.output("output", b.readout([t, t, t], [base, nudge, nudge], [0.0, 0.0], ["x", "y"]))
    program = b.build()
    for result in _all_backends(program, [["a"], ["a", "a"]]):
        assert result == [["y"], ["y", "y"]]


def test_model_hard_mode_adds_readout_variables_in_order_and_the_lift_agrees():
    """The same near-tie inside a model: tokens' row, then positions', then ones' weight.
    (A readout whose terms all fold into the bias is covered too: see the second test below.)"""
    torch.manual_seed(0)
    cfg = ModelConfig(
        vocab_size=3,
        n_classes=2,
        n_ctx=4,
        d_var=4,
        n_layers=1,
        n_heads_cat=1,
        n_heads_num=1,
        n_cat_mlps=0,
        n_num_mlps=0,
        mlp_vars_in=2,
        d_mlp=64,
    )
    model = TransformerProgram(cfg).eval()
    with torch.no_grad():
        model.unembed.zero_()
        model.unembed[2] = torch.tensor([1.0, 1.0 + 2**-23])  # tokens: "a"
        model.unembed[4:8, 0] = 2**-24  # positions: every value
        ones_row = model.unembed.shape[0] - cfg.n_heads_num - 1  # numerical: ones, then the heads
        model.unembed[ones_row, 0] = 2**-24
    tokens, labels = ("<pad>", "<s>", "a"), ("x", "y")
    seqs = [["<s>"], ["<s>", "a"], ["<s>", "a", "a", "a"]]
    batch = torch.tensor([[{"<s>": 1, "a": 2}[t] for t in s] + [0] * (4 - len(s)) for s in seqs])
    want = [
        [labels[c] for c in row[: len(s)]] for row, s in zip(model.predict(batch).tolist(), seqs)
    ]
    assert [row[1:] for row in want] == [["y"] * (len(s) - 1) for s in seqs]
    lifted = lift_model(model, tokens, labels)
    for program in (lifted, optimize(lifted)):
        for result in _all_backends(program, seqs):
            assert result == want


def test_a_readout_with_every_term_folded_still_runs():
    b = Builder(Domain(vocab=["a"], max_len=2))
    same = Table({"<s>": (1.0, 2.0), "a": (1.0, 2.0)})
    b.output("output", b.readout([b.tokens()], [same], [0.0, 0.0], ["x", "y"]))
    program = optimize(b.build())
    assert program[program.output_map["output"]].terms == ()
    for result in _all_backends(program, [["a"], ["a", "a"]]):
        assert result == [["y"], ["y", "y"]]
