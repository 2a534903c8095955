"""The text loaders: CoNLL columns, classification files (every format), GloVe vectors, and
every error a user's data can cause (one line naming file:line)."""

import json
from pathlib import Path

import numpy as np
import pytest

from tpc.errors import TpcError
from tpc.tasks.classify import read_examples, tokenize
from tpc.tasks.conll import read_conll, to_iob2
from tpc.tasks.glove import project, read_glove
from tpc.tasks.text import load_text_task, normalize_word

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "nlp"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


CONLL = """-DOCSTART- -X- -X- O

EU NNP B-NP I-ORG
rejects VBZ B-VP O
German JJ B-NP I-MISC
call NN I-NP O

Peter NNP B-NP B-PER
Blackburn NNP I-NP I-PER
in IN O O
1996 CD O O
"""


def test_conll_sentences_tags_as_iob2_and_lines(tmp_path):
    s = read_conll(write(tmp_path / "train.txt", CONLL))
    assert [x.words for x in s] == [
        ("EU", "rejects", "German", "call"),
        ("Peter", "Blackburn", "in", "1996"),
    ]
    # IOB1 (the original files): an I- that starts an entity is a B-.
    assert s[0].tags == ("B-ORG", "O", "B-MISC", "O")
    assert s[1].tags == ("B-PER", "I-PER", "O", "O")
    assert [x.line for x in s] == [3, 8]


def test_iob1_to_iob2():
    assert to_iob2(["I-PER", "I-PER", "I-LOC", "O", "I-LOC", "B-LOC", "I-LOC"]) == [
        "B-PER",
        "I-PER",
        "B-LOC",
        "O",
        "B-LOC",
        "B-LOC",
        "I-LOC",
    ]


@pytest.mark.parametrize(
    "text, where, what",
    [
        ("a O\nb X O\n", ":2:", "3 columns"),
        ("a\n", ":1:", "expected a word and a tag"),
        ("a O\nb PERSON\n", ":2:", "not O, B-TYPE or I-TYPE"),
        ("-DOCSTART- O\n\n", ":1:", "no sentences"),
    ],
)
def test_conll_errors_name_file_and_line(tmp_path, text, where, what):
    path = write(tmp_path / "train.txt", text)
    with pytest.raises(TpcError, match=f"^{path}{where}.*{what}"):
        read_conll(path)


def test_normalize_digits_and_tokenize():
    assert (
        normalize_word("1996") == "#"
        and normalize_word("3-0") == "#-#"
        and normalize_word("G7") == "G#"
    )
    assert tokenize("It's not the movie's fault, isn't it?") == [
        "It",
        "'s",
        "not",
        "the",
        "movie",
        "'s",
        "fault",
        ",",
        "is",
        "n't",
        "it",
        "?",
    ]
    assert tokenize("A fine film.") == ["A", "fine", "film", "."]


def test_every_classification_format(tmp_path):
    rows = [("good film", "pos"), ('a "bad", dull film', "neg")]
    tsv = write(
        tmp_path / "a" / "train.tsv", "label\ttext\n" + "".join(f"{y}\t{x}\n" for x, y in rows)
    )
    bare = write(tmp_path / "b" / "train.tsv", "".join(f"{y}\t{x}\n" for x, y in rows))
    csv = write(
        tmp_path / "c" / "train.csv",
        'id,text,label\n1,good film,pos\n2,"a ""bad"", dull film",neg\n',
    )
    jsonl = write(
        tmp_path / "d" / "train.jsonl",
        "".join(json.dumps({"label": y, "text": x}) + "\n" for x, y in rows),
    )
    for path in (tsv, bare, csv, jsonl):
        got = [(e.text, e.label) for e in read_examples(path)]
        assert got == rows, path


@pytest.mark.parametrize(
    "name, text, where, what",
    [
        ("train.tsv", "label\ttext\npos\tok\nneg\n", ":3:", "1 columns where the header has 2"),
        ("train.csv", "a,b\n1,2\n", ":1:", "needs a header"),
        (
            "train.jsonl",
            '{"text": "a", "label": "x"}\n{"text": "b"}\n',
            ":2:",
            '"text" and "label"',
        ),
        ("train.jsonl", '{"text": "a", "label": "x"}\n{oops\n', ":2:", "not JSON"),
        ("train.tsv", "label\ttext\n", ":1:", "no examples"),
        ("train.tsv", "\tsome text\n", ":1:", "empty label"),
        ("train.txt", "pos\tok\n", "", "expected a .tsv, .csv or .jsonl"),
    ],
)
def test_classification_errors_name_file_and_line(tmp_path, name, text, where, what):
    path = write(tmp_path / name, text)
    with pytest.raises(TpcError, match=f"^{path}{where}.*{what}"):
        read_examples(path)


