"""What an export guarantees in float32: the unembedding's scores are the model's bit for bit
(near-ties included), and a numerical head whose softmax output float32 cannot resolve is
refused with one line, nothing written."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
import torch
from click.testing import CliRunner

from tpc.cli import main
from tpc.errors import TpcError
from tpc.export.onnx import OnnxSession
from tpc.export.readout import exact_in_any_order
from tpc.export.tl import tl_model
from tpc.export.weights import build_weights
from tpc.export.write import export, load_source, weights_of
from tpc.model.checkpoint import save_checkpoint
from tpc.model.config import ModelConfig
from tpc.model.discrete import Unembedding, discretize
from tpc.model.learned import TransformerProgram
from tpc.verify.hard_forward import HardForward
from tpc.verify.search import enumerate_inputs

ROOT = Path(__file__).resolve().parents[2]
HIST = str(ROOT / "examples" / "models" / "hist" / "model.pt")
ULP = 2.0**-23  # float32's spacing just above 1


def _rows(*columns) -> tuple:
    return ("x", torch.tensor(columns, dtype=torch.float32).T)


def test_a_readout_is_exact_in_any_order_only_on_one_fine_enough_grid():
    assert exact_in_any_order([_rows([1.0, 3.0], [2.0, -5.0]), _rows([4.0], [0.5])])
    assert exact_in_any_order([_rows([2.0**23], [1.0]), _rows([2.0**23 - 1], [0.0])])
    # 2^23 + 2^23 + 1 needs 25 bits
    assert not exact_in_any_order([_rows([2.0**23]), _rows([2.0**23]), _rows([1.0])])
    # 1 + 2^-24 rounds to 1, then + 2^-24 again: 1; 2^-24 + 2^-24 first: 1 + 2^-23
    assert not exact_in_any_order([_rows([1.0]), _rows([ULP / 2]), _rows([ULP / 2])])


def _all_inputs(loaded, length: int) -> torch.Tensor:
    bos = [str(t) for t in loaded.tokens].index("<s>")
    real = torch.tensor([i for i in range(len(loaded.tokens)) if i not in (0, bos)])
    idx = torch.from_numpy(enumerate_inputs(len(real), length, 0, len(real) ** length))
    return torch.cat([torch.full((len(idx), 1), bos), real[idx]], 1)


def test_a_learned_readout_is_accumulated_in_the_models_order_bit_for_bit():
    loaded = load_source(HIST)
    w = weights_of(loaded)
    assert any(b.role.startswith("readout") for b in w.blocks)  # learned floats: ordered
    model, tpc = tl_model(w), HardForward(loaded.model)
    for length in range(5):
        ids = _all_inputs(loaded, length)
        with torch.inference_mode():
            got = model(ids, return_type="logits")
        assert torch.equal(got, tpc.logits(ids)[..., list(w.classes)])


def test_a_near_tie_goes_as_the_models_float32_order_decides_it():
    # class 0: 1 + 2^-24 + 2^-24, which the model's order rounds to 1 (2^-24 first: 1 + 2^-23);
    # class 1: 1 + 2^-23. The model predicts class 1 everywhere, by one float32 step.
    loaded = load_source(HIST)
    dp = discretize(loaded.model)
    width, n_pos = dp.variable("tokens").width, dp.variable("positions").width
    near_tie = Unembedding(
        ("tokens", "positions", "ones"),
        (
            torch.ones(width, 2),
            torch.tensor([[ULP / 2, 0.0]]).expand(n_pos, 2).contiguous(),
            torch.tensor([[ULP / 2, ULP]]),
        ),
        (False, False, True),
        (),
    )
    dp = attrs.evolve(dp, readout=near_tie)
    tokens = tuple(map(str, loaded.tokens))
    w = build_weights(dp, loaded.model.cfg.n_ctx, tokens, tokens.index("<s>"))
    ids = _all_inputs(loaded, 3)
    with torch.inference_mode():
        logits = tl_model(w)(ids, return_type="logits")
    assert (logits.argmax(-1) == 1).all()
    assert (logits[..., 0] == 1.0).all() and (logits[..., 1] == 1.0 + ULP).all()


def _counting_model(path: Path, n_ctx: int) -> Path:
    """One numerical head counting the keys with the query's token, over n_ctx positions: its
    softmax output 1/N needs steps of about 1/n_ctx^2."""
    torch.manual_seed(0)
    cfg = ModelConfig(
        vocab_size=4,
        n_classes=2,
        n_ctx=n_ctx,
        d_var=n_ctx,
        n_layers=1,
        n_heads_cat=0,
        n_heads_num=1,
        n_cat_mlps=0,
        n_num_mlps=0,
        mlp_vars_in=1,
        d_mlp=4,
    )
    model = TransformerProgram(cfg)
    layer = model.layers[0]
    with torch.no_grad():  # query and key: tokens (not positions); the predicate: equality
        layer.num_q.copy_(torch.tensor([[10.0, -10.0]]))
        layer.num_k.copy_(torch.tensor([[10.0, -10.0]]))
        layer.num_pred.copy_(10 * torch.eye(n_ctx)[None] - 5)
    save_checkpoint(path, model, tokens=("<pad>", "0", "1", "<s>"), labels=("0", "1"))
    return path


def test_a_numerical_head_float32_cannot_resolve_is_refused_and_nothing_is_written(tmp_path):
    model = _counting_model(tmp_path / "model.pt", 400)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", str(model), "--to", "onnx", "-o", str(out)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: L0.num_head0: softmax margin ")
    assert "within a factor 4 of float32's error bound" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.pt"]  # no DIR, no temporary


SORT = str(ROOT / "examples" / "models" / "sort" / "model.pt")


def test_sums_of_counts_export_with_the_models_logits_bit_for_bit(tmp_path):
    # issue 27's repaired sort: heads that sum counts (L1) and sums of counts (L2, L3), each
    # one residual dimension rounded exactly; its readout is ordered (learned floats). The
    # whole length-6 domain is swept under -m slow (test_sweep.py)
    loaded = load_source(SORT)
    w = export(loaded, "onnx", tmp_path / "onnx")
    scalars = [p.name for p in w.stream.places.values() if p.scalar]
    assert "L1.num_head1" in scalars and "L2.num_head1" in scalars
    model, tpc = tl_model(w), HardForward(loaded.model)
    session = OnnxSession(tmp_path / "onnx" / "model.onnx")
    for length in range(4):
        ids = _all_inputs(loaded, length)
        want = tpc.logits(ids)[..., list(w.classes)]
        with torch.inference_mode():
            assert torch.equal(model(ids, return_type="logits"), want)
        assert torch.equal(torch.from_numpy(session.logits(ids.numpy())), want)


def test_a_sum_of_averages_float32_cannot_add_in_any_order_is_refused():
    # L1.num_head2 made a mean of counts (thirds, sevenths...): L2.num_head1 sums it, and
    # float32 sums of those depend on the order of addition
    loaded = load_source(SORT)
    dp = discretize(loaded.model)
    heads = tuple(
        attrs.evolve(h, reduce="mean") if h.output == "L1.num_head2" else h for h in dp.num_heads
    )
    tokens = tuple(map(str, loaded.tokens))
    with pytest.raises(TpcError) as caught:
        build_weights(attrs.evolve(dp, num_heads=heads), 8, tokens, tokens.index("<s>"))
    assert str(caught.value) == (
        "L2.num_head1: a numerical head that sums L1.num_head2, whose float32 values are not "
        "small multiples of one power of two: its float32 sum depends on the order of "
        "addition; not exportable exactly"
    )
