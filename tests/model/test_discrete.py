import random

import pytest
import torch
from model_oracle import run

from tpc.model.config import ModelConfig
from tpc.model.discrete import discretize
from tpc.model.learned import TransformerProgram
from tpc.model.reference import load_reference_run


def random_inputs(model, count, seed):
    rng = random.Random(seed)
    cfg = model.cfg
    rows = [
        [rng.randrange(1, cfg.vocab_size) for _ in range(rng.randint(1, cfg.n_ctx))]
        for _ in range(count)
    ]
    x = torch.tensor([r + [0] * (cfg.n_ctx - len(r)) for r in rows])
    return rows, x


def assert_oracle_agrees(model, count=150, seed=0):
    program = discretize(model)
    rows, x = random_inputs(model, count, seed)
    pred = model.predict(x)
    for i, r in enumerate(rows):
        assert run(program, r) == pred[i, : len(r)].tolist(), f"input {r}"


@pytest.mark.parametrize("task", ["sort", "hist"])
def test_discrete_program_of_reference_models_runs_like_the_model(shared_dir, task):
    assert_oracle_agrees(load_reference_run(shared_dir / "reference" / task).model)


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_discrete_program_of_random_models_runs_like_the_model(causal, seed):
    torch.manual_seed(seed)
    cfg = ModelConfig(
        vocab_size=6,
        n_classes=5,
        n_ctx=7,
        d_var=8,
        n_layers=2,
        n_heads_cat=2,
        n_heads_num=2,
        n_cat_mlps=1,
        n_num_mlps=1,
        mlp_vars_in=2,
        d_mlp=64,
        causal=causal,
        masked_classes=(0,),
        mean_heads=("L0.num_head1",),
    )
    assert_oracle_agrees(TransformerProgram(cfg).eval(), seed=seed)


def test_description_names_reads_tables_and_widths(shared_dir):
    model = load_reference_run(shared_dir / "reference" / "hist").model
    p = discretize(model)
    names = [v.name for v in p.variables]
    assert names == [
        "tokens",
        "positions",
        "L0.cat_head0",
        "L0.cat_head1",
        "L0.cat_mlp0",
        "L0.num_mlp0",
        "ones",
        "L0.num_head0",
        "L0.num_head1",
    ]
    assert p.variable("tokens").width == 8 and p.variable("positions").width == 8
    for h in p.cat_heads + p.num_heads:
        assert len(h.predicate) == p.variable(h.query).width
        assert all(len(row) == p.variable(h.key).width for row in h.predicate)
        assert all(sum(row) <= 1 for row in h.predicate)  # one key value per query value
    layer = model.layers[0]
    assert p.cat_heads[1].query == names[int(layer.cat_q[1].argmax())]
    assert p.num_heads[0].value == "ones"
    score = dict(zip(p.readout.variables, p.readout.scores))
    assert score["tokens"].shape == (8, 7) and score["ones"].shape == (1, 7)


def test_mlp_apply_matches_the_models_mlp_outputs(shared_dir):
    model = load_reference_run(shared_dir / "reference" / "hist").model
    p = discretize(model)
    _, x = random_inputs(model, 300, 1)
    x_cat, x_num = model.residual(x)
    cats = [v.name for v in p.variables if v.kind == "categorical"]
    nums = [v.name for v in p.variables if v.kind == "numerical"]
    values = x_cat.argmax(-1)
    for mlp in p.cat_mlps:
        rows = values[..., [cats.index(v) for v in mlp.inputs]].reshape(-1, len(mlp.inputs))
        assert torch.equal(mlp.apply(rows), values[..., cats.index(mlp.output)].flatten())
    for mlp in p.num_mlps:
        rows = x_num[..., [nums.index(v) for v in mlp.inputs]].reshape(-1, len(mlp.inputs))
        assert torch.equal(mlp.apply(rows), values[..., cats.index(mlp.output)].flatten())
