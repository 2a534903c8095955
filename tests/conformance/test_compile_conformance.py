"""Every conformance program that `tpc run` accepts also compiles to weights that agree with
its source on every input up to length 6 (vocabulary a b 1). The default suite checks a
sample (a numerical mean, a program with a run-time error); -m slow checks them all."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tpc.cli import main

PROGRAMS = Path(__file__).parent / "programs"
ALL = sorted(p.name for p in PROGRAMS.glob("*.rasp"))
SAMPLE = ["agg_mean.rasp", "err_division_by_zero.rasp"]


def compile_and_verify(name: str, tmp_path) -> None:
    runner = CliRunner()
    source, compiled = str(PROGRAMS / name), str(tmp_path / "model.pt")
    done = runner.invoke(
        main, ["compile", source, "--vocab", "a b 1", "--max-len", "6", "-o", compiled]
    )
    assert done.exit_code == 0, done.output
    checked = runner.invoke(main, ["verify", source, compiled, "--max-len", "6"])
    assert checked.exit_code == 0, checked.output
    assert checked.output == "checked 1093 inputs (exhaustive, lengths 0..6): equivalent\n"


@pytest.mark.parametrize("name", SAMPLE)
def test_compiled_sample_matches_its_source(name, tmp_path):
    compile_and_verify(name, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("name", ALL)
def test_every_compiled_program_matches_its_source(name, tmp_path):
    compile_and_verify(name, tmp_path)
