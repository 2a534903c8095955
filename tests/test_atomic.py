"""Output files: written atomically, through symlinks, never over special files."""

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from tpc.atomic import atomic_open, write_text
from tpc.cli import main
from tpc.errors import TpcError

REVERSE = str(Path(__file__).resolve().parent.parent / "examples/rasp/reverse.rasp")


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_open(target) as f:
            f.write("half of the new")
            raise RuntimeError("killed mid-write")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_a_symlink_is_written_through_to_its_target(tmp_path):
    (tmp_path / "real.txt").write_text("old")
    (tmp_path / "link.txt").symlink_to("real.txt")
    write_text(tmp_path / "link.txt", "new")
    assert (tmp_path / "link.txt").is_symlink()
    assert (tmp_path / "real.txt").read_text() == "new"


def test_special_files_and_missing_directories_are_refused(tmp_path):
    with pytest.raises(TpcError, match="not a regular file"):
        write_text("/dev/null", "x")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    with pytest.raises(TpcError, match="directory .*missing.* does not exist"):
        write_text(tmp_path / "missing" / "x.py", "x")


@pytest.mark.parametrize("command", [["emit", REVERSE], ["compile", REVERSE, "--vocab", "a b"]])
def test_cli_output_errors_are_one_line_and_exit_2(tmp_path, command):
    for out, message in (
        ("/dev/null", "not a regular file"),
        (str(tmp_path / "no/x"), "does not exist"),
    ):
        r = CliRunner().invoke(main, [*command, "-o", out])
        assert r.exit_code == 2 and r.stderr.startswith("error: ") and message in r.stderr
        assert r.stderr.count("\n") == 1


def test_compile_refuses_standard_output_and_emit_writes_it():
    r = CliRunner().invoke(main, ["compile", REVERSE, "--vocab", "a b", "-o", "-"])
    assert r.exit_code == 2 and "a checkpoint is binary" in r.stderr
    r = CliRunner().invoke(main, ["emit", REVERSE, "--vocab", "a b", "--to", "rasp", "-o", "-"])
    assert r.exit_code == 0 and "reverse" in r.stdout
