"""Text models lift exactly: on every test sentence of the shipped examples (unknown words
included) the lifted program, interpreted and emitted as Python, gives the model's labels;
a classifier's program gives one label per text (the pooled readout); the emitted module
prints each word embedding variable as word clusters and maps unknown words to <unk>."""

import json
import re
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner
from tpc.passes import optimize

from tpc.backends.python import load_module, to_python
from tpc.cli import main
from tpc.errors import TpcError
from tpc.interp import Interpreter
from tpc.ir import BOS, from_json, to_json
from tpc.lift import lift_checkpoint, load_model
from tpc.tasks.classify import read_examples, tokenize
from tpc.tasks.conll import read_conll
from tpc.tasks.generators import EOS
from tpc.tasks.text import normalize_word

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "nlp"
SMALL = [
    "--layers",
    "1",
    "--cat-heads",
    "2",
    "--num-heads",
    "1",
    "--cat-mlps",
    "1",
    "--num-mlps",
    "1",
    "--embed-vars",
    "2",
    "--epochs",
    "1",
    "--batch-size",
    "32",
    "--lr",
    "1e-2",
    "--quiet",
]


def _sentences(task):
    if task == "conll":
        return [
            [BOS, *map(normalize_word, s.words), EOS]
            for s in read_conll(EXAMPLES / "conll" / "test.txt")
        ]
    return [
        [BOS, *tokenize(e.text), EOS] for e in read_examples(EXAMPLES / "classify" / "test.csv")
    ]


@pytest.fixture(
    scope="module", params=[("conll", False), ("classify", True)], ids=["conll", "classify-glove"]
)
def run(request, tmp_path_factory):
    task, glove = request.param
    out = tmp_path_factory.mktemp(task)
    extra = (
        ["--glove", str(EXAMPLES / "glove.txt")]
        if glove
        else ["--dropout", "0.5", "--device", "cpu"]
    )
    r = CliRunner().invoke(
        main,
        ["train", "--task", task, "--data", str(EXAMPLES / task), *SMALL, *extra, "-o", str(out)],
    )
    assert r.exit_code == 0, r.output
    path = out / "model.pt"
    return task, path, optimize(lift_checkpoint(path), 1)


def test_metrics_are_reported(run):
    task, path, _ = run
    metrics = json.loads((path.parent / "metrics.json").read_text())
    assert metrics["sentences"] == ([400, 80, 80] if task == "conll" else [800, 100, 100])
    if task == "conll":  # entity scores (tests/train/test_metrics.py checks them against seqeval)
        assert {"test_precision", "test_recall", "test_f1", "val_f1", "test_acc"} <= set(metrics)
    else:  # the classifier was initialised from GloVe
        assert 0 < metrics["glove_found"] < metrics["glove_words"] and "test_f1" not in metrics


def _model_labels(loaded, sentences):
    ids = {t: i for i, t in enumerate(loaded.tokens)}
    n = max(map(len, sentences))
    batch = torch.tensor(
        [[ids.get(w, ids["<unk>"]) for w in s] + [0] * (n - len(s)) for s in sentences]
    )
    pred = loaded.model.predict(batch).tolist()
    return [[loaded.labels[c] for c in row[: len(s)]] for row, s in zip(pred, sentences)]


def test_lifted_text_models_are_exact(run):
    task, path, program = run
    loaded = load_model(path)
    sentences = _sentences(task)
    sentences.append([BOS, "never-seen-word", "Zqx", EOS])  # unknown words read as <unk>
    expected = _model_labels(loaded, sentences)
    assert Interpreter(program).run(sentences)["output"] == expected
    module = load_module(to_python(program))
    assert [module.run(s) for s in sentences] == expected
    again = from_json(to_json(program))  # pooled readouts and <unk> survive JSON
    assert Interpreter(again).run(sentences[:5])["output"] == expected[:5]
    if task == "classify":  # one label per text: the same at every position
        assert all(len(set(labels)) == 1 for labels in expected)


def test_embedding_tables_print_as_word_clusters(run):
    task, path, program = run
    loaded = load_model(path)
    source = to_python(program)
    data = source[source.index("\ndef run(") :]
    clusters = re.findall(r"^(EMBED_VAR\d+) = \{$", data, re.M)
    assert clusters, "the clusters are in the data section after run()"
    module = load_module(source)
    embed = loaded.model.embed.argmax(-1)  # [word id, variable] -> value
    for var, name in enumerate(sorted(clusters)):
        table = getattr(module, name)
        words = [w for ws in table.values() for w in ws]
        assert sorted(words) == sorted(loaded.tokens[1:])  # every word once, <pad> never read
        for value, ws in table.items():
            assert {int(embed[loaded.tokens.index(w), var]) for w in ws} == {value}


def test_text_programs_have_no_rasp_text(run):
    from tpc.backends.rasp import to_rasp

    with pytest.raises(TpcError, match="RASP text cannot say"):
        to_rasp(run[2])


def test_a_conll_model_of_the_default_architecture_lifts_exactly(tmp_path):
    """Issue 26's case, small: `tpc train --task conll` with every size left to its default
    (whose old numerical MLPs made tables past memory at scale) lifts, and its program labels
    every test sentence as the model does."""
    out = tmp_path / "run"
    args = ["train", "--task", "conll", "--data", str(EXAMPLES / "conll"), "--epochs", "1"]
    r = CliRunner().invoke(main, [*args, "--quiet", "-o", str(out)])
    assert r.exit_code == 0, r.output
    loaded = load_model(out / "model.pt")
    cfg = loaded.model.cfg
    sizes = cfg.n_layers, cfg.n_heads_cat, cfg.n_heads_num, cfg.n_cat_mlps, cfg.n_num_mlps
    assert sizes == (2, 4, 0, 1, 0)
    program = optimize(lift_checkpoint(out / "model.pt"), 1)
    sentences = [*_sentences("conll"), [BOS, "never-seen-word", EOS]]
    expected = _model_labels(loaded, sentences)
    assert Interpreter(program).run(sentences)["output"] == expected
    module = load_module(to_python(program))
    assert [module.run(s) for s in sentences] == expected
