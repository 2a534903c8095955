"""Size options left out take the task's default: the paper's RASP-task sizes for the
generated tasks, the paper's classification sizes (no numerical heads or MLPs) for text; an
option given is kept, for either kind of task."""

from pathlib import Path

from tpc.train.options import TrainOptions
from tpc.train.setup import build_config, load_data

NLP = Path(__file__).resolve().parents[2] / "examples" / "nlp"


def _config(**options):
    opts = TrainOptions(**options).with_task_defaults()
    return build_config(opts, load_data(opts))


def _sizes(cfg):
    return cfg.n_layers, cfg.n_heads_cat, cfg.n_heads_num, cfg.n_cat_mlps, cfg.n_num_mlps


def test_generated_tasks_keep_the_papers_sizes():
    assert _sizes(_config(task="sort", dataset_size=20)) == (3, 4, 4, 2, 2)


def test_text_tasks_default_to_categorical_modules_only():
    for task in ("conll", "classify"):
        assert _sizes(_config(task=task, data=str(NLP / task))) == (2, 4, 0, 1, 0)


def test_given_sizes_are_kept():
    given = dict(layers=3, num_heads=2, num_mlps=1)
    assert _sizes(_config(task="classify", data=str(NLP / "classify"), **given)) == (3, 4, 2, 1, 1)
    assert _sizes(_config(task="sort", dataset_size=20, num_heads=0))[2] == 0


def test_batch_size_left_out_is_the_tasks():
    assert TrainOptions(task="sort").with_task_defaults().batch_size == 512
    assert TrainOptions(task="classify").with_task_defaults().batch_size == 128
    assert TrainOptions(task="classify", batch_size=7).with_task_defaults().batch_size == 7
