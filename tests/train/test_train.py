import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from tests.train.small import TINY_SORT, train_flags
from tpc.model.checkpoint import load_checkpoint
from tpc.train import TrainOptions, train
from tpc.train import progress as progress_module

BIN = Path(sys.executable).parent


def weights(path):
    return load_checkpoint(path)[0].state_dict()


def assert_same_weights(a, b):
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_same_seed_gives_bit_identical_weights(tmp_path):
    train(TrainOptions(**TINY_SORT), tmp_path / "a", progress=False)
    train(TrainOptions(**TINY_SORT), tmp_path / "b", progress=False)
    assert_same_weights(weights(tmp_path / "a/model.pt"), weights(tmp_path / "b/model.pt"))
    train(TrainOptions(**{**TINY_SORT, "seed": 1}), tmp_path / "c", progress=False)
    assert not torch.equal(
        weights(tmp_path / "a/model.pt")["unembed"], weights(tmp_path / "c/model.pt")["unembed"]
    )


def test_resume_after_a_kill_ends_with_the_uninterrupted_weights(tmp_path, monkeypatch):
    train(TrainOptions(**TINY_SORT), tmp_path / "full", progress=False)

    real_update = progress_module.Progress.update

    def killed_at_epoch_3(self, epoch, **fields):
        if epoch == 3:
            raise KeyboardInterrupt
        real_update(self, epoch, **fields)

    monkeypatch.setattr(progress_module.Progress, "update", killed_at_epoch_3)
    with pytest.raises(KeyboardInterrupt):
        train(TrainOptions(**TINY_SORT), tmp_path / "killed", progress=False)
    assert not (tmp_path / "killed/model.pt").exists()
    monkeypatch.setattr(progress_module.Progress, "update", real_update)
    train(TrainOptions(**TINY_SORT), tmp_path / "killed", resume=True, progress=False)
    assert_same_weights(weights(tmp_path / "full/model.pt"), weights(tmp_path / "killed/model.pt"))


def test_outputs_checkpoint_and_hard_mode_metrics(tmp_path):
    metrics = train(TrainOptions(**TINY_SORT), tmp_path, progress=False)
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert {"train_acc", "val_acc", "test_acc"} <= saved.keys()
    assert saved["test_acc"] == metrics["test_acc"]
    payload = torch.load(tmp_path / "model.pt", weights_only=True)
    assert payload["task"] == "sort" and payload["tokens"][0] == "<pad>"
    assert payload["config"]["n_heads_cat"] == 2 and "training" not in payload
    model, meta = load_checkpoint(tmp_path / "model.pt")
    from tpc.tasks import make_dataset
    from tpc.train import accuracy

    data = make_dataset("sort", 6, 6, None, 300, 0)
    assert accuracy(model, data.test.x, data.test.y) == saved["test_acc"]
    assert meta.metrics["test_acc"] == saved["test_acc"]


def test_init_starts_from_a_checkpoint(tmp_path):
    train(TrainOptions(**{**TINY_SORT, "epochs": 1}), tmp_path / "a", progress=False)
    opts = TrainOptions(
        **{**TINY_SORT, "epochs": 1, "lr": 1e-12, "init": str(tmp_path / "a/model.pt")}
    )
    train(opts, tmp_path / "b", progress=False)
    a, b = weights(tmp_path / "a/model.pt"), weights(tmp_path / "b/model.pt")
    assert torch.allclose(a["unembed"], b["unembed"], atol=1e-6)


def cli(*args, cwd=None):
    return subprocess.run([str(BIN / "tpc"), *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--task", "sorting"], "unknown task"),
        (["--task", "sort", "--d-var", "4"], "narrower than the one-hot vocabulary"),
        (["--task", "sort", "--layers", "0"], "'--layers': 0 is not in the range 1<=x<=64"),
    ],
)
def test_cli_user_errors_are_one_line_and_exit_2(tmp_path, args, message):
    r = cli("train", *args, "--epochs", "1", "--dataset-size", "100", "-o", str(tmp_path / "o"))
    assert r.returncode == 2 and message in r.stderr
    assert r.stderr.strip().count("\n") == 0 and r.stderr.startswith("error:")


def test_cli_unwritable_output_dir(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    r = cli("train", "--task", "sort", "-o", str(blocker / "run"))
    assert r.returncode == 2 and "cannot write to output directory" in r.stderr


def test_cli_trains_and_reports(tmp_path):
    r = cli(
        "train",
        "--task",
        "hist",
        *train_flags(
            layers=1,
            cat_heads=1,
            num_heads=1,
            cat_mlps=0,
            num_mlps=1,
            epochs=2,
            dataset_size=200,
            batch_size=50,
        ),
        "-o",
        str(tmp_path),
    )
    assert r.returncode == 0, r.stderr
    assert "epoch 2/2" in r.stderr and "tau" in r.stderr and "test_acc=" in r.stdout


def test_distributed_training_with_torchrun(tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    r = subprocess.run(
        [
            str(BIN / "torchrun"),
            "--standalone",
            "--nproc_per_node",
            "2",
            "-m",
            "tpc.cli",
            "train",
            "--task",
            "sort",
            "--vocab-size",
            "6",
            "--max-len",
            "6",
            "--layers",
            "1",
            "--cat-heads",
            "2",
            "--num-heads",
            "0",
            "--cat-mlps",
            "1",
            "--num-mlps",
            "0",
            "--epochs",
            "2",
            "--dataset-size",
            "300",
            "--batch-size",
            "64",
            "--quiet",
            "-o",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    model, meta = load_checkpoint(tmp_path / "model.pt")
    assert meta.task == "sort" and model.cfg.n_heads_cat == 2
    assert 0.0 <= json.loads((tmp_path / "metrics.json").read_text())["test_acc"] <= 1.0


def test_sigkill_at_any_point_then_resume_ends_with_the_uninterrupted_weights(tmp_path):
    """A real `tpc train` killed with SIGKILL mid-run: resume.pt is never half-written (it loads
    whenever it exists), and --resume ends with exactly the uninterrupted run's weights."""
    opts = {**TINY_SORT, "epochs": 40, "checkpoint_every": 1}
    train(TrainOptions(**opts), tmp_path / "full", progress=False)
    args = [str(BIN / "tpc"), "train", "--quiet", "-o", str(tmp_path / "killed")]
    for key, value in opts.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    proc = subprocess.Popen(args, env={**os.environ, "OMP_NUM_THREADS": "1"})
    resume = tmp_path / "killed" / "resume.pt"
    try:
        deadline = time.monotonic() + 120
        while (
            time.monotonic() < deadline and proc.poll() is None
        ):  # kill once training is under way
            if resume.exists() and load_checkpoint(resume)[1].training["epoch"] >= 3:
                break
            time.sleep(0.01)
        proc.kill()  # SIGKILL: mid-epoch or mid-write, wherever it is
    finally:
        proc.wait()
    epoch = load_checkpoint(resume)[1].training["epoch"]
    assert 3 <= epoch < opts["epochs"], "the run finished before it could be killed"
    assert not (tmp_path / "killed" / "model.pt").exists()
    train(TrainOptions(**opts), tmp_path / "killed", resume=True, progress=False)
    assert_same_weights(weights(tmp_path / "full/model.pt"), weights(tmp_path / "killed/model.pt"))
