"""RASP's `load "name";` (name.rasp beside the loading file, then on TPC_RASP_PATH), s-op
indexing `s[i]`, `atom in s-op` and lists holding s-ops (issue 10)."""

import json

from click.testing import CliRunner

from tpc.cli import main


def run(path, text):
    return CliRunner().invoke(main, ["run", str(path), "--input", text, "--json"])


def test_load_runs_the_file_beside_the_loader_then_the_search_path(tmp_path, monkeypatch):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "twice.rasp").write_text(
        "def twice(s) { return s + s; }\nunused = indices;\n"
    )
    (tmp_path / "near.rasp").write_text('load "twice";\nbump = 1;\n')
    prog = tmp_path / "p.rasp"
    prog.write_text('load "near";\nresult = twice(indices) + bump;\n')
    r = run(prog, "abc")
    assert r.exit_code == 2 and "cannot load 'twice': no file twice.rasp" in r.output
    monkeypatch.setenv("TPC_RASP_PATH", str(tmp_path / "lib"))
    r = run(prog, "abc")
    assert r.exit_code == 0 and json.loads(r.output) == [
        1,
        3,
        5,
    ]  # the loader's last assignment is the output


def test_load_errors_name_the_loaded_file_and_cycles_are_refused(tmp_path):
    (tmp_path / "bad.rasp").write_text("def half(s) {\n  return s / 0;\n}\n")
    prog = tmp_path / "p.rasp"
    prog.write_text('load "bad";\nresult = half(indices);\n')
    r = run(prog, "ab")
    assert r.exit_code == 2 and r.output.startswith(
        f"error: {tmp_path / 'bad.rasp'}:2:10: division by zero: 0 / 0\n"
    )
    (tmp_path / "a.rasp").write_text('load "b";\nx = indices;\n')
    (tmp_path / "b.rasp").write_text('load "a.rasp";\n')
    r = run(tmp_path / "a.rasp", "ab")
    assert r.exit_code == 2 and r.output.startswith(
        f"error: {tmp_path / 'b.rasp'}:1:6: load cycle: a.rasp -> b.rasp -> a.rasp\n"
    )


def test_indexing_an_sop_and_atom_in_sop(tmp_path):
    prog = tmp_path / "p.rasp"
    prog.write_text(
        'first = tokens[0];\nlast = indices[-1];\nhas_b = "b" in tokens;\nresult = first;\n'
        "output first; output last; output has_b;\n"
    )
    r = CliRunner().invoke(main, ["run", str(prog), "--input", "cab", "--json"])
    assert r.exit_code == 0 and json.loads(r.output) == {
        "first": ["c"] * 3,
        "last": [2] * 3,
        "has_b": [True] * 3,
    }
    r = CliRunner().invoke(main, ["run", str(prog), "--input", "cac", "--json"])
    assert json.loads(r.output)["has_b"] == [False] * 3
    prog.write_text("result = indices[tokens];\n")
    r = run(prog, "ab")
    assert r.exit_code == 2 and "1:18: an s-op is indexed by a constant integer" in r.output
    prog.write_text("result = tokens in [indices];\n")
    r = run(prog, "ab")
    assert r.exit_code == 2 and "1:20: 'in' needs a list of constants or an s-op" in r.output


def test_lists_hold_sops_and_concatenate(tmp_path):
    prog = tmp_path / "p.rasp"
    prog.write_text(
        "xs = [indices] + [indices * 10];\ntotal = 0;\n"
        "for x in xs { total = total + x; }\nresult = total;\n"
    )
    r = run(prog, "abc")
    assert r.exit_code == 0 and json.loads(r.output) == [0, 11, 22]


def test_exit_stops_reading_the_file_it_is_in(tmp_path):
    (tmp_path / "lib.rasp").write_text(
        "def f(s) { return s + 1; }\nquit()\ndef f(s) { return s / 0; }\n"
    )
    prog = tmp_path / "p.rasp"
    prog.write_text('load "lib";\nresult = f(indices);\nexit\nresult = 1 / 0;\n')
    r = run(prog, "abc")
    assert r.exit_code == 0 and json.loads(r.output) == [1, 2, 3]
    prog.write_text("result = indices;\nexit;\n")  # the reference grammar has no ';' after exit
    r = run(prog, "abc")
    assert r.exit_code == 2 and "2:5: syntax error: unexpected ';'" in r.output
