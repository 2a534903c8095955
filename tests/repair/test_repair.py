"""`tpc repair`: a model with planted errors is repaired to 0 failing inputs, the result is
never worse than the best round, grown models keep their program, and the history is true."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from tpc.cli import main
from tpc.lift import lift_model
from tpc.model.checkpoint import load_checkpoint, save_checkpoint
from tpc.repair import RepairOptions, repair
from tpc.repair.diff import changed_modules
from tpc.repair.driver import Repair, _clone
from tpc.repair.exact import solve_readout
from tpc.repair.finetune import tune_epochs
from tpc.repair.grow import add_classes, grow, grown_config
from tpc.repair.readout import ReadoutRows, fit_readout, hard_variables, readout_rows
from tpc.tasks import make_dataset
from tpc.verify import verify

ROOT = Path(__file__).resolve().parents[2]
HIST = ROOT / "examples" / "models" / "hist" / "model.pt"
HIST_SPEC = ROOT / "examples" / "specs" / "hist.rasp"
SMALL = dict(max_len=3, dataset_size=1000, epochs=2)


def _planted(tmp_path) -> Path:
    """The shipped hist model with an error planted in its readout: token 3 pushes class "1"
    (hist says "1" only where 3 occurs once), enough to win where 3 occurs more often."""
    model, meta = load_checkpoint(HIST)
    with torch.no_grad():
        model.unembed[meta.tokens.index("3"), meta.labels.index("1")] += 4.0
    path = tmp_path / "planted.pt"
    save_checkpoint(path, model, tokens=meta.tokens, labels=meta.labels, task="hist")
    return path


def _meta(path) -> dict:
    _, meta = load_checkpoint(path)
    return dict(tokens=meta.tokens, labels=meta.labels, task=meta.task)


def _failing(model, max_len=3) -> int:
    return verify(model, HIST_SPEC, task="hist", max_len=max_len).failing_inputs


def test_planted_errors_are_repaired_to_zero(tmp_path):
    planted = _planted(tmp_path)
    before = _failing(planted)
    assert before >= 10 and _failing(HIST) == 0
    lines = []
    metrics = repair(
        planted, HIST_SPEC, RepairOptions(rounds=4, **SMALL), tmp_path / "out", log=lines.append
    )
    assert metrics["original_failing_inputs"] == before
    assert metrics["failing_inputs"] == 0 == _failing(tmp_path / "out" / "model.pt")
    assert metrics["lift"]["equivalent"]
    rounds = metrics["rounds"]
    assert [r["round"] for r in rounds] == list(range(len(rounds)))
    assert rounds[0]["failing_inputs"] == before and rounds[-1]["failing_inputs"] == 0
    assert sum(line.startswith("round ") for line in lines) == len(rounds)
    on_disk = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert on_disk["rounds"] == rounds
    # The lifted program written beside it is the repaired model's.
    program = tmp_path / "out" / "program.py"
    assert verify(tmp_path / "out" / "model.pt", program, max_len=3).equivalent


def test_the_final_model_is_the_best_round_never_a_worse_later_one(tmp_path):
    # A learning rate that wrecks the model: every fine-tuned round is worse than round 0.
    planted = _planted(tmp_path)
    opts = RepairOptions(rounds=2, lr=20.0, tau_init=3.0, readout_steps=0, **SMALL)
    metrics = repair(planted, HIST_SPEC, opts, tmp_path / "out", log=lambda s: None)
    counts = [r["failing_inputs"] for r in metrics["rounds"]]
    assert len(counts) == 3 and min(counts) == counts[0] < max(counts[1:])
    assert metrics["best_round"] == 0
    assert metrics["failing_inputs"] == counts[0] == _failing(tmp_path / "out" / "model.pt")


def test_a_round_keeps_its_best_epoch_and_ends_at_the_first_worse_one(tmp_path):
    planted = _planted(tmp_path)
    opts = RepairOptions(rounds=3, lr=0.5, readout_steps=0, **{**SMALL, "epochs": 4})
    metrics = repair(planted, HIST_SPEC, opts, tmp_path / "out", log=lambda s: None)
    trails = [r["epochs"] for r in metrics["rounds"][1:]]
    assert trails and all(1 <= len(t) <= 4 for t in trails)
    for r, trail in zip(metrics["rounds"][1:], trails):
        assert r["failing_inputs"] == min(trail)
        # Every epoch but the last checked was no worse than the ones before it.
        assert all(a >= b for a, b in zip(trail[:-2], trail[1:-1]))
        if len(trail) < 4 and trail[-1]:
            assert trail[-1] >= min(trail[:-1])  # stopped early: the last epoch was worse


@pytest.mark.parametrize("step", [0, 1, 2])
def test_grown_models_compute_the_same_program(step, tmp_path):
    model, meta = load_checkpoint(HIST)
    big = model
    for s in range(step + 1):
        big = grow(big, grown_config(big.cfg, s), seed=s)
    assert big.cfg.n_heads_num > model.cfg.n_heads_num
    save_checkpoint(tmp_path / "big.pt", big, tokens=meta.tokens, labels=meta.labels)
    assert verify(HIST, tmp_path / "big.pt", max_len=5).equivalent
    assert verify(HIST, lift_model(big, meta.tokens, meta.labels), max_len=4).equivalent
    diff = changed_modules(
        lift_model(model, meta.tokens, meta.labels), lift_model(big, meta.tokens, meta.labels)
    )
    assert diff["changed"] == [] and diff["removed"] == [] and diff["added"]


def test_added_classes_win_nowhere_until_trained():
    model, meta = load_checkpoint(HIST)
    donor = meta.labels.index("4")
    big = add_classes(model, 2, donors=[donor, None])
    x = torch.randint(1, len(meta.tokens) - 1, (500, 7))
    x[:, 0] = meta.tokens.index("<s>")
    assert torch.equal(big.predict(x), model.predict(x))
    with torch.no_grad():
        logits = big(x)
    n = model.cfg.n_classes
    # The donor's copy trails it by 1.0 at every position (up to float32 rounding).
    gap = logits[..., n] - logits[..., donor]
    assert torch.allclose(gap, torch.full_like(gap, -1.0), atol=1e-3)
    assert (logits[..., n + 1] < logits[..., :n].max(-1).values - 1.0).all()


def test_the_readout_refit_repairs_a_readout_error_and_changes_nothing_else(tmp_path):
    planted = _planted(tmp_path)
    model, _ = load_checkpoint(planted)
    data = make_dataset("hist", 8, 8, None, 1000, 0)
    fitted = fit_readout(_clone(model), data.train.x, data.train.y, steps=300, lr=0.05)
    assert not torch.equal(fitted.unembed, model.unembed)
    same = {k: v for k, v in fitted.state_dict().items() if k != "unembed"}
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in same.items())
    rows, num = hard_variables(fitted, data.test.x)
    predicted = fitted.predict(data.test.x).reshape(-1)
    # hard_variables is what the readout reads: the same argmax as the model's own forward
    scored = data.test.y.reshape(-1) != 0
    w = fitted.unembed.detach()
    logits = w[rows].sum(1) + num @ w[len(w) - num.shape[1] :]
    logits = logits.masked_fill(fitted.class_mask, float("-inf"))
    assert torch.equal(logits.argmax(-1)[scored], predicted[scored])
    assert _failing(planted) > 0
    save_checkpoint(tmp_path / "fitted.pt", fitted, **_meta(planted))
    assert _failing(tmp_path / "fitted.pt") == 0


def test_the_exact_readout_fixes_the_readout_over_the_domain_and_nothing_else(tmp_path):
    planted = _planted(tmp_path)
    job = Repair(planted, HIST_SPEC, RepairOptions(max_len=3, dataset_size=1000), tmp_path)
    assert job.check(job.original, tmp_path).failing_inputs > 0  # writes the check's model
    x, y = job._domain(tmp_path)
    model = _clone(job.original)
    assert solve_readout(model, readout_rows(model, x, y)) is model
    moved = (model.unembed - job.original.unembed).abs()
    assert 0 < moved.max() <= 1.0 + 1e-6  # within the trust region of the start (float32)
    same = {k: v for k, v in model.state_dict().items() if k != "unembed"}
    assert all(torch.equal(v, job.original.state_dict()[k]) for k, v in same.items())
    save_checkpoint(tmp_path / "exact.pt", model, **_meta(planted))
    assert _failing(tmp_path / "exact.pt") == 0


def test_freeze_keeps_the_named_modules():
    before, _ = load_checkpoint(HIST)
    data = make_dataset("hist", 8, 8, None, 300, 0)
    opts = RepairOptions(epochs=1, lr=0.1, freeze=("L0.cat_head0", "readout"))
    (after,) = tune_epochs(_clone(before), data.train.x, data.train.y, opts, seed=0)
    assert torch.equal(before.unembed, after.unembed)
    for name in ("cat_q", "cat_k", "cat_v", "cat_pred", "num_q", "num_pred"):
        same = [
            torch.equal(b, a)
            for b, a in zip(getattr(before.layers[0], name), getattr(after.layers[0], name))
        ]
        assert same == [name.startswith("cat")] * len(same)  # the numerical head trained


def test_cli_prints_a_line_per_round_and_the_result(tmp_path):
    planted = _planted(tmp_path)
    result = CliRunner().invoke(
        main,
        [
            "repair",
            str(planted),
            str(HIST_SPEC),
            "-o",
            str(tmp_path / "out"),
            "--max-len",
            "3",
            "--rounds",
            "0",
            "--dataset-size",
            "500",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "round 0: " in result.output and "failing of" in result.output


def test_cli_errors_are_one_line(tmp_path):
    compiled = CliRunner().invoke(
        main, ["repair", str(HIST), str(HIST_SPEC), "-o", str(tmp_path / "o"), "--freeze", "L9"]
    )
    assert compiled.exit_code == 2
    assert "error: --freeze L9: no module of the model matches" in compiled.output


@pytest.mark.slow  # starts two processes that each import torch
def test_workers_find_the_same_failures(tmp_path):
    planted = _planted(tmp_path)
    one = repair(
        planted, HIST_SPEC, RepairOptions(rounds=0, max_len=4), tmp_path / "one", log=lambda s: None
    )
    two = repair(
        planted,
        HIST_SPEC,
        RepairOptions(rounds=0, max_len=4, workers=2),
        tmp_path / "two",
        log=lambda s: None,
    )
    assert one["rounds"] == [{**r, "seconds": one["rounds"][0]["seconds"]} for r in two["rounds"]]


def _decided(model, rows: ReadoutRows) -> np.ndarray:
    """The class the model's readout picks for each row."""
    w = model.unembed.detach()
    width = len(w) - rows.num.shape[1]
    logits = w[rows.cat].sum(1) + rows.num @ w[width:]
    return logits.masked_fill(model.class_mask, float("-inf")).argmax(-1).numpy()


