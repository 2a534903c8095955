"""`tpc train --init` fine-tunes any checkpoint of the task, a compiled program included."""

from pathlib import Path

import pytest
from tpc.passes import optimize

from tpc.assemble import assemble, save_compiled
from tpc.errors import TpcError
from tpc.lift import lift_checkpoint
from tpc.model.checkpoint import load_checkpoint
from tpc.model.wired import WiredProgram
from tpc.tasks import make_dataset
from tpc.train import TrainOptions, train
from tpc.train.loop import accuracy

MODELS = Path(__file__).resolve().parents[2] / "examples" / "models"


def _options(init, **kw):
    return TrainOptions(
        task="sort", dataset_size=300, batch_size=64, epochs=1, init=str(init), **kw
    )


def test_compiled_checkpoint_is_fine_tuned_from_its_own_architecture(tmp_path):
    compiled = tmp_path / "compiled.pt"
    save_compiled(assemble(optimize(lift_checkpoint(MODELS / "sort" / "model.pt"))), compiled)
    start, _ = load_checkpoint(compiled)
    # A vanishing learning rate: one epoch of Adam leaves the program as compiled.
    metrics = train(_options(compiled, lr=1e-12), tmp_path / "run", progress=False)
    tuned, _ = load_checkpoint(tmp_path / "run" / "model.pt")
    assert isinstance(tuned, WiredProgram) and tuned.cfg == start.cfg
    # ... which computes what the trained model it was lifted from computes.
    trained, _ = load_checkpoint(MODELS / "sort" / "model.pt")
    data = make_dataset("sort", None, None, None, 300, 0)
    assert metrics["test_acc"] == accuracy(trained, data.test.x, data.test.y) > 0.5


def test_init_from_another_task_is_a_user_error(tmp_path):
    with pytest.raises(TpcError, match="tokens and labels differ from the task's"):
        train(_options(MODELS / "hist" / "model.pt"), tmp_path / "run", progress=False)
