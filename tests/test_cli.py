"""The command line: run / emit / check on small programs, output formats, user errors."""

import json
import types
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from tpc.cli import main
from tpc.load import parse_tokens

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "rasp"

HIST = """
# how many times each token occurs
hist = selector_width(select(tokens, tokens, ==));
"""
TWO = """
rev = aggregate(select(indices, length - indices - 1, ==), tokens);
is_a = tokens == "a";
output rev;
output is_a;
"""


@pytest.fixture
def cli(tmp_path):
    runner = CliRunner()

    def invoke(*args, source=None, name="prog.rasp"):
        if source is not None:
            (tmp_path / name).write_text(source)
        args = [str(tmp_path / name) if a == "PROG" else a for a in args]
        return runner.invoke(main, list(args), catch_exceptions=False)

    invoke.tmp = tmp_path
    return invoke


def test_parse_tokens():
    # Tokens are strings, as RASP's `tokens` (tokens_str) sees them (issue 10).
    assert parse_tokens("3 1 2") == ["3", "1", "2"]
    assert parse_tokens("abc") == ["a", "b", "c"]
    assert parse_tokens("312") == ["3", "1", "2"]
    assert parse_tokens("10 -1 x") == ["10", "-1", "x"]
    # Distinct tokens stay distinct (issue 15): full-width and Arabic-Indic digits, leading zeros.
    assert parse_tokens("3 ３ ٣ 007 7") == ["3", "３", "٣", "007", "7"]


def test_run_sorts_tokens_as_strings_and_tokens_int_as_numbers(tmp_path):
    # Tokens are strings, as in RASP (issue 10): "10" sorts before "2"; tokens_int sorts numbers.
    r = CliRunner().invoke(main, ["run", str(EXAMPLES / "sort.rasp"), "--input", "3 10 2"])
    assert r.exit_code == 0 and r.output == "10 2 3\n"
    prog = tmp_path / "nsort.rasp"
    prog.write_text("result = sort(tokens, tokens_int);")
    r = CliRunner().invoke(main, ["run", str(prog), "--input", "3 10 2"])
    assert r.exit_code == 0 and r.output == "2 3 10\n"


def test_run_text_and_json(cli):
    r = cli("run", "PROG", "--input", "abca", source=HIST)
    assert r.exit_code == 0 and r.output == "2 1 1 2\n"
    r = cli("run", "PROG", "--input", "a b c a", "--json")
    assert json.loads(r.output) == [2, 1, 1, 2]
    r = cli("run", "PROG", "-i", "abb", "--json", source=TWO)
    assert json.loads(r.output) == {"rev": ["b", "b", "a"], "is_a": [True, False, False]}
    r = cli("run", "PROG", "-i", "abb", "--output-name", "is_a", "--json")
    assert r.output == "[true, false, false]\n"
    r = cli("run", "PROG", "-i", "abb")
    assert r.output == "rev: b b a\nis_a: True False False\n"


def test_run_fractions(cli):
    r = cli("run", str(EXAMPLES / "frac_prevs.rasp"), "-i", "xax", "--json")
    assert r.exit_code == 0 and json.loads(r.output) == [1.0, 0.5, pytest.approx(2 / 3)]
    r = cli("run", str(EXAMPLES / "frac_prevs.rasp"), "-i", "xax")
    assert r.output == "1 1/2 2/3\n"


def test_emit_python_json_roundtrip(cli):
    r = cli(
        "emit",
        "PROG",
        "--vocab",
        "a b c",
        "--to",
        "json",
        "-o",
        str(cli.tmp / "p.json"),
        source=TWO,
    )
    assert r.exit_code == 0, r.output
    r = cli("run", str(cli.tmp / "p.json"), "-i", "cab", "--output-name", "rev")
    assert r.output == "b a c\n"
    r = cli("emit", str(cli.tmp / "p.json"), "--to", "python")
    module = types.ModuleType("emitted")
    exec(r.output, module.__dict__)
    assert module.run_all(list("cab")) == {"rev": list("bac"), "is_a": [False, True, False]}


def test_check_summary(cli):
    r = cli("check", str(EXAMPLES / "reverse.rasp"), "--vocab", "a b", "--max-len", "4")
    assert r.exit_code == 0
    assert "ok" in r.output and "depth: 2" in r.output and "outputs: reverse" in r.output
    assert "Aggregate" in r.output


