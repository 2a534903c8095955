"""The artifact layer: every kind is recognized and loads; anything else is a one-line error."""

import json
import os
from itertools import product
from pathlib import Path

import pytest
from click.testing import CliRunner

from tpc.artifact import KINDS, Choices, kind_of, load, run_input
from tpc.cli import main
from tpc.errors import TpcError
from tpc.interp import Interpreter

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "rasp"
TRACR = Path(__file__).resolve().parents[1] / "tracr" / "programs"
# Declares its domain: no --vocab / --max-len needed anywhere.
DECLARED = """#!tpc vocab 'a' 'b' 'c'
#!tpc max_len 4
rev = aggregate(select(indices, length - indices - 1, ==), tokens);
"""


def _tpc(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _inputs(vocab, max_len):
    return [list(t) for n in range(max_len + 1) for t in product(vocab, repeat=n)]


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    """One artifact of each file kind, all written from examples/rasp/sort.rasp over 1 2 3."""
    d = tmp_path_factory.mktemp("artifacts")
    sort = EXAMPLES / "sort.rasp"
    for target, name in (("json", "sort.json"), ("python", "sort.py")):
        r = _tpc("emit", sort, "--vocab", "1 2 3", "--max-len", "3", "--to", target, "-o", d / name)
        assert r.exit_code == 0, r.stderr
    r = _tpc("compile", sort, "--vocab", "1 2 3", "--max-len", "3", "-o", d / "sort.pt")
    assert r.exit_code == 0, r.stderr
    return d


def test_the_table_names_each_kind_once():
    names = [k.name for k in KINDS]
    assert len(set(names)) == len(names) == 7


def test_each_file_kind_is_recognized(artifacts, shared_dir):
    got = {
        p: kind_of(p).name
        for p in (
            EXAMPLES / "sort.rasp",
            artifacts / "sort.json",
            artifacts / "sort.py",
            artifacts / "sort.pt",
            shared_dir / "reference/hist",
            shared_dir / "reference/hist/model.pt",
        )
    }
    assert list(got.values()) == [
        "rasp",
        "ir-json",
        "python",
        "checkpoint",
        "run-directory",
        "checkpoint",
    ]


def test_rasp_json_and_checkpoint_load_as_the_same_function(artifacts):
    rasp = load(EXAMPLES / "sort.rasp", Choices(["1", "2", "3"], 3))
    assert rasp.domain.vocab == ("1", "2", "3") and rasp.domain.max_len == 3
    from_json = load(artifacts / "sort.json")
    lifted = load(artifacts / "sort.pt", Choices(level=1))  # a model: lifted, then optimized
    inputs = _inputs(["1", "2", "3"], 3)
    want = Interpreter(rasp).run(inputs)["sort"]
    assert Interpreter(from_json).run(inputs)["sort"] == want
    (out,) = lifted.outputs
    assert Interpreter(lifted).run(inputs)[out[0]] == want
    assert want[inputs.index(["3", "1", "2"])] == ["1", "2", "3"]


def test_a_reference_run_directory_loads_as_its_lifted_program(shared_dir):
    run = shared_dir / "reference/hist"
    cases = json.loads((run / "cases.json").read_text())
    program = load(run)
    assert not program.domain.implicit_bos
    got = Interpreter(program).run(cases["inputs"][:20])
    assert list(got.values())[0] == cases["predictions"][:20]


def test_an_emitted_module_is_recognized_but_cannot_be_read_back(artifacts):
    with pytest.raises(TpcError, match="sort.py: an emitted Python module cannot be read back"):
        load(artifacts / "sort.py")
    r = _tpc("trace", artifacts / "sort.py", "-i", "1 2")
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "cannot be read back" in r.stderr


def test_an_export_is_recognized_but_cannot_be_read_back(tmp_path):
    # What tells an export directory from a run directory: vocab.json and labels.json.
    export, run = tmp_path / "export", tmp_path / "run"
    export.mkdir()
    run.mkdir()
    for name in ("vocab.json", "labels.json", "model.onnx"):
        (export / name).write_text("{}")
    (run / "vocab.json").write_text("{}")
    assert [kind_of(p).name for p in (export, export / "model.onnx", run)] == [
        "export",
        "export",
        "run-directory",
    ]
    with pytest.raises(TpcError, match="export: an export .* cannot be read back as a program"):
        load(export)
    onnx = export / "model.onnx"
    for args in (("emit", onnx), ("export", export, "--to", "tl", "-o", tmp_path / "out")):
        r = _tpc(*args)
        assert r.exit_code == 2 and r.stderr.count("\n") == 1, r.output
        assert "cannot be read back as a program" in r.stderr
    assert not (tmp_path / "out").exists()


def test_a_tracr_program_file_is_its_own_kind_and_loads_as_ir(artifacts):
    named = TRACR / "named_function.py"  # vocab {1, 2, 3}, max_seq_len 5
    assert kind_of(named).name == kind_of(f"{named}:reverse").name == "tracr"
    assert kind_of(artifacts / "sort.py").name == "python"  # emitted: the first line says so
    program = load(f"{named}:reverse")
    assert program.domain.vocab == (1, 2, 3) and program.domain.max_len == 5
    # input text matches the file's vocabulary by text: "3 1" is the ints 3 and 1
    assert run_input(f"{named}:reverse", "3 1") == {"reverse": [1, 3]}
    assert run_input(named, ["3", "1", "2"]) == {"sort": [1, 2, 3]}
    assert load(named, Choices(["1", "2"], 3)).domain.vocab == (1, 2)  # --vocab by text too


def test_a_tracr_program_files_errors_are_one_line(tmp_path):
    with pytest.raises(TpcError, match="no module-level 'nothing'"):
        load(f"{TRACR / 'named_function.py'}:nothing")
    broken = tmp_path / "broken.py"
    broken.write_text("from tracr.rasp import rasp\nprogram = rasp.Map(lambda x: x, 3)\n")
    r = _tpc("check", broken)
    assert r.exit_code == 2 and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith(f"error: {broken}:2: ")
    r = _tpc("run", f"{tmp_path / 'missing.py'}:program", "-i", "1")
    assert r.exit_code == 2 and "does not exist" in r.stderr


def test_an_unknown_kind_is_a_one_line_error_exit_2(tmp_path):
    odd = tmp_path / "sort.txt"
    odd.write_text((EXAMPLES / "sort.rasp").read_text())
    for command in (["check", odd], ["trace", odd, "-i", "1 2"], ["verify", odd, odd]):
        r = _tpc(*command)
        assert r.exit_code == 2, r.stderr
        assert r.stderr.startswith(f"error: {odd}: unknown kind of artifact (expected ")
        assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    with pytest.raises(TpcError, match="no such file or directory"):
        kind_of(tmp_path / "missing.txt")


def test_a_declared_domain_is_read_once_for_every_command(tmp_path):
    prog = tmp_path / "rev.rasp"
    prog.write_text(DECLARED)
    program = load(prog)
    assert program.domain.vocab == ("a", "b", "c") and program.domain.max_len == 4
    assert run_input(prog, "abc") == {"rev": ["c", "b", "a"]}
    assert load(prog, Choices(["a", "b"], 2)).domain.vocab == ("a", "b")  # given beats declared


def test_verify_honours_the_declared_vocabulary_and_max_len(tmp_path):
    prog = tmp_path / "rev.rasp"
    prog.write_text(DECLARED)
    r = _tpc("verify", prog, prog, "--json")
    assert r.exit_code == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["equivalent"] and result["max_len"] == 4
    assert result["inputs"] == sum(3**n for n in range(5))  # every input over a, b, c
    other = tmp_path / "other.rasp"
    other.write_text(DECLARED.replace("'c'", "'d'"))
    r = _tpc("verify", prog, other)
    assert r.exit_code == 2 and "incompatible vocabularies" in r.stderr


def test_too_long_inputs_are_counted_alike_by_trace_and_emitted_modules(tmp_path):
    """BOS is never counted: `tpc trace`, `tpc run` and an emitted module give one message."""
    import importlib.util

    model = (
        "#!tpc model explicit-bos\n#!tpc vocab 'a' 'b' 'c'\n#!tpc max_len 4\n"
        "is_a = tokens == 'a';\n"
    )
    for name, source in (("rasp", DECLARED), ("model", model)):
        prog = tmp_path / f"{name}.rasp"
        prog.write_text(source)
        module_path = tmp_path / f"{name}_module.py"
        assert _tpc("emit", prog, "-o", module_path).exit_code == 0
        spec = importlib.util.spec_from_file_location(f"{name}_module", module_path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        tokens = list("abcab")
        with pytest.raises(ValueError) as raised:
            module.run(tokens if module.IMPLICIT_BOS else [module.BOS, *tokens])
        limit = 4 if name == "rasp" else 3  # model mode: max_len counts BOS
        want = f"input has 5 tokens after BOS; the program accepts at most {limit}"
        assert str(raised.value) == want
        for command in ("trace", "run"):
            r = _tpc(command, prog, "-i", "a b c a b")
            assert r.exit_code == 2 and r.stderr == f"error: {want}\n", r.stderr


def test_draw_refuses_a_fifo_as_emit_does(tmp_path):
    fifo = tmp_path / "graph.svg"
    os.mkfifo(fifo)
    for command in (
        ["draw", EXAMPLES / "sort.rasp", "-o", fifo],
        ["emit", EXAMPLES / "sort.rasp", "-o", fifo],
        ["trace", EXAMPLES / "sort.rasp", "-i", "3 1", "--html", fifo],
    ):
        r = _tpc(*command)
        assert r.exit_code == 2, command
        assert r.stderr == (
            f"error: cannot write {fifo}: not a regular file (only regular files are replaced)\n"
        )
        assert fifo.is_fifo()


def test_version():
    from importlib.metadata import version

    r = _tpc("--version")
    assert r.exit_code == 0 and r.stdout == f"tpc {version('tpc')}\n"
    assert version("tpc").count(".") == 2


def test_pragmas_are_parsed_once_per_load(tmp_path, monkeypatch):
    import tpc.frontend
    import tpc.frontend.driver

    calls = []
    real = tpc.frontend.read_pragmas

    def counted(*args):
        calls.append(args[1:])
        return real(*args)

    monkeypatch.setattr(tpc.frontend, "read_pragmas", counted)
    monkeypatch.setattr(tpc.frontend.driver, "read_pragmas", counted)
    prog = tmp_path / "rev.rasp"
    prog.write_text(DECLARED)
    load(prog)
    assert calls == [(str(prog),)]
    run_input(prog, "ab")
    assert len(calls) == 2
