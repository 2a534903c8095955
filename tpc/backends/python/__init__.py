"""The Python backend: an IR program -> a self-contained, readable Python module (stdlib only).

The module is built as a libcst tree (literals are CST nodes, statements come from templates
whose holes are filled with nodes) and printed with `Module.code`. Its interface:

- `run(tokens) -> list`: the main output, one value per position the caller passed.
  The main output is the one named "output" if there is one, else the first declared output.
- `run_all(tokens) -> dict`: every output, by name.
- constants `VOCAB`, `BOS`, `MAX_LEN`, `CAUSAL`, `IMPLICIT_BOS`, `OUTPUTS`, `MAIN_OUTPUT`.

With `IMPLICIT_BOS` (RASP programs) callers pass tokens without BOS; it is prepended and its
output is hidden. Otherwise (lifted models) callers pass BOS first and get a value for every
position. Unknown tokens and too-long inputs raise ValueError.

Every select predicate, map and readout becomes one named function; tables become dict or
tuple literals at module level; everything position-independent (the nearest-match order of
key positions for each query, per length) is computed once at import. Numbers are exact
(ints and `fractions.Fraction`); readout scores are float32 numbers added term by term in
float32, as the model adds them (tpc/ir/scores.py).

Modules: layout (CST literals, containers, spacing), runtime, causal and implicit_bos (the
emitted runtime, real modules), prelude (reads them and picks what a program uses), float32
(score literals), intervals (numeric tables as intervals), maps, predicates and readouts
(the named functions), emit (one visit method per node class), module (the whole file).
"""

from __future__ import annotations

import types

from tpc.backends.python.module import build_module
from tpc.ir import Program


def to_python(program: Program) -> str:
    """Python module source for `program` (see the module docstring for its interface)."""
    return build_module(program).code


def load_module(source: str, name: str = "emitted") -> types.ModuleType:
    """Run emitted `source` as a fresh module named `name` (no file, no sys.modules entry)."""
    module = types.ModuleType(name)
    exec(compile(source, f"{name}.py", "exec"), module.__dict__)
    return module


__all__ = ["to_python", "load_module"]
