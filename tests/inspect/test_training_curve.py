"""`tpc train` keeps the loss and accuracy of every epoch and draws the training curve."""

import json

from tests.train.small import TINY_SORT
from tpc.train import TrainOptions, train
from tpc.train.loop import CURVE_FILE

TINY = {**TINY_SORT, "epochs": 3, "dataset_size": 100}


def test_metrics_hold_every_epoch_and_the_curve_is_drawn(tmp_path):
    train(TrainOptions(**TINY), tmp_path / "full", progress=False)
    history = json.loads((tmp_path / "full/metrics.json").read_text())["history"]
    assert [h["epoch"] for h in history] == [1, 2, 3]
    assert all(h["loss"] > 0 and 0 <= h["acc"] <= 1 for h in history)
    assert (tmp_path / "full" / CURVE_FILE).read_bytes().startswith(b"\x89PNG")
    # Resuming keeps the epochs already run (resume.pt carries them; here all of them).
    (tmp_path / "full/metrics.json").unlink()
    train(TrainOptions(**TINY), tmp_path / "full", progress=False, resume=True)
    assert json.loads((tmp_path / "full/metrics.json").read_text())["history"] == history
