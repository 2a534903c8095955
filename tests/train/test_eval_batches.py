"""Hard-mode evaluation runs in batches bounded by query-key pairs, not by sentences: long
inputs get small batches (a run's peak memory), and the batching changes no prediction."""

from __future__ import annotations

import torch

from tests.model.tiny import tiny_checkpoint
from tpc.model.checkpoint import load_checkpoint
from tpc.train import loop


def test_long_inputs_are_evaluated_in_small_batches_with_the_same_predictions(
    tmp_path, monkeypatch
):
    model, _ = load_checkpoint(tiny_checkpoint(tmp_path / "m.pt", seed=3))
    x = torch.randint(1, 5, (23, 5))  # 23 inputs of 5 positions (no padding)
    whole = model.predict(x)
    sizes = []
    predict = model.predict
    monkeypatch.setattr(model, "predict", lambda batch: sizes.append(len(batch)) or predict(batch))
    monkeypatch.setattr(loop, "EVAL_PAIRS", 100)  # 100 // 5**2 = 4 inputs a batch
    assert torch.equal(loop.predictions(model, x), whole)
    assert sizes == [4] * 5 + [3]
    sizes.clear()
    monkeypatch.setattr(loop, "EVAL_PAIRS", 24)  # fewer pairs than one input has: 1 a batch
    assert torch.equal(loop.predictions(model, x), whole)
    assert sizes == [1] * 23