def _error(result):
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and "Traceback" not in result.output
    return result.output


def test_errors_exit_2_with_one_line(cli):
    assert "does not exist" in _error(cli("run", "missing.rasp", "-i", "ab"))
    assert "--bogus" in _error(cli("run", "PROG", "-i", "ab", "--bogus", source=HIST))
    assert "unknown token 'c'" in _error(cli("run", "PROG", "-i", "abc", "--vocab", "a b"))
    assert "at most 2" in _error(cli("run", "PROG", "-i", "abc", "--max-len", "2"))
    assert "no output named" in _error(cli("run", "PROG", "-i", "ab", "--output-name", "nope"))
    assert "is not one of" in _error(cli("emit", "PROG", "--to", "c++"))
    out = _error(cli("check", "PROG", source="x = tokens ==;\n"))
    assert out.splitlines() == [out.splitlines()[0], "x = tokens ==;", "             ^"]
    assert "not JSON" in _error(cli("check", "PROG", source="{", name="bad.json"))


def test_every_command_has_a_manual():
    commands = sorted(main.commands)
    assert commands == [
        "ablate",
        "check",
        "compile",
        "draw",
        "emit",
        "export",
        "lift",
        "repair",
        "run",
        "trace",
        "train",
        "verify",
    ]
    for command in commands:
        r = CliRunner().invoke(main, [command, "--help"])
        assert r.exit_code == 0 and "Example" in r.output


def test_compile_writes_a_checkpoint_that_computes_the_program(cli):
    from tpc.artifact import Choices, load
    from tpc.interp import Interpreter
    from tpc.model.checkpoint import load_model

    sort = str(EXAMPLES / "sort.rasp")
    out = cli.tmp / "sort.pt"
    r = cli(
        "compile", sort, "--vocab", "1 2 3", "--max-len", "4", "-o", str(out), "--stats", "--json"
    )
    assert r.exit_code == 0, r.output
    assert set(json.loads(r.output)) == {"layers", "heads", "mlps", "d_model", "params", "seconds"}
    loaded = load_model(out)
    assert loaded.implicit_bos and loaded.model.cfg.n_ctx == 5  # BOS + 4 tokens
    program = load(sort, Choices(["1", "2", "3"], 4))
    inputs = [list(s) for s in ("", "2", "31", "132", "3312", "2121")]
    want = Interpreter(program).run(inputs)
    ids = {str(t): i for i, t in enumerate(loaded.tokens)}
    for i, seq in enumerate(inputs):
        row = [ids["<s>"], *(ids[str(t)] for t in seq)]
        pred = loaded.model.predict(torch.tensor([row]))[0, 1:].tolist()  # no output at BOS
        assert {o: [loaded.labels[k] for k in pred] for o in want} == {
            o: v[i] for o, v in want.items()
        }
    assert "error: " in _error(
        cli("compile", sort, "--vocab", "1 2", "-o", str(out), "--output-name", "nope")
    )


def test_lifted_rasp_text_runs_and_compiles_with_no_domain_options(tmp_path, shared_dir):
    """Issue 16, reproductions 3 and 9: the text declares its domain; `tpc run` types the
    model's string tokens and adds BOS when the input does not start with it."""
    import json as _json

    run_dir = shared_dir / "reference" / "hist"
    text = tmp_path / "hist.rasp"
    r = CliRunner().invoke(main, ["lift", str(run_dir), "--to", "rasp", "-o", str(text)])
    assert r.exit_code == 0, r.output
    assert "#!tpc vocab '0' '1' '2' '3' '4' '5'" in text.read_text()
    cases = _json.loads((run_dir / "cases.json").read_text())
    seq, want = cases["inputs"][0], cases["predictions"][0]  # BOS first, one label per position
    with_bos = CliRunner().invoke(main, ["run", str(text), "--input", " ".join(seq)])
    without = CliRunner().invoke(main, ["run", str(text), "--input", " ".join(seq[1:])])
    assert with_bos.exit_code == without.exit_code == 0, with_bos.output + without.output
    assert with_bos.output.split() == without.output.split() == want
    model = tmp_path / "hist.pt"
    r = CliRunner().invoke(main, ["compile", str(text), "-o", str(model)])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["verify", str(run_dir), str(model), "--max-len", "4"])
    assert r.exit_code == 0 and "equivalent" in r.output, r.output
