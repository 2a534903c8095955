"""Lifted programs record which model module each node came from; passes, JSON, the summary and
the python backend use that record, not node names."""

import torch
from tpc.passes import optimize

from tests.model.tiny import tiny_config
from tpc.backends.python import to_python
from tpc.ir import from_json, to_json
from tpc.lift import lift_model, lift_summary
from tpc.model.learned import TransformerProgram

TOKENS = ("<pad>", "a", "b", "c", "<s>")
LABELS = ("<pad>", "x", "y", "z")


def _lifted():
    cfg = tiny_config(vocab_size=len(TOKENS), n_classes=len(LABELS), n_ctx=4, d_var=5, d_mlp=4)
    torch.manual_seed(0)
    return lift_model(TransformerProgram(cfg).eval(), TOKENS, LABELS)


def test_every_lifted_node_has_an_origin():
    lifted = _lifted()
    origin = lifted.origin_map
    assert set(origin) == {n.name for n in lifted.nodes}
    assert (
        origin["tokens"] == "tokens"
        and origin["indices"] == "positions"
        and origin["readout"] == "readout"
    )
    assert origin["l0_cat_head0_select"] == origin["l0_cat_head0"] == "L0.cat_head0"
    assert origin["l0_cat_mlp0"] == "L0.cat_mlp0" and origin["l0_num_mlp0"] == "L0.num_mlp0"


def test_origin_survives_passes_and_json():
    lifted = _lifted()
    optimized = optimize(lifted)
    assert optimized.origin and all(name in optimized for name, _ in optimized.origin)
    assert set(optimized.origin) <= set(lifted.origin)
    assert from_json(to_json(optimized)) == optimized
    summary = lift_summary(lifted, optimized)
    assert summary.heads[1] == 2 and summary.mlps[1] == 2


def test_a_head_select_is_inlined_by_origin_not_by_name():
    lifted = _lifted()
    source = to_python(lifted)
    assert "l0_cat_head0 = nearest(select(" in source
    # Without provenance the selector keeps its own line, whatever its name.
    assert "l0_cat_head0_select = select(" in to_python(lifted.evolve(origin={}))
