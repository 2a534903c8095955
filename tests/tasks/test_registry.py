"""The task registry is the one place a task's facts live: its records agree with the
generators and the spec files, and the options, help and conventions read them."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tpc.errors import TpcError
from tpc.tasks.registry import TASKS, task_names
from tpc.train.options import TrainOptions
from tpc.verify.conventions import convention_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", task_names(text=False))
def test_a_generated_input_ends_with_the_records_eos_exactly_when_it_has_one(name):
    task = TASKS[name]
    examples = task.generate(
        task.vocab_size, 50, task.min_length, task.max_length, np.random.RandomState(0)
    )
    assert {x[-1] == task.eos for x, _ in examples} == {task.eos is not None}


def test_every_spec_file_belongs_to_one_task_and_every_synthetic_task_has_one():
    files = sorted(p.name for p in (ROOT / "examples" / "specs").glob("*.rasp"))
    assert sorted(TASKS[n].spec for n in task_names(spec=True)) == files
    assert task_names(spec=False) == task_names(text=True)


def test_unset_options_take_the_tasks_defaults_and_given_ones_win():
    dyck = TrainOptions(task="dyck1", layers=1).with_task_defaults()
    assert (dyck.layers, dyck.causal, dyck.max_length) == (1, True, 16)
    conll = TrainOptions(task="conll").with_task_defaults()
    assert (conll.embed_vars, conll.vocab_size, conll.max_length) == (4, 10000, 30)
    assert TrainOptions(task="sort", causal=False).with_task_defaults().causal is False
    with pytest.raises(TpcError, match="unknown task 'sortt'"):
        TrainOptions(task="sortt").with_task_defaults()


def test_text_tasks_generate_nothing_and_synthetic_ones_read_no_files(tmp_path):
    from tpc.tasks.dataset import make_dataset
    from tpc.train.setup import load_data

    with pytest.raises(TpcError, match="conll reads its sentences from files"):
        make_dataset("conll")
    with pytest.raises(TpcError, match=r"text tasks \(conll, classify\); sort is generated"):
        load_data(TrainOptions(task="sort", data=str(tmp_path)))


def test_verify_conventions_are_the_tasks():
    assert convention_for("sort").eos == "</s>" and convention_for("hist").eos is None
    with pytest.raises(TpcError, match="unknown task or convention 'conll'"):
        convention_for("conll")  # no spec to check a text model against


def test_train_help_names_every_task_and_the_defaults_that_differ():
    done = subprocess.run(
        [sys.executable, "-m", "tpc.cli", "train", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    text = " ".join(done.stdout.split())
    assert done.returncode == 0 and all(name in text for name in TASKS)
    assert "[default: false; dyck1, dyck2, induction true]" in text
