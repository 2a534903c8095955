"""A user's own task with no code: `spec:FILE.rasp` (labelled by the spec) and
`data:FILE.jsonl` (labelled by the file; bad lines are file:line errors)."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from tpc.cli import main
from tpc.errors import TpcError
from tpc.tasks import get_task, make_dataset

SPECS = Path(__file__).resolve().parents[2] / "examples" / "specs"


def _rows(split, data):
    for x, y in zip(split.x.tolist(), split.y.tolist()):
        tokens = [data.tokens[i] for i in x if i]
        yield tokens, [data.labels[i] for i in y[: len(tokens)]]


def test_spec_task_is_labelled_by_the_spec():
    data = make_dataset(f"spec:{SPECS / 'hist.rasp'}", 6, 6, None, 300, 0)
    assert data.tokens == ("<pad>", "0", "1", "2", "3", "<s>")
    seen = 0
    for tokens, labels in _rows(data.train, data):
        assert tokens[0] == "<s>" and 1 <= len(tokens) - 1 <= 5
        counts = Counter(tokens[1:])
        assert labels == ["<pad>", *(str(counts[t]) for t in tokens[1:])]
        seen += 1
    assert seen == len(data.train.x) > 200


def test_spec_task_declared_vocabulary_and_length(tmp_path):
    spec = tmp_path / "rev.rasp"
    header = "#!tpc vocab 'a' 'b' 'c'\n#!tpc max_len 4\n"
    spec.write_text(header + (SPECS / "reverse.rasp").read_text())
    task = get_task(f"spec:{spec}")
    assert (task.vocab_size, task.max_length) == (5, 5)
    data = make_dataset(f"spec:{spec}", None, None, None, 200, 1)
    assert set(data.tokens) == {"<pad>", "<s>", "a", "b", "c"}
    for tokens, labels in _rows(data.train, data):
        assert labels == ["<pad>", *tokens[1:][::-1]]


def _jsonl(tmp_path, lines) -> Path:
    path = tmp_path / "task.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_data_task_reads_its_file(tmp_path):
    lines = [
        json.dumps({"tokens": list(w), "labels": [c.upper() for c in w]})
        for w in ("ab", "ba", "abc", "ca", "cab", "bb", "a", "ccc", "bca", "acb", "bac")
    ]
    lines.append(json.dumps({"tokens": ["a", "b"], "labels": [None, "B"]}))  # unscored first
    data = make_dataset(f"data:{_jsonl(tmp_path, lines)}", None, None, None, 100, 0)
    assert data.labels[0] == "<pad>" and set(data.labels) <= {"<pad>", "A", "B", "C"}
    total = sum(len(s.x) for s in (data.train, data.val, data.test))
    assert total == 11  # "ab" twice: inputs are deduplicated as the paper's tasks are


@pytest.mark.parametrize(
    "line, message",
    [
        ("not json", "not JSON"),
        ('{"tokens": ["a"]}', 'expected an object with "tokens" and "labels"'),
        ('{"tokens": ["a", "b"], "labels": ["A"]}', "2 tokens but 1 labels"),
        ('{"tokens": [], "labels": []}', "non-empty lists"),
        ('{"tokens": ["a b"], "labels": ["A"]}', "is not a token"),
        ('{"tokens": [["a"]], "labels": ["A"]}', "is not a token"),
        ('{"tokens": ["<s>"], "labels": ["A"]}', "tokens may not be null, <s> or <pad>"),
    ],
)
def test_bad_lines_are_file_line_errors(tmp_path, line, message):
    good = json.dumps({"tokens": ["a"], "labels": ["A"]})
    path = _jsonl(tmp_path, [good, "", line])
    with pytest.raises(TpcError, match=f"^{re.escape(str(path))}:3: .*{re.escape(message)}"):
        get_task(f"data:{path}")
    result = CliRunner().invoke(
        main, ["train", "--task", f"data:{path}", "-o", str(tmp_path / "r")]
    )
    assert result.exit_code == 2 and result.output.startswith(f"error: {path}:3: ")


def test_missing_files_are_errors(tmp_path):
    for task in (f"spec:{tmp_path / 'none.rasp'}", "data:"):
        with pytest.raises(TpcError, match="no such file"):
            get_task(task)


def test_train_on_a_spec_task_end_to_end(tmp_path):
    small = "--vocab-size 5 --max-len 4 --layers 1 --cat-heads 1 --num-heads 0 --cat-mlps 0"
    small += " --num-mlps 0 --epochs 1 --dataset-size 100 --quiet"
    task = f"spec:{SPECS / 'sort.rasp'}"
    result = CliRunner().invoke(
        main, ["train", "--task", task, *small.split(), "-o", str(tmp_path / "run")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "run" / "model.pt").is_file()


def test_spec_task_sees_its_declared_tokens_as_declared(tmp_path):
    spec = tmp_path / "names.rasp"
    spec.write_text(
        '#!tpc vocab 1 2 3\nnames = map {1: "one", 2: "two", 3: "three"} (tokens);\noutput names;\n'
    )
    data = make_dataset(f"spec:{spec}", None, None, None, 100, 0)
    assert set(data.tokens) == {"<pad>", "<s>", "1", "2", "3"}
    words = {"1": "one", "2": "two", "3": "three"}
    for tokens, labels in _rows(data.train, data):
        assert labels == ["<pad>", *(words[t] for t in tokens[1:])]