def test_rows_with_equal_variables_and_different_labels_cannot_all_be_right(tmp_path):
    planted = _planted(tmp_path)
    job = Repair(planted, HIST_SPEC, RepairOptions(max_len=3, dataset_size=1000), tmp_path)
    job.check(job.original, tmp_path)  # writes the check's model
    model = job.original
    rows = readout_rows(model, *job._domain(tmp_path))
    # A copy of the most frequent row labelled with another allowed class, on fewer positions.
    top = int(rows.counts.argmax())
    other = next(
        c for c in torch.nonzero(~model.class_mask).flatten().tolist() if c != rows.targets[top]
    )
    clash = ReadoutRows(
        torch.cat([rows.cat, rows.cat[top : top + 1]]),
        torch.cat([rows.num, rows.num[top : top + 1]]),
        torch.cat([rows.targets, torch.tensor([other])]),
        torch.cat([rows.counts, torch.tensor([1])]),
    )
    solved = solve_readout(_clone(model), clash)
    wrong = np.nonzero(_decided(solved, clash) != clash.targets.numpy())[0]
    assert wrong.tolist() == [len(clash.targets) - 1]  # the rarer label loses; all else right


def test_repair_uses_it_where_the_check_is_exhaustive(tmp_path):
    # An Adam refit too weak to move the planted error: only the linear program fixes it.
    planted = _planted(tmp_path)
    weak = dict(rounds=1, readout_steps=1, readout_lr=1e-6, **SMALL)
    quiet = lambda line: None  # noqa: E731
    off = repair(
        planted, HIST_SPEC, RepairOptions(exact_readout=False, **weak), tmp_path / "off", quiet
    )
    on = repair(planted, HIST_SPEC, RepairOptions(**weak), tmp_path / "on", quiet)
    assert off["failing_inputs"] == off["original_failing_inputs"] > 0
    assert on["failing_inputs"] == 0 == _failing(tmp_path / "on" / "model.pt")
    assert [r["round"] for r in on["rounds"]] == [0, 1]
