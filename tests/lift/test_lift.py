"""Lifting is exact: the lifted program (interpreted, optimized, emitted as Python) gives the
model's hard-mode argmax at every position of every input we try."""

import json
import pickle
import shutil
import types

import pytest
import torch
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from tpc.passes import optimize

from tests.model.tiny import tiny_config
from tpc.backends.python import load_module, to_python
from tpc.cli import main
from tpc.interp import Interpreter
from tpc.lift import lift_checkpoint, lift_model, lift_summary, load_model
from tpc.model.config import ModelConfig
from tpc.model.learned import TransformerProgram
from tpc.verify import verify

EXAMPLES = __import__("pathlib").Path(__file__).resolve().parents[2] / "examples" / "models"


def _module(program):
    return load_module(to_python(program), "lifted")


def _model_labels(model, tokens, labels, seqs):
    """The model's hard-mode labels at every real position (id 0 pads)."""
    ids = {t: i for i, t in enumerate(tokens)}
    n = max(map(len, seqs))
    batch = torch.tensor([[ids[t] for t in s] + [0] * (n - len(s)) for s in seqs])
    pred = model.predict(batch).tolist()
    return [[labels[c] for c in row[: len(s)]] for row, s in zip(pred, seqs)]


def _assert_lift_exact(model, tokens, labels, seqs):
    lifted = lift_model(model, tokens, labels)
    want = _model_labels(model, tokens, labels, seqs)
    for program in (lifted, optimize(lifted)):
        assert Interpreter(program).run(seqs)["output"] == want
    emitted = _module(optimize(lifted))
    assert [emitted.run(s) for s in seqs] == want
    return lifted


@pytest.mark.parametrize("task", ["sort", "hist"])
def test_reference_runs_reproduce_every_case(shared_dir, task):
    run = shared_dir / "reference" / task
    cases = json.loads((run / "cases.json").read_text())
    lifted = lift_checkpoint(run)
    optimized = optimize(lifted)
    for program in (lifted, optimized):
        assert Interpreter(program).run(cases["inputs"])["output"] == cases["predictions"]
    emitted = _module(optimized)
    assert [emitted.run(x) for x in cases["inputs"]] == cases["predictions"]


def test_reference_hist_dead_modules_are_folded_away(shared_dir):
    lifted = lift_checkpoint(shared_dir / "reference" / "hist")
    summary = lift_summary(lifted, optimize(lifted))
    # Both MLPs of this run have score tables that are the same for every value they output,
    # and head 1 can only select BOS, so it always reads index 0.
    assert summary.heads == (3, 4) and summary.mlps == (0, 2)
    assert summary.removed == ("L0.cat_head1", "L0.cat_mlp0", "L0.num_mlp0")


def _exhaustive(name, max_len):
    path = EXAMPLES / name / "model.pt"
    program = optimize(lift_checkpoint(path))
    result = verify(path, program, max_len=max_len)
    assert result.equivalent and result.mode == "exhaustive"
    assert result.inputs == sum(6**n for n in range(max_len + 1))  # 6 tokens may follow BOS


@pytest.mark.parametrize("name", ["sort", "hist"])
def test_shipped_checkpoints_exhaustively(name):
    _exhaustive(name, 4)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sort", "hist"])
def test_shipped_checkpoints_exhaustively_at_full_length(name):
    _exhaustive(name, 7)  # every input the model accepts: 335,923 sequences


TOKENS = ("<pad>", "a", "b", "c", "<s>")
LABELS = ("<pad>", "x", "y", "z")


@st.composite
def random_models(draw):
    one_hot = draw(st.booleans())
    n_ctx = draw(st.integers(3, 6))
    cfg = ModelConfig(
        vocab_size=len(TOKENS),
        n_classes=len(LABELS),
        n_ctx=n_ctx,
        d_var=max(len(TOKENS), n_ctx),
        n_layers=draw(st.integers(1, 2)),
        n_heads_cat=draw(st.integers(0, 2)),
        n_heads_num=draw(st.integers(0, 2)),
        n_cat_mlps=draw(st.integers(0, 1)),
        n_num_mlps=draw(st.integers(0, 1)),
        mlp_vars_in=draw(st.integers(1, 2)),
        d_mlp=8,
        one_hot_embed=one_hot,
        n_vars_cat=1 if one_hot else draw(st.integers(1, 2)),
        causal=draw(st.booleans()),
        masked_classes=(0,),
    )
    torch.manual_seed(draw(st.integers(0, 2**16)))
    model = TransformerProgram(cfg).eval()
    inputs = st.lists(st.sampled_from("abc"), max_size=n_ctx - 1)
    seqs = draw(st.lists(inputs, min_size=1, max_size=12))
    return model, [["<s>", *s] for s in seqs]


@given(random_models())
def test_models_with_every_module_kind_lift_exactly(case):
    """Any weights at all: random categorical and numerical heads and MLPs, learned
    embeddings, causal masks, repeated reads and heads that match nothing."""
    model, seqs = case
    _assert_lift_exact(model, TOKENS, LABELS, seqs)


def _small_model(**kw):
    cfg = tiny_config(
        vocab_size=len(TOKENS), n_classes=len(LABELS), n_ctx=4, d_var=5, d_mlp=4, **kw
    )
    torch.manual_seed(0)
    return TransformerProgram(cfg).eval()


ALL_INPUTS = [
    ["<s>", *s] for n in range(4) for s in __import__("itertools").product("abc", repeat=n)
]


