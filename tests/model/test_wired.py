"""The wired model (`tpc compile`'s output): per-variable widths, fixed reads, soft mode."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.model import model_oracle
from tpc.assemble import assemble
from tpc.assemble.check import all_inputs, encode
from tpc.errors import TpcError
from tpc.frontend import rasp_file_to_ir
from tpc.model.discrete import discretize
from tpc.model.wired import Module, WiredConfig

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compiled():
    """sort_unique: numerical heads, numerical and categorical MLPs, a categorical head."""
    program = rasp_file_to_ir(
        ROOT / "examples" / "rasp" / "tracr" / "make_sort_unique.rasp", vocab=[1, 2, 3], max_len=4
    )
    return program, assemble(program)


def _assert_hard_mode_is_discrete_program(program, c):
    dp = discretize(c.model)
    ids = encode(c, all_inputs(program.domain))
    for row, ids_row in zip(c.model.predict(ids).tolist(), ids.tolist()):
        n = ids_row.index(0) if 0 in ids_row else len(ids_row)
        assert row[:n] == model_oracle.run(dp, ids_row[:n])


def test_hard_mode_is_its_discrete_program(compiled):
    _assert_hard_mode_is_discrete_program(*compiled)


def test_every_variable_is_as_wide_as_its_values(compiled):
    _, c = compiled
    cfg = c.model.cfg
    widths = cfg.widths()
    assert widths["tokens"] == 5 and widths["positions"] == 5  # <pad> 1 2 3 <s>; BOS + 4
    assert cfg.d_model == sum(widths[v] for v in cfg.cat_vars()) + len(cfg.num_vars())
    cats, nums = cfg.readout_vars()
    assert len(cats) + len(nums) < len(cfg.cat_vars()) + len(
        cfg.num_vars()
    )  # what the output needs
    expected = (sum(widths[v] for v in cats) + len(nums)) * cfg.n_classes  # the readout
    for m in cfg.modules:
        if m.kind.endswith("head"):
            expected += widths[m.reads[0]] * widths[m.reads[1]]  # the predicate table
        else:
            d_in = sum(widths[r] for r in m.reads) if m.kind == "cat_mlp" else len(m.reads)
            expected += m.hidden * (d_in + 1) + m.width * (m.hidden + 1)
    assert any(m.kind == "cat_mlp" for m in cfg.modules) and any(
        m.kind == "num_mlp" for m in cfg.modules
    )
    assert sum(p.numel() for p in c.model.parameters()) == expected == c.stats["params"]


def test_soft_mode_trains_tables_mlps_and_readout(compiled):
    program, c = compiled
    model = c.model.train()
    ids = encode(c, all_inputs(program.domain)[:64])
    torch.manual_seed(0)
    logits = model(ids, tau=1.0)
    assert torch.isfinite(logits[..., 1:]).all()
    logits[..., 1:].logsumexp(-1).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in model.mlps.parameters())
    assert any(p.grad.abs().sum() > 0 for p in model.predicates)
    assert model.unembed.grad.abs().sum() > 0
    model.zero_grad()
    model.eval()


def _config(*modules):
    return WiredConfig(vocab_size=4, n_classes=3, n_ctx=4, modules=modules)


def test_a_module_reads_only_what_it_can_see():
    head = Module("cat_head", 0, 0, ["tokens", "positions", "tokens"])
    assert (
        _config(head, Module("cat_mlp", 0, 0, ["L0.cat_head0"], width=2, hidden=1)).d_model
        == 4 + 4 + 4 + 2 + 1
    )
    with pytest.raises(TpcError, match="L0.cat_head1 reads 'L0.cat_head0'"):
        _config(head, Module("cat_head", 0, 1, ["L0.cat_head0", "tokens", "tokens"]))
    with pytest.raises(
        TpcError, match="L0.num_mlp0 reads 'L0.cat_head0', which is not a num variable"
    ):
        _config(head, Module("num_mlp", 0, 0, ["L0.cat_head0"], width=2, hidden=1))
    with pytest.raises(TpcError, match="reads 'nowhere'"):
        _config(Module("cat_head", 0, 0, ["tokens", "nowhere", "tokens"]))
    with pytest.raises(TpcError, match="by layer, then kind"):
        _config(Module("cat_head", 1, 0, ["tokens", "tokens", "tokens"]), head)


def test_a_readout_of_numerical_variables_only():
    """pair_balance's readout reads its two mean heads and `ones`, no categorical variable."""
    program = rasp_file_to_ir(
        ROOT / "examples" / "rasp" / "tracr" / "make_pair_balance.rasp", vocab=["(", ")"], max_len=4
    )
    c = assemble(program)
    assert c.model.cfg.readout_vars()[0] == []
    _assert_hard_mode_is_discrete_program(program, c)
