"""A tracr program file wherever a program is accepted, and the errors it can cause: one line,
exit status 2, no traceback."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from tpc.cli import main

PROGRAMS = Path(__file__).parent / "programs"
HEADER = "from tracr.rasp import rasp\nfrom tracr.compiler import lib\n"


def tpc(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def write(tmp_path, text, name="prog.py"):
    path = tmp_path / name
    path.write_text(HEADER + textwrap.dedent(text))
    return path


def test_a_named_function_and_the_files_vocabulary_by_text():
    # vocab {1, 2, 3}: "3 1 2" is the ints 3, 1, 2, sorted as numbers
    done = tpc("run", f"{PROGRAMS / 'named_function.py'}:reverse", "--input", "3 1 2", "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.output) == [2, 1, 3]
    assert tpc("run", PROGRAMS / "named_function.py", "--input", "3 1 2").output == "1 2 3\n"


def test_vocab_and_max_len_options_override_the_file(tmp_path):
    path = write(tmp_path, "program = lib.make_hist()\n")  # declares no domain
    done = tpc("check", path, "--vocab", "a b", "--max-len", "3")
    assert done.exit_code == 0, done.output
    assert "domain: 2 tokens (a b), at most 3" in done.output


def test_compile_stats_and_verify_over_the_whole_domain(tmp_path):
    model = tmp_path / "sort.pt"
    done = tpc("compile", PROGRAMS / "lib_sort.py", "-o", model, "--stats", "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["params"] > 0
    checked = tpc("verify", PROGRAMS / "lib_sort.py", model)
    assert checked.exit_code == 0, checked.output
    assert checked.output == "checked 1365 inputs (exhaustive, lengths 0..5): equivalent\n"


def test_emit_rasp_compiles_back_to_the_same_program(tmp_path):
    text = tmp_path / "hist.rasp"
    assert tpc("emit", PROGRAMS / "lib_hist.py", "--to", "rasp", "-o", text).exit_code == 0
    checked = tpc("verify", PROGRAMS / "lib_hist.py", text)
    assert checked.exit_code == 0, checked.output
    assert checked.output.endswith("equivalent\n")


@pytest.mark.parametrize("command", [["trace", "--input", "a b a"], ["draw", "-o", "OUT.dot"]])
def test_inspection_commands_read_a_program_file(command, tmp_path):
    args = [a.replace("OUT", str(tmp_path / "g")) for a in command]
    done = tpc(args[0], PROGRAMS / "lib_hist.py", *args[1:])
    assert done.exit_code == 0, done.output


def test_an_emitted_module_is_not_a_program(tmp_path):
    emitted = tmp_path / "hist_emitted.py"
    assert tpc("emit", PROGRAMS / "lib_hist.py", "-o", emitted).exit_code == 0
    done = tpc("run", emitted, "--input", "a b")
    assert done.exit_code == 2
    assert done.output == (
        f"error: {emitted}: an emitted Python module cannot be read back as a program; pass "
        "the model, .rasp or IR .json it was written from\n"
    )
    # ... and `tpc verify` still runs it, against the program it came from
    assert tpc("verify", PROGRAMS / "lib_hist.py", emitted).exit_code == 0


ERRORS = {
    "raises": (
        'program = rasp.Map(lambda x: {1: "one"}[x], rasp.tokens).named("spelled")\n'
        "vocab = {1, 2}\nmax_seq_len = 3\n",
        "Map spelled_{}: its function raised KeyError: 2 on 2",
    ),
    "huge_mean": (
        "vocab = set(range(10))\nmax_seq_len = 40\n"
        "v = rasp.numerical(rasp.Map(lambda x: x * x * 1.37, rasp.tokens))\n"
        "every = rasp.Select(rasp.indices, rasp.indices, rasp.Comparison.LEQ)\n"
        "program = rasp.numerical(rasp.Aggregate(every, v, default=0)).named('m')\n",
        "Aggregate m_{}: its means could take up to 12,777,711,869 values (more than "
        "200,000); a numerical mean this large cannot be compiled exactly",
    ),
    "not_a_number": (
        "vocab = {'a'}\nmax_seq_len = 2\n"
        "program = rasp.numerical(rasp.Map(lambda t: t + '!', rasp.tokens)).named('s')\n",
        "Map s_{}: a numerical value must be a number, but it gives 'a!' on 'a'",
    ),
    "causal_length": (
        "vocab = {1}\nmax_seq_len = 2\ncausal = True\nprogram = rasp.length\n",
        "LengthType length: a causal model cannot know the whole input's length "
        "(use lib.make_length(): the length so far)",
    ),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_what_cannot_be_compiled_exactly_is_one_line_naming_it(case, tmp_path):
    source, reason = ERRORS[case]
    path = write(tmp_path, source)
    done = tpc("check", path)
    assert done.exit_code == 2
    line = done.output.strip()
    assert "\n" not in line and "Traceback" not in line
    prefix = f"error: {path}: "
    assert line.startswith(prefix)
    rest = line[len(prefix) :]
    if "{}" in reason:  # the label's number is tracr's unique id
        head, tail = reason.split("{}")
        assert (
            rest.startswith(head)
            and rest.endswith(tail)
            and rest[len(head) : -len(tail) or None].isdigit()
        )
    else:
        assert rest == reason


@pytest.mark.parametrize(
    "source, reason",
    [
        ("program = 3\n", "program is int, not a tracr SOp"),
        (
            "x = rasp.tokens\n",
            "no module-level 'program' (a tracr program file defines `program`, "
            "or name one as FILE.py:NAME)",
        ),
        ("def program():\n    raise KeyError('k')\n", "program() raised KeyError: 'k'"),
    ],
)
def test_a_file_without_a_program(source, reason, tmp_path):
    path = write(tmp_path, source)
    done = tpc("run", path, "--input", "1")
    assert (done.exit_code, done.output) == (2, f"error: {path}: {reason}\n")


def test_errors_in_the_file_are_located(tmp_path):
    path = write(tmp_path, "program = rasp.Map(lambda x: x, rasp.tokens\n")
    assert tpc("run", path, "--input", "1").output == f"error: {path}:3:19: '(' was never closed\n"
    path = write(tmp_path, "y = 1\nprogram = undefined_name\n")
    assert (
        tpc("run", path, "--input", "1").output
        == f"error: {path}:4: NameError: name 'undefined_name' is not defined\n"
    )


def test_tracr_imports_and_the_files_own_helper_modules(tmp_path):
    (tmp_path / "helpers.py").write_text(
        "from tracr.rasp import rasp\n\ndef twice(s):\n    return rasp.Map(lambda x: x * 2, s)\n"
    )
    path = tmp_path / "prog.py"
    path.write_text(
        "from tracr.compiler import compiling, lib\n"
        "from tracr.compiler.lib import make_hist\n"
        "from tracr.rasp import causal_eval\n"
        "import tracr.rasp.rasp as rasp\n"
        "from helpers import twice\n"
        "vocab = {1, 2}\nmax_seq_len = 4\n"
        "program = twice(make_hist())\n"
        "assert causal_eval.evaluate(program, [1, 1]) == [2, 4]\n"
        "assert callable(compiling.compile_rasp_to_model) and rasp.Map\n"
    )
    done = tpc("run", path, "--input", "1 2 1", "--json")
    assert (done.exit_code, done.output) == (0, "[4, 2, 4]\n")
