import json

import pytest
import torch

from tpc.errors import TpcError
from tpc.model.reference import load_reference_run


def encode(inputs, tokens):
    index = {t: i for i, t in enumerate(tokens)}
    width = max(len(s) for s in inputs)
    return torch.tensor([[index[t] for t in s] + [0] * (width - len(s)) for s in inputs])


@pytest.mark.parametrize("task", ["sort", "hist"])
def test_hard_mode_reproduces_every_reference_prediction(shared_dir, task):
    run = load_reference_run(shared_dir / "reference" / task)
    cases = json.loads((shared_dir / "reference" / task / "cases.json").read_text())
    pred = run.model.predict(encode(cases["inputs"], run.tokens))
    wrong = [
        (i, p)
        for i, (s, want) in enumerate(zip(cases["inputs"], cases["predictions"]))
        for p, (got, w) in enumerate(zip(pred[i, : len(s)].tolist(), want))
        if run.labels[got] != w
    ]
    assert len(cases["inputs"]) == 2000 and wrong == []


def test_vocabulary_is_rebuilt_without_vocab_json(shared_dir, tmp_path):
    src = shared_dir / "reference" / "sort"
    for name in ("model.pt", "args.json"):
        (tmp_path / name).write_bytes((src / name).read_bytes())
    run = load_reference_run(tmp_path)
    vocab = json.loads((src / "vocab.json").read_text())
    assert list(run.tokens) == vocab["tokens"] and list(run.labels) == vocab["labels"]


def test_a_run_without_weights_is_a_user_error(shared_dir, tmp_path):
    (tmp_path / "args.json").write_bytes((shared_dir / "reference/sort/args.json").read_bytes())
    with pytest.raises(TpcError, match="no checkpoint at .*model.pt"):
        load_reference_run(tmp_path)