def test_mlp_argmax_ties_pick_what_the_model_picks():
    model = _small_model()
    with torch.no_grad():
        for name in ("cat_mlp_w_out", "cat_mlp_b_out", "num_mlp_w_out", "num_mlp_b_out"):
            getattr(model.layers[0], name).zero_()  # every output value ties
    lifted = _assert_lift_exact(model, TOKENS, LABELS, ALL_INPUTS)
    assert set(lifted["l0_cat_mlp0"].table.outputs()) == {0}


def test_readout_near_ties_follow_the_model():
    model = _small_model()
    with torch.no_grad():
        w = model.unembed
        w.zero_()
        # Class scores that differ by 2**-20 (exact in float32): x beats y only by a hair at
        # positions where the categorical head reads "a"; elsewhere x and y tie and x wins.
        w[:, 1] = 1.0
        w[:, 2] = 1.0
        w[10 + 1, 2] = 1.0 - 2**-20
        w[10 + 1, 1] = 1.0 + 2**-20
        w[-2:, 3] = -1.0
    _assert_lift_exact(model, TOKENS, LABELS, ALL_INPUTS)


def test_two_reads_of_one_variable_and_padding():
    model = _small_model()
    with torch.no_grad():
        model.layers[0].cat_mlp_read.zero_()
        model.layers[0].cat_mlp_read[0, :, 0] = 5.0  # both MLP inputs read tokens
    lifted = _assert_lift_exact(model, TOKENS, LABELS, ALL_INPUTS)  # batches mix lengths: padding
    mlp = lifted["l0_cat_mlp0"]
    assert (mlp.x, mlp.y) == ("tokens", "tokens")


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_cli_lift_writes_a_program_that_agrees(tmp_path):
    out = tmp_path / "prog.py"
    result = _cli("lift", EXAMPLES / "sort" / "model.pt", "-o", out)
    assert result.exit_code == 0, result.output
    cfg = load_model(EXAMPLES / "sort" / "model.pt").model.cfg
    heads = cfg.n_layers * (cfg.n_heads_cat + cfg.n_heads_num)  # the summary counts them all
    assert f"heads {heads}/{heads} kept" in result.output and "lines ->" in result.output
    assert verify(EXAMPLES / "sort" / "model.pt", out, max_len=4).equivalent


@pytest.mark.parametrize(
    "target, marker", [("rasp", "#!tpc model"), ("json", '"format": "tpc-ir"')]
)
def test_cli_lift_other_targets(tmp_path, target, marker):
    out = tmp_path / "prog.txt"
    assert (
        _cli("lift", EXAMPLES / "hist" / "model.pt", "--to", target, "-O0", "-o", out).exit_code
        == 0
    )
    assert marker in out.read_text()


def _bad_files(tmp_path, shared_dir):
    real = (EXAMPLES / "sort" / "model.pt").read_bytes()
    (tmp_path / "truncated.pt").write_bytes(real[: len(real) // 2])
    (tmp_path / "object.pt").write_bytes(pickle.dumps(types.SimpleNamespace(a=1)))
    torch.save({"weights": torch.zeros(2)}, tmp_path / "other.pt")
    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(shared_dir / "reference" / "sort" / "model.pt", run / "model.pt")
    args = json.loads((shared_dir / "reference" / "sort" / "args.json").read_text())
    (run / "args.json").write_text(json.dumps({**args, "dataset": "nope"}))
    return {
        "missing.pt": "does not exist",
        "truncated.pt": "not a loadable checkpoint",
        "object.pt": "not a loadable checkpoint",
        "other.pt": "not a tpc checkpoint",
        "run": "unknown task 'nope'",
    }


def test_cli_lift_bad_inputs_are_one_line_errors(tmp_path, shared_dir):
    for name, phrase in _bad_files(tmp_path, shared_dir).items():
        result = _cli("lift", tmp_path / name)
        assert result.exit_code == 2, (name, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and phrase in lines[0], (
            name,
            lines,
        )
        assert "weights_only" not in lines[0] and "Traceback" not in result.output


@pytest.fixture(scope="module")
def trained_causal_model(tmp_path_factory):
    """A dyck1 model (causal) trained briefly by `tpc train`, with learned two-variable
    token embeddings and every module kind."""
    from tpc.train import TrainOptions, train

    out = tmp_path_factory.mktemp("dyck1")
    options = TrainOptions(
        task="dyck1",
        layers=2,
        cat_heads=1,
        num_heads=1,
        cat_mlps=1,
        num_mlps=1,
        embed_vars=2,
        mlp_width=8,
        dataset_size=200,
        batch_size=50,
        epochs=2,
    )
    train(options, out, progress=False)
    return out / "model.pt"


@given(st.lists(st.lists(st.sampled_from("()"), max_size=16), min_size=1, max_size=8))
def test_trained_causal_model_with_learned_embeddings_lifts_exactly(trained_causal_model, seqs):
    from tpc.lift import load_model

    loaded = load_model(trained_causal_model)
    assert loaded.model.cfg.causal and not loaded.model.cfg.one_hot_embed
    _assert_lift_exact(loaded.model, loaded.tokens, loaded.labels, [["<s>", *s] for s in seqs])


def test_a_reference_model_under_another_name_is_the_one_lifted(tmp_path, shared_dir):
    """The file named is the file read, even with args.json beside it."""
    for name in ("args.json", "vocab.json"):
        shutil.copy(shared_dir / "reference" / "hist" / name, tmp_path / name)
    shutil.copy(shared_dir / "reference" / "hist" / "model.pt", tmp_path / "best.pt")
    cases = json.loads((shared_dir / "reference" / "hist" / "cases.json").read_text())
    program = lift_checkpoint(tmp_path / "best.pt")
    assert Interpreter(program).run(cases["inputs"][:200])["output"] == cases["predictions"][:200]
