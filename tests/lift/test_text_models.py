"""Text models lift exactly: on every test sentence of the shipped examples (unknown words
included) the lifted program, interpreted and emitted as Python, gives the model's labels;
a classifier's program gives one label per text (the pooled readout); the emitted module
prints each word embedding variable as word clusters and maps unknown words to <unk>."""

import re
from pathlib import Path

import pytest
import torch

from tpc.backends.python import load_module, to_python
from tpc.errors import TpcError
from tpc.interp import Interpreter
from tpc.ir import BOS, from_json, to_json
from tpc.lift import lift_checkpoint, load_model
from tpc.passes import optimize
from tpc.tasks.classify import read_examples, tokenize
from tpc.tasks.conll import read_conll
from tpc.tasks.generators import EOS
from tpc.tasks.text import normalize_word
from tpc.train import TrainOptions, train

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "nlp"
SMALL = dict(layers=1, cat_heads=2, num_heads=1, cat_mlps=1, num_mlps=1, embed_vars=2, epochs=1,
             batch_size=32, lr=1e-2)


def _sentences(task):
    if task == "conll":
        return [[BOS, *map(normalize_word, s.words), EOS] for s in read_conll(EXAMPLES / "conll" / "test.txt")]
    return [[BOS, *tokenize(e.text), EOS] for e in read_examples(EXAMPLES / "classify" / "test.csv")]


@pytest.fixture(scope="module", params=[("conll", False), ("classify", True)], ids=["conll", "classify-glove"])
def run(request, tmp_path_factory):
    task, glove = request.param
    out = tmp_path_factory.mktemp(task)
    train(TrainOptions(task=task, data=str(EXAMPLES / task), glove=str(EXAMPLES / "glove.txt") if glove else None,
                       **SMALL), out, progress=False)
    return task, out / "model.pt"


def _model_labels(loaded, sentences):
    ids = {t: i for i, t in enumerate(loaded.tokens)}
    n = max(map(len, sentences))
    batch = torch.tensor([[ids.get(w, ids["<unk>"]) for w in s] + [0] * (n - len(s)) for s in sentences])
    pred = loaded.model.predict(batch).tolist()
    return [[loaded.labels[c] for c in row[: len(s)]] for row, s in zip(pred, sentences)]


def test_lifted_text_models_are_exact(run):
    task, path = run
    loaded = load_model(path)
    sentences = _sentences(task)
    sentences.append([BOS, "never-seen-word", "Zqx", EOS])  # unknown words read as <unk>
    expected = _model_labels(loaded, sentences)
    program = optimize(lift_checkpoint(path), 1)
    assert Interpreter(program).run(sentences)["output"] == expected
    module = load_module(to_python(program))
    assert [module.run(s) for s in sentences] == expected
    again = from_json(to_json(program))  # pooled readouts and <unk> survive JSON
    assert Interpreter(again).run(sentences[:5])["output"] == expected[:5]
    if task == "classify":  # one label per text: the same at every position
        assert all(len(set(labels)) == 1 for labels in expected)


def test_embedding_tables_print_as_word_clusters(run):
    task, path = run
    loaded = load_model(path)
    source = to_python(optimize(lift_checkpoint(path), 1))
    data = source[source.index("\ndef run("):]
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
        to_rasp(lift_checkpoint(run[1]))
