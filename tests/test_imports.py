"""How tpc's modules import each other: no cycle, nothing imports the CLI, and the commands
that run no model never import torch."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Module name prefix -> its directory (pyproject's package-dir: passes/ ships as tpc.passes).
PACKAGES = {"tpc": ROOT / "tpc", "tpc.passes": ROOT / "passes"}


def _modules() -> dict:
    """Every module of tpc: dotted name -> path."""
    found = {}
    for prefix, folder in PACKAGES.items():
        for path in folder.rglob("*.py"):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([prefix, *parts])] = path
    return found


def _statements(tree: ast.AST, lazy: bool):
    """The nodes of `tree`; without `lazy`, not those inside functions (imported on call)."""
    for node in ast.iter_child_nodes(tree):
        if lazy or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            yield node
            yield from _statements(node, lazy)


def _imports(name: str, path: Path, modules: dict, lazy: bool) -> set:
    """The tpc modules `name` imports: at import time, or also in functions when `lazy`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in _statements(ast.parse(path.read_text(), str(path)), lazy):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import sub` imports the submodule when there is one, else pkg itself.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:  # `import tpc.x.y` -> the longest known module
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def _graph(lazy: bool = True) -> dict:
    modules = _modules()
    return {name: _imports(name, path, modules, lazy) for name, path in modules.items()}


def _cycle(graph: dict) -> list | None:
    """One import cycle, as a list of modules, or None."""
    state: dict = {}  # name -> "open" while on the stack, "done" after

    def visit(name, stack):
        state[name] = "open"
        stack.append(name)
        for dep in sorted(graph[name]):
            if state.get(dep) == "open":
                return stack[stack.index(dep):] + [dep]
            if dep not in state:
                found = visit(dep, stack)
                if found:
                    return found
        stack.pop()
        state[name] = "done"
        return None

    for name in sorted(graph):
        if name not in state:
            found = visit(name, [])
            if found:
                return found
    return None


def test_cycle_finder_finds_cycles():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_import_graph_is_complete():
    graph, eager = _graph(), _graph(lazy=False)
    assert {"tpc.cli", "tpc.cli.run", "tpc.interp", "tpc.passes", "tpc.passes.dce"} <= set(graph)
    assert "tpc.artifact" in graph["tpc.cli.run"] and "tpc.ir" in graph["tpc.interp"]
    assert "tpc.interp" in graph["tpc.artifact.pipelines"]  # a lazy import, seen
    # `tpc compile` loads the assembler (torch) only when it runs.
    assert "tpc.assemble" in graph["tpc.cli.compile"] and "tpc.assemble" not in eager["tpc.cli.compile"]


def test_no_import_cycle_at_import_time():
    cycle = _cycle(_graph(lazy=False))
    assert cycle is None, " -> ".join(cycle)


def test_no_import_cycle_even_through_lazy_imports():
    # A function-level import that closes a cycle still ties two modules into one job.
    cycle = _cycle(_graph(lazy=True))
    assert cycle is None, " -> ".join(cycle)


def test_nothing_imports_the_cli():
    importers = sorted(m for m, deps in _graph().items()
                       if not m.startswith("tpc.cli") and any(d.startswith("tpc.cli") for d in deps))
    assert importers == []


TORCH_FREE = [
    ["--help"],
    ["run", "examples/rasp/sort.rasp", "--input", "3 1 2"],
    ["emit", "examples/rasp/sort.rasp", "--to", "python"],
    ["emit", "examples/rasp/sort.rasp", "--to", "json"],
    ["check", "examples/rasp/sort.rasp"],
    ["run", "tests/tracr/programs/lib_sort.py", "--input", "3 1 2"],
    ["trace", "examples/rasp/sort.rasp", "-i", "3 1 2"],
    ["verify", "examples/rasp/sort.rasp", "examples/rasp/sort.rasp", "--vocab", "1 2 3", "--max-len", "3"],
]


def _imported(args: list) -> tuple:
    """(stdout, the modules imported) of `python -m tpc.cli ARGS`, read off -X importtime."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "tpc.cli", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "tpc.cli" in imported and "click" in imported  # the listing is real
    return done.stdout, imported


def _torch(imported: set) -> set:
    return {m for m in imported if m == "torch" or m.startswith("torch.")}


@pytest.mark.parametrize("args", TORCH_FREE, ids=lambda a: " ".join(a[:2]))
def test_commands_without_a_model_never_import_torch(args):
    assert not _torch(_imported(args)[1])


def test_ir_json_programs_never_import_torch(tmp_path):
    path = str(tmp_path / "sort.json")
    _imported(["emit", "examples/rasp/sort.rasp", "--vocab", "1 2 3", "--to", "json", "-o", path])
    out, imported = _imported(["run", path, "--input", "3 1 2"])
    assert out == "1 2 3\n" and not _torch(imported)
    out, imported = _imported(["check", path])
    assert "ok" in out and not _torch(imported)


def test_a_command_that_runs_a_model_imports_torch(tmp_path):
    # The probe above can see torch: `compile` assembles weights with it.
    out, imported = _imported(["compile", "examples/rasp/sort.rasp", "--vocab", "1 2 3", "--max-len", "3",
                               "-o", str(tmp_path / "sort.pt")])
    assert "torch" in imported