def test_conll_dataset_vocab_unk_lengths(tmp_path):
    d = tmp_path / "data"
    write(d / "train.txt", "a O\nb B-X\n\na O\nc O\n\na O\n" + "w O\n" * 5 + "\n")
    write(d / "dev.txt", "zzz O\nb B-X\n\n")
    write(d / "test.txt", "a O\n\n")
    data = load_text_task("conll", d, vocab_size=2, max_words=4)
    # the 5-word sentence is left out; <s>, </s>, a are the most frequent (first seen wins ties)
    assert data.tokens == ("<pad>", "<unk>", "<s>", "a")
    assert data.labels == ("<pad>", "B-X", "O")
    assert data.info == {"sentences": [2, 1, 1], "left_out_longer": [1, 0, 0]}
    assert data.val.x[0].tolist() == [2, 1, 1, 1]  # zzz, b and </s> are beyond the 2 words kept
    assert data.val.y[0].tolist() == [0, 2, 1, 0]


def test_text_dataset_errors(tmp_path):
    d = tmp_path / "data"
    write(d / "train.txt", "a O\n\n")
    with pytest.raises(TpcError, match="no valid.txt or dev.txt"):
        load_text_task("conll", d)
    write(d / "valid.txt", "a O\n\n")
    write(d / "test.txt", "a O\nb\tB-LOC\n\n")
    with pytest.raises(
        TpcError, match=f"^{d / 'test.txt'}:2: label 'B-LOC' does not occur in the training file"
    ):
        load_text_task("conll", d)
    with pytest.raises(TpcError, match="not a directory"):
        load_text_task("conll", tmp_path / "nowhere")
    write(d / "test.txt", "w O\n" * 31 + "\n")
    with pytest.raises(TpcError, match="the test split has no sentence of at most 30 words"):
        load_text_task("conll", d)


def test_classification_holds_out_a_tenth_without_dev(tmp_path):
    d = tmp_path / "data"
    write(
        d / "train.jsonl",
        "".join(json.dumps({"text": f"w{i} x", "label": "ab"[i % 2]}) + "\n" for i in range(50)),
    )
    write(d / "test.csv", "text,label\nw1 x,a\n")
    data = load_text_task("classify", d)
    assert [len(s.x) for s in (data.train, data.val, data.test)] == [45, 5, 1]
    assert data.labels == ("<pad>", "a", "b")
    assert data.test.y[0].tolist() == [1, 0, 0, 0]  # the label at position 0 only
    write(d / "valid.tsv", "c\tw1\n")
    with pytest.raises(TpcError, match=r"valid.tsv:1: label 'c' does not occur"):
        load_text_task("classify", d)
    write(d / "dev.tsv", "a\tw1\n")
    with pytest.raises(TpcError, match="more than one valid file"):
        load_text_task("classify", d)


def test_glove_streaming_keeps_only_the_vocabulary(tmp_path):
    path = write(tmp_path / "g.txt", "the 0.1 0.2 0.3\n. . . 1 2 3\nfilm -1 0 1e-1\n")
    vectors, dim = read_glove(path, ["film", ". . .", "missing"])
    assert dim == 3 and set(vectors) == {"film", ". . ."}
    assert vectors["film"].tolist() == [-1.0, 0.0, 0.1]
    out = project(["film", "missing"], vectors, dim, 8, seed=0)
    assert out.shape == (2, 8)
    again = project(["film", "missing"], vectors, dim, 8, seed=0)
    assert np.array_equal(out, again)


@pytest.mark.parametrize(
    "text, where, what",
    [
        ("a 1 2\nb 1\n", ":2:", "expected a word and 2 numbers"),
        ("a 1 2\nb 1 x\n", ":2:", "not a number"),
        ("", ":1:", "no vectors"),
    ],
)
def test_glove_errors(tmp_path, text, where, what):
    path = write(tmp_path / "g.txt", text)
    with pytest.raises(TpcError, match=f"^{path}{where}.*{what}"):
        read_glove(path, ["a", "b"])


def test_shipped_examples_load():
    ner = load_text_task("conll", EXAMPLES / "conll")
    assert {"B-PER", "I-PER", "B-LOC", "B-ORG", "I-ORG", "O"} <= set(ner.labels)
    assert "#" in ner.tokens  # numbers read as #
    cls = load_text_task("classify", EXAMPLES / "classify")
    assert cls.labels == ("<pad>", "neg", "pos")
    vectors, dim = read_glove(EXAMPLES / "glove.txt", cls.tokens)
    assert dim == 8 and "great" in vectors
