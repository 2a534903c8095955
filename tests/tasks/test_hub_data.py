"""`--data hf:NAME`: the hub's splits reach the trainer's data as local files do. A fake
`datasets` module (this machine is offline) serves small in-memory splits shaped like the
hub's: integer label ids with their class names in the split's features."""

import sys
import types
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from tests.train.small import ONE_HEAD_TEXT
from tpc.cli import main
from tpc.errors import TpcError
from tpc.train.options import TrainOptions
from tpc.train.setup import load_data

NER_NAMES = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
TREC_NAMES = ["ABBR", "ENTY", "DESC", "HUM", "LOC", "NUM"]


class Split:
    """What the code reads of a `datasets.Dataset`: rows as dicts, column names, features."""

    def __init__(self, rows: list[dict], features: dict):
        self.rows, self.features, self.column_names = rows, features, list(rows[0])

    def __iter__(self):
        return iter(self.rows)


def class_label(names):
    return SimpleNamespace(names=names)


def ner_split(sentences):
    rows = [
        {"tokens": [w for w, _ in s], "ner_tags": [NER_NAMES.index(t) for _, t in s]}
        for s in sentences
    ]
    return Split(
        rows, {"tokens": None, "ner_tags": SimpleNamespace(feature=class_label(NER_NAMES))}
    )


def trec_split(examples):
    rows = [{"text": text, "coarse_label": TREC_NAMES.index(label)} for text, label in examples]
    return Split(rows, {"text": None, "coarse_label": class_label(TREC_NAMES)})


HUB = {
    "conll2003": {
        "train": ner_split(
            [
                [("Ann", "B-PER"), ("lives", "O"), ("in", "O"), ("Rome", "B-LOC")],
                [("New", "B-LOC"), ("York", "I-LOC"), ("is", "O"), ("big", "O")],
            ]
        ),
        "validation": ner_split([[("Rome", "B-LOC"), ("2020", "O")]]),
        "test": ner_split([[("Ann", "B-PER"), ("sings", "O")]]),
    },
    "trec": {  # no validation split: a tenth of train is held out, as for local files
        "train": trec_split(
            [(f"what is w{i} ?", ["DESC", "NUM", "LOC"][i % 3]) for i in range(30)]
        ),
        "test": trec_split([("how many w1 ?", "NUM")]),
    },
    # SetFit's copies: plain integer labels beside a label_text column
    "SetFit/subj": {
        split: Split(
            [
                {"text": "a plot", "label": 0, "label_text": "objective"},
                {"text": "i loved it", "label": 1, "label_text": "subjective"},
            ]
            * 5,
            {"text": None, "label": None, "label_text": None},
        )
        for split in ("train", "test")
    },
}


@pytest.fixture
def hub(monkeypatch):
    """A fake `datasets` module; returns the names it was asked for."""
    asked = []

    def load_dataset(name):
        asked.append(name)
        if name not in HUB:
            raise FileNotFoundError(
                f"Couldn't find '{name}' on the Hugging Face Hub\n(more detail)"
            )
        return HUB[name]

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=load_dataset))
    return asked


def decode(split, vocab):
    return [[vocab[i] for i in row if i != 0] for row in split.tolist()]


def test_conll_from_the_hub_reaches_the_trainer_with_tag_names(hub, monkeypatch):
    data = load_data(TrainOptions(task="conll", data="hf:conll2003"))
    assert hub == ["conll2003"]
    assert data.labels == ("<pad>", "B-LOC", "B-PER", "I-LOC", "O")  # the training split's tags
    assert decode(data.train.y, data.labels) == [
        ["B-PER", "O", "O", "B-LOC"],
        ["B-LOC", "I-LOC", "O", "O"],
    ]
    assert decode(data.val.x, data.tokens) == [
        ["<s>", "Rome", "<unk>", "</s>"]
    ]  # 2020 -> '#', unseen
    assert decode(data.val.y, data.labels) == [["B-LOC", "O"]]
    assert decode(data.test.y, data.labels) == [["B-PER", "O"]]
    # I-PER never occurs in training: the same one-line error as a local file's, naming the row
    monkeypatch.setitem(
        HUB, "ner", {**HUB["conll2003"], "test": ner_split([[("Ann", "B-PER"), ("Lee", "I-PER")]])}
    )
    with pytest.raises(TpcError, match=r"^hf:ner/test:1: label 'I-PER' does not occur"):
        load_data(TrainOptions(task="conll", data="hf:ner"))


def test_classification_from_the_hub_holds_out_a_tenth(hub):
    data = load_data(TrainOptions(task="classify", data="hf:trec"))
    assert [len(s.x) for s in (data.train, data.val, data.test)] == [27, 3, 1]
    assert data.labels == ("<pad>", "DESC", "LOC", "NUM")
    assert decode(data.test.y, data.labels) == [["NUM"]]
    assert decode(data.test.x, data.tokens)[0][:3] == ["<s>", "<unk>", "<unk>"]  # 'how many' unseen
    subj = load_data(TrainOptions(task="classify", data="hf:SetFit/subj"))
    assert subj.labels == ("<pad>", "objective", "subjective")
    assert decode(subj.test.y, subj.labels)[:2] == [["objective"], ["subjective"]]


def test_train_from_the_hub_on_the_command_line(hub, tmp_path):
    args = [
        "train",
        "--task",
        "classify",
        "--data",
        "hf:trec",
        *ONE_HEAD_TEXT,
        "-o",
        str(tmp_path / "run"),
    ]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    assert "test_acc=" in r.output and (tmp_path / "run" / "model.pt").is_file()


def one_line_error(args, tmp_path):
    r = CliRunner().invoke(
        main, ["train", *args, "--epochs", "1", "--quiet", "-o", str(tmp_path / "run")]
    )
    assert r.exit_code == 2 and r.output.startswith("error: ") and r.output.count("\n") == 1, (
        r.output
    )
    return r.output


def test_hub_errors_are_one_line(hub, tmp_path, monkeypatch):
    assert "cannot load it from the hub: Couldn't find 'nope'" in one_line_error(
        ["--task", "classify", "--data", "hf:nope"], tmp_path
    )
    monkeypatch.setitem(HUB, "no_test", {"train": HUB["trec"]["train"]})
    assert "has no 'test' split" in one_line_error(
        ["--task", "classify", "--data", "hf:no_test"], tmp_path
    )
    assert "no 'tokens' column" in one_line_error(
        ["--task", "conll", "--data", "hf:trec"], tmp_path
    )
    unlabelled = trec_split([("what ?", "NUM")])
    unlabelled.rows[0]["coarse_label"] = -1  # how GLUE's test splits mark unlabelled rows
    monkeypatch.setitem(HUB, "glue_like", {"train": HUB["trec"]["train"], "test": unlabelled})
    assert "hf:glue_like/test:1: label -1 is not one of the 6 classes" in one_line_error(
        ["--task", "classify", "--data", "hf:glue_like"], tmp_path
    )


def test_without_the_datasets_library(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "datasets", None)  # import datasets -> ImportError
    assert "needs the datasets library (pip install 'tpc[hf]')" in one_line_error(
        ["--task", "conll", "--data", "hf:conll2003"], tmp_path
    )
