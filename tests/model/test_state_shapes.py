"""The shapes a stored model is checked against come from the config's arithmetic
(`state_shapes`); they must be exactly what the module builds."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from hypothesis import given, strategies as st

from tpc.assemble import assemble
from tpc.frontend import rasp_file_to_ir
from tpc.model.config import ModelConfig
from tpc.model.learned import TransformerProgram
from tpc.model.wired import WiredProgram

ROOT = Path(__file__).resolve().parents[2]


def _built(module_class, cfg) -> dict:
    with torch.device("meta"):
        state = module_class(cfg).state_dict()
    return {name: (tuple(t.shape), t.dtype) for name, t in state.items()}


@st.composite
def learned_configs(draw):
    one_hot = draw(st.booleans())
    vocab, n_ctx = draw(st.integers(2, 6)), draw(st.integers(1, 6))
    return ModelConfig(
        vocab_size=vocab, n_classes=draw(st.integers(1, 5)), n_ctx=n_ctx,
        d_var=max(vocab if one_hot else 1, n_ctx) + draw(st.integers(0, 2)),
        n_layers=draw(st.integers(1, 3)), n_heads_cat=draw(st.integers(0, 2)),
        n_heads_num=draw(st.integers(0, 2)), n_cat_mlps=draw(st.integers(0, 2)),
        n_num_mlps=draw(st.integers(0, 2)), mlp_vars_in=draw(st.integers(1, 3)),
        d_mlp=draw(st.integers(1, 5)), one_hot_embed=one_hot,
        n_vars_cat=1 if one_hot else draw(st.integers(1, 3)),
    )


@given(learned_configs())
def test_learned_shapes_are_what_the_module_builds(cfg):
    # in state_dict's order too: a stored model's first wrong tensor is the one named
    shapes = TransformerProgram.state_shapes(cfg)
    assert list(shapes.items()) == list(_built(TransformerProgram, cfg).items())


@pytest.mark.parametrize("name", ["sort.rasp", "hist.rasp", "tracr/make_sort_unique.rasp"])
def test_wired_shapes_are_what_the_module_builds(name):
    program = rasp_file_to_ir(ROOT / "examples" / "rasp" / name, vocab=[1, 2, 3], max_len=4)
    cfg = assemble(program).model.cfg
    assert list(WiredProgram.state_shapes(cfg).items()) == list(_built(WiredProgram, cfg).items())
