"""Every form of a program computes the same thing: the IR at -O0 and -O1, emitted Python,
RASP text read back (with no options: the text declares its domain), IR JSON read back, and
compiled weights; for lifted models, the model itself too. Random programs and random models
with every module kind, on every input of a small domain or a random batch of inputs."""

import itertools

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_lift import LABELS, TOKENS, random_models
from tpc.passes import optimize

from tests.strategies import programs_with_inputs
from tpc.assemble import CompileError, assemble
from tpc.backends.python import load_module, to_python
from tpc.backends.rasp import to_rasp
from tpc.frontend import rasp_to_ir
from tpc.interp import Interpreter
from tpc.ir import from_json, sort_key, to_json
from tpc.lift import lift_model


def _keys(rows):
    return [list(map(sort_key, r)) for r in rows]


def _compiled_outputs(program, output, seqs):
    """`output` as the weights compiled from `program` compute it, one list per input."""
    compiled = assemble(program, output)
    ids = {sort_key(t): i for i, t in enumerate(compiled.tokens)}
    bos = program.domain.implicit_bos
    rows = [[program.domain.bos, *s] if bos else list(s) for s in seqs]
    n = max(map(len, rows))
    batch = torch.tensor([[ids[sort_key(t)] for t in r] + [0] * (n - len(r)) for r in rows])
    pred = compiled.model.predict(batch).tolist()
    return [[compiled.classes[c] for c in p[int(bos) : len(r)]] for p, r in zip(pred, rows)]


def assert_every_form_agrees(program, seqs, want=None):
    """The outputs of every form of `program` on `seqs` agree (and equal `want` when given:
    the main output as the model computes it)."""
    optimized = optimize(program)
    emitted = load_module(to_python(optimized), "every_form")
    forms = {
        "-O0": Interpreter(program).run(seqs),
        "-O1": Interpreter(optimized).run(seqs),
        "python": {o: [emitted.run_all(s)[o] for s in seqs] for o in program.output_map},
        "rasp": Interpreter(rasp_to_ir(to_rasp(optimized), "lifted.rasp")).run(seqs),
        "json": Interpreter(from_json(to_json(optimized))).run(seqs),
    }
    for output in program.output_map:
        reference = _keys(forms["-O0"][output])
        for name, outputs in forms.items():
            assert _keys(outputs[output]) == reference, f"{name} differs on output {output!r}"
        try:
            compiled = _compiled_outputs(optimized, output, seqs)
        except CompileError:
            continue  # a construct the assembler refuses, by name; refusals are tested there
        assert _keys(compiled) == reference, f"compiled weights differ on output {output!r}"
    if want is not None:
        assert forms["-O0"]["output"] == want


@settings(max_examples=100, suppress_health_check=list(HealthCheck))
@given(programs_with_inputs(max_nodes=8))
def test_random_programs_agree_in_every_form(case):
    program, seqs = case
    assert_every_form_agrees(program, seqs)


NEAR_TIES = torch.tensor([0.0, 1.0, 2.0**-24, -(2.0**-24), 1.0 + 2.0**-23, 0.5, 3 * 2.0**-25])


@settings(max_examples=60, suppress_health_check=list(HealthCheck))
@given(random_models(), st.booleans())
def test_lifted_random_models_agree_with_the_model_in_every_form(case, coarse):
    """With `coarse`, the readout's weights come from a few float32 values whose sums tie or
    nearly tie, so only the model's own order of float32 additions gives its answers."""
    model, seqs = case
    if coarse:
        g = torch.Generator().manual_seed(len(seqs))
        with torch.no_grad():
            model.unembed.copy_(
                NEAR_TIES[torch.randint(len(NEAR_TIES), model.unembed.shape, generator=g)]
            )
    ids = {t: i for i, t in enumerate(TOKENS)}
    n = max(map(len, seqs))
    batch = torch.tensor([[ids[t] for t in s] + [0] * (n - len(s)) for s in seqs])
    want = [
        [LABELS[c] for c in row[: len(s)]] for row, s in zip(model.predict(batch).tolist(), seqs)
    ]
    assert_every_form_agrees(lift_model(model, TOKENS, LABELS), seqs, want)


def test_every_input_of_a_small_domain():
    """One fixed random model, every input up to its context length."""
    torch.manual_seed(3)
    from tpc.model.config import ModelConfig
    from tpc.model.learned import TransformerProgram

    cfg = ModelConfig(
        vocab_size=len(TOKENS),
        n_classes=len(LABELS),
        n_ctx=5,
        d_var=5,
        n_layers=2,
        n_heads_cat=2,
        n_heads_num=2,
        n_cat_mlps=1,
        n_num_mlps=1,
        d_mlp=8,
        masked_classes=(0,),
        mean_heads=("L0.num_head1",),
        mlp_vars_in=2,
    )
    model = TransformerProgram(cfg).eval()
    seqs = [["<s>", *s] for k in range(5) for s in itertools.product("abc", repeat=k)]
    ids = {t: i for i, t in enumerate(TOKENS)}
    batch = torch.tensor([[ids[t] for t in s] + [0] * (5 - len(s)) for s in seqs])
    want = [
        [LABELS[c] for c in row[: len(s)]] for row, s in zip(model.predict(batch).tolist(), seqs)
    ]
    assert_every_form_agrees(lift_model(model, TOKENS, LABELS), seqs, want)
