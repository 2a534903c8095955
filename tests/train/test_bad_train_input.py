"""`tpc train` inputs that cannot make a run are one `error:` line and exit 2, before anything
is written (the fuzzing campaign of issue 26)."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from tpc.cli import main

TINY = ["train", "--epochs", "1", "--dataset-size", "10", "--quiet"]


def refused(args, message):
    r = CliRunner().invoke(main, args)
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert r.exit_code == 2 and r.stderr.startswith("error: "), r.stderr
    assert r.stderr.count("\n") == 1, r.stderr
    assert message in r.stderr, r.stderr


@pytest.mark.parametrize(
    "task, size, least",
    [
        ("sort", 1, 4),
        ("reverse", 3, 4),
        ("hist", 1, 3),
        ("most_freq", 2, 3),
        ("induction", 3, 4),
    ],
)
def test_a_vocabulary_too_small_for_the_task(task, size, least, tmp_path):
    refused(
        [*TINY, "--task", task, "--vocab-size", str(size), "-o", str(tmp_path / "run")],
        f"--vocab-size {size}: {task} needs at least {least}",
    )


def test_too_few_distinct_inputs_to_split(tmp_path):
    refused(
        [*TINY, "--task", "induction", "--vocab-size", "4", "-o", str(tmp_path / "run")],
        "too few for train, validation and test splits",
    )


def test_an_empty_output_path_writes_nothing_here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    refused([*TINY, "--task", "hist", "-o", ""], "-o: an empty path")
    assert os.listdir(tmp_path) == []


def test_resume_with_nothing_to_resume(tmp_path):
    refused(
        [*TINY, "--task", "hist", "-o", str(tmp_path / "run"), "--resume"],
        "--resume: nothing to resume in",
    )
    assert not (tmp_path / "run").exists()
    (tmp_path / "empty").mkdir()
    refused([*TINY, "--task", "hist", "-o", str(tmp_path / "empty"), "--resume"], "(no resume.pt)")
