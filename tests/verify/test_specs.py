"""Each spec in examples/specs agrees with its task's own data generator on every scored label."""

from pathlib import Path

import numpy as np
import pytest

from tpc.tasks.generators import BOS
from tpc.tasks.registry import TASKS, task_names
from tpc.verify import RaspRunnable
from tpc.verify.driver import _as_input_tokens

SPECS = Path(__file__).resolve().parents[2] / "examples" / "specs"


@pytest.mark.parametrize("task", task_names(spec=True))
def test_spec_matches_the_generator_labels(task):
    spec = TASKS[task]
    examples = spec.generate(
        spec.vocab_size, 300, spec.min_length, spec.max_length, np.random.RandomState(1)
    )
    eos = spec.eos
    plain = [[t for t in x if t not in (BOS, eos)] for x, _ in examples]
    vocab = sorted({t for p in plain for t in p})
    side = RaspRunnable(SPECS / spec.spec, task)
    side.bind(_as_input_tokens(vocab), max(map(len, plain)))
    typed = dict(zip(vocab, _as_input_tokens(vocab)))
    for p, (_, labels) in zip(plain, examples):
        out = side.run_values([typed[t] for t in p], [side.main_output])[side.main_output]
        assert [str(v) for v in out] == labels[1 : len(p) + 1], (task, p)
