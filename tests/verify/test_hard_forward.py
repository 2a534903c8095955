"""The verify hard forward (index variables) computes the model's logits bit for bit: random
models with every module kind (mean heads, pooled readouts, causal masks, learned embeddings,
general predicates), a compiled model, and (slow) every input of the reference runs."""

import itertools
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tpc.assemble import assemble
from tpc.frontend import rasp_file_to_ir
from tpc.model.config import ModelConfig
from tpc.model.learned import TransformerProgram
from tpc.verify.hard_forward import HardForward

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference"


def every_input(token_ids, bos, n_ctx, lengths=None):
    """[BOS, *tokens] for every token sequence of each length (one batch per length)."""
    for length in lengths or range(n_ctx):
        rows = list(itertools.product(token_ids, repeat=length))
        yield torch.tensor([[bos, *r] for r in rows], dtype=torch.long).reshape(
            len(rows), length + 1
        )


def assert_same_logits(model, batches):
    fast = HardForward(model)
    for batch in batches:
        assert fast.usable(batch.shape[1])
        with torch.inference_mode():
            want = model(batch)
        got = fast.logits(batch)
        assert torch.equal(got, want), (
            f"length {batch.shape[1]}: {(got != want).sum()} logits differ"
        )
        assert torch.equal(fast.predict(batch), want.argmax(-1))


@st.composite
def models(draw):
    one_hot = draw(st.booleans())
    n_ctx = draw(st.integers(3, 5))
    heads_num = draw(st.integers(0, 2))
    cfg = ModelConfig(
        vocab_size=5,
        n_classes=4,
        n_ctx=n_ctx,
        d_var=5,
        n_layers=draw(st.integers(1, 2)),
        n_heads_cat=draw(st.integers(0, 2)),
        n_heads_num=heads_num,
        n_cat_mlps=draw(st.integers(0, 1)),
        n_num_mlps=draw(st.integers(0, 1)),
        mlp_vars_in=draw(st.integers(1, 2)),
        d_mlp=8,
        one_hot_embed=one_hot,
        n_vars_cat=1 if one_hot else draw(st.integers(1, 2)),
        causal=draw(st.booleans()),
        pool_outputs=draw(st.booleans()),
        masked_classes=(0,),
        general_predicates=draw(st.booleans()),
        mean_heads=[
            f"L{l}.num_head{h}" for l in range(2) for h in range(heads_num) if draw(st.booleans())
        ],
    )
    torch.manual_seed(draw(st.integers(0, 2**16)))
    return TransformerProgram(cfg).eval()


@settings(max_examples=40, suppress_health_check=list(HealthCheck), deadline=None)
@given(models())
def test_random_models_every_input(model):
    assert_same_logits(model, every_input([1, 2, 3], 4, model.cfg.n_ctx))


def test_a_compiled_model_every_input():
    program = rasp_file_to_ir(ROOT / "examples" / "rasp" / "hist.rasp", vocab=[0, 1, 2], max_len=5)
    compiled = assemble(program)
    ids = {t: i for i, t in enumerate(compiled.tokens)}
    tokens = [ids[t] for t in (0, 1, 2)]
    assert_same_logits(compiled.model, every_input(tokens, ids[program.domain.bos], 6))


@pytest.mark.slow
@pytest.mark.parametrize("run", ["sort", "hist"])
def test_reference_runs_every_input(run):
    from tpc.model.checkpoint import load_model

    loaded = load_model(REFERENCE / run)
    bos = loaded.tokens.index("<s>")
    ids = [i for i in range(1, len(loaded.tokens)) if i != bos]
    for batch in every_input(ids, bos, loaded.model.cfg.n_ctx):
        for part in torch.split(batch, 1 << 14):
            assert_same_logits(loaded.model, [part])


def test_the_model_is_used_when_the_fast_forward_disagrees(monkeypatch):
    """A disagreement on the spot-checked sample: verify runs the model's own predict."""
    from tpc.verify.runnables import CheckpointRunnable

    calls = []
    monkeypatch.setattr(
        HardForward, "predict", lambda self, ids: calls.append(1) or torch.zeros_like(ids)
    )
    side = CheckpointRunnable(ROOT / "examples" / "models" / "hist" / "model.pt", "hist")
    side.use_vocab(side.vocab)
    idx = np.array(list(itertools.product(range(3), repeat=3)), dtype=np.int64)
    pred = side._predict(idx)
    ids = torch.from_numpy(
        np.concatenate([np.full((len(idx), 1), side._bos_id), side._token_ids[idx]], 1)
    )
    assert calls and np.array_equal(pred, side.model.predict(ids).numpy())
