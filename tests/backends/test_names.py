"""Programs compiled from RASP read like their source: the emitted Python of every example
names each variable the source assigns by its source name and prints each comparison in a
select as a comparison, and carries no runtime helper it does not call."""

import ast
import re
from pathlib import Path

import pytest

from tpc.backends.python import to_python
from tpc.frontend.context import Context
from tpc.frontend.parser import parse
from tpc.frontend.pragmas import read_pragmas
from tpc.frontend.translate import Translator
from tpc.frontend.values import Expr, Sel, SOp
from tpc.ir import DEFAULT_MAX_LEN, Domain, Select

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "rasp"
PROGRAMS = sorted(EXAMPLES.glob("*.rasp")) + sorted((EXAMPLES / "tracr").glob("*.rasp"))
ASSIGNED = re.compile(r"^(?:output\s+)?([A-Za-z_]\w*)\s*=(?!=)", re.M)
COMPARED = re.compile(r"\bkey (==|!=|<=|>=|<|>) query\b|^\s*return (True|False)$", re.M)


def translate(path: Path):
    """The program and the translator's top-level bindings (what each source name stands for)."""
    source = path.read_text()
    pragmas = read_pragmas(source, str(path))
    domain = Domain(
        vocab=tuple(pragmas.vocab or "01234567"), max_len=pragmas.max_len or DEFAULT_MAX_LEN
    )
    translator = Translator(Context(source, str(path), domain, model=False))
    return translator.run(parse(source, str(path))), translator.globals


def run_all_variables(module: ast.Module) -> set[str]:
    run_all = next(f for f in module.body if isinstance(f, ast.FunctionDef) and f.name == "run_all")
    return {
        t.id
        for st in run_all.body
        if isinstance(st, ast.Assign)
        for t in st.targets
        if isinstance(t, ast.Name)
    }


def select_calls(module: ast.Module) -> dict[str, str]:
    """run_all's selector variable -> the predicate function it is built with."""
    run_all = next(f for f in module.body if isinstance(f, ast.FunctionDef) and f.name == "run_all")
    return {
        st.targets[0].id: st.value.args[2].id
        for st in run_all.body
        if isinstance(st, ast.Assign)
        and isinstance(st.value, ast.Call)
        and getattr(st.value.func, "id", None) == "select"
    }


def test_every_example_is_checked():
    assert len(PROGRAMS) >= 19 and any(p.parent.name == "tracr" for p in PROGRAMS)


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_emitted_python_keeps_the_source_names(path):
    program, bindings = translate(path)
    source = to_python(program)
    module = ast.parse(source)
    variables = run_all_variables(module)
    live = {n.name for n in program.live()}
    checked = 0
    for name in dict.fromkeys(ASSIGNED.findall(path.read_text())):
        value = bindings.get(name)
        # An element-wise expression the frontend fuses into its readers has no node of its own;
        # an s-op bound under a second name is the first name's node.
        if isinstance(value, Expr):
            value = value.done.get(value.kind) or value.base
        if (
            not isinstance(value, (SOp, Sel))
            or value.node not in live
            or value.node != name
            and value.node in bindings
        ):
            continue
        assert name in variables, f"{path.name}: {name!r} is not a variable of run_all"
        checked += 1
    assert checked, f"{path.name}: no assigned name was checked"


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_emitted_python_prints_comparisons_as_comparisons(path):
    program, _ = translate(path)
    source = to_python(program)
    module = ast.parse(source)
    functions = {
        f.name: ast.get_source_segment(source, f)
        for f in module.body
        if isinstance(f, ast.FunctionDef)
    }
    compared = {
        n.name for n in program.nodes if isinstance(n, Select) and n.predicate.op is not None
    }
    calls = select_calls(module)
    assert compared <= set(calls), (
        f"{path.name}: a comparison select has no variable of its own name"
    )
    for var in compared:
        assert COMPARED.search(functions[calls[var]]), (
            f"{path.name}: {var} is not printed as a comparison"
        )
    if all(n.predicate.op is not None for n in program.nodes if isinstance(n, Select)):
        assert "PREDICATE_" not in source
    for helper in ("select_and", "select_or", "select_not", "nearest", "mean", "summed", "width"):
        assert (f"def {helper}(" in source) == (
            f"{helper}(" in source.replace(f"def {helper}(", "")
        ), helper
