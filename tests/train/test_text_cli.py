"""`tpc train` on text files from the command line: --device, and data errors as one line
naming file:line with exit status 2 (training and lifting text models:
tests/lift/test_text_models.py)."""

from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from tests.train.small import ONE_HEAD_TEXT
from tpc.cli import main
from tpc.errors import TpcError
from tpc.train.setup import pick_device

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "nlp"
SMALL = [*ONE_HEAD_TEXT, "--batch-size", "64"]


def _one_line_error(args, tmp_path):
    r = CliRunner().invoke(main, ["train", *SMALL, *args, "-o", str(tmp_path / "run")])
    assert r.exit_code == 2 and r.output.startswith("error: ") and "Traceback" not in r.output
    assert r.output.count("\n") == 1
    return r.output


def test_data_errors_exit_2_naming_file_and_line(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in ("train.txt", "valid.txt"):
        (bad / name).write_text("a O\n\n")
    (bad / "test.txt").write_text("a O\nb O extra\n\n")
    assert f"{bad / 'test.txt'}:2: 3 columns" in _one_line_error(
        ["--task", "conll", "--data", str(bad)], tmp_path
    )
    glove = tmp_path / "g.txt"
    glove.write_text("a 1 2\nb 3\n")
    out = _one_line_error(
        ["--task", "conll", "--data", str(EXAMPLES / "conll"), "--glove", str(glove)], tmp_path
    )
    assert f"{glove}:2:" in out
    assert "--data DIR" in _one_line_error(["--task", "classify"], tmp_path)
    assert "no train.tsv" in _one_line_error(
        ["--task", "classify", "--data", str(tmp_path)], tmp_path
    )
    assert "--embed-vars must be >= 1" in _one_line_error(
        ["--task", "conll", "--data", str(EXAMPLES / "conll"), "--embed-vars", "0"], tmp_path
    )


def test_device_choice():
    assert pick_device("cpu") == torch.device("cpu")
    assert pick_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    if torch.cuda.is_available():
        assert pick_device("cuda").type == "cuda"
    else:
        with pytest.raises(TpcError, match="sees no CUDA device"):
            pick_device("cuda")
