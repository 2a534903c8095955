"""RASP's own rules (issue 10) and the issue-15 items in the frontend's rooms: a nesting
limit instead of RecursionError, distinct tokens never merged, run-time errors located with
their values, the preloaded library hidden by a program's own definitions."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from tpc.cli import main
from tpc.errors import TpcError
from tpc.frontend import rasp_to_ir
from tpc.frontend.parser import MAX_NESTING
from tpc.interp import run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "rasp"

DEEP = {
    "parentheses": lambda n: "(" * n + "indices" + ")" * n,
    "unary minus": lambda n: "-" * n + "indices",
    "not": lambda n: "not " * n + "tokens",
    "and": lambda n: " and ".join(['tokens == "a"'] * n),
    "plus": lambda n: " + ".join(["indices"] * n),
}


@pytest.mark.parametrize("kind", sorted(DEEP))
def test_deep_nesting_is_a_located_error_not_a_recursion_error(kind):
    rasp_to_ir(f"x = {DEEP[kind](MAX_NESTING - 5)};", "deep.rasp", "ab", 4)  # just below: fine
    if kind == "parentheses":  # parentheses add no level
        rasp_to_ir(f"x = {DEEP[kind](5000)};", "deep.rasp", "ab", 4)
        return
    with pytest.raises(TpcError, match=r"^deep\.rasp:1:\d+: expression nested too deeply"):
        rasp_to_ir(f"x = {DEEP[kind](5000)};", "deep.rasp", "ab", 4)


def test_distinct_tokens_never_merge():
    r = CliRunner().invoke(main, ["run", str(EXAMPLES / "sort.rasp"), "--input", "3 3 ３ 2 ٣ 03"])
    assert r.exit_code == 0 and r.output == "03 2 3 3 ٣ ３\n"  # six strings, by code point


def test_run_time_errors_name_the_place_and_the_values(tmp_path):
    prog = tmp_path / "p.rasp"
    prog.write_text("ok = indices + 1;\nbad = 6 / indices;\nresult = bad + ok;\n")
    r = CliRunner().invoke(main, ["run", str(prog), "--input", "ab"])
    assert r.exit_code == 2 and r.output.startswith(f"error: {prog}:2:7: division by zero: 6 / 0\n")
    prog.write_text("result = tokens_int * 2;\n")
    r = CliRunner().invoke(main, ["run", str(prog), "--input", "1 x"])
    assert r.exit_code == 2 and r.output.startswith(
        f"error: {prog}:1:10: cannot compute: int('x')\n"
    )
    assert CliRunner().invoke(main, ["run", str(prog), "--input", "1 21"]).output == "2 42\n"


def test_unreached_failures_are_no_error(tmp_path):
    # 6 / indices fails only at index 0: a program that never reaches it runs.
    p = rasp_to_ir("x = 6 / (indices + 1);", "p.rasp", "ab", 4)
    assert run(p, [list("aba")])["x"] == [[6, 3, 2]]


def test_library_names_are_preloaded_and_hidden_by_own_definitions():
    p = rasp_to_ir('a = count(tokens, "a");\noutput a;', "p.rasp", "ab", 4)
    assert run(p, [list("aba")])["a"] == [[2, 2, 2]]
    p = rasp_to_ir(
        'def count(s, v) { return indices; }\na = count(tokens, "a");\noutput a;', "p.rasp", "ab", 4
    )
    assert run(p, [list("aba")])["a"] == [[0, 1, 2]]


def test_compile_time_values_and_control_flow():
    src = """
set example "abc"
def digit(t) {
    values = {"0": 0, "1": 1, "2": 2};
    res = -1;
    for d in values {
        res = values[d] if t == d else res;
    }
    return res;
}
def both() { return indices, digit(tokens); }
i, d = both();
firsts = [p[0] for p in ["()", "{}"]];
opens = {c: tokens == c for c in firsts};
draw(opens["("]);
result = d * 10 + i + indicator(opens["("]) * 100 + len(firsts);
output result;
"""
    p = rasp_to_ir(src, "p.rasp", list("01(x"), 4)
    assert run(p, [list("1(0x")])["result"] == [[12, 93, 4, -5]]


def test_keywords_are_whole_words():
    p = rasp_to_ir(
        "format = indices;\ninfo = format + 1;\nloader = info;\ntruest = loader;", "p.rasp", "ab", 4
    )
    assert run(p, [list("ab")])["truest"] == [[1, 2]]
