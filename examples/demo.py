"""tpc end to end on an example RASP program: parse -> check -> run -> emit Python.

Run with `make demo` (or `.venv/bin/python examples/demo.py` once `make install` has run).
"""

import time
import types
from pathlib import Path

from tpc.backends.python import to_python
from tpc.frontend import compile_file
from tpc.interp import run

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "rasp" / "sort.rasp"
VOCAB = [1, 2, 3, 4, 5, 6, 7, 8, 9]
INPUT = [5, 3, 9, 1, 3, 7, 2, 8]


def section(title: str) -> None:
    print(f"\n=== {title} " + "=" * (72 - len(title)))


section(f"1. the RASP source: {SOURCE.relative_to(HERE.parent)}")
print(SOURCE.read_text().rstrip())

section("2. parse and type-check (tpc.frontend -> tpc.ir)")
program = compile_file(SOURCE, vocab=VOCAB, max_len=8)
print(f"{len(program.nodes)} IR nodes, attention depth {program.depth()}, outputs {dict(program.outputs)}")
for node in program.nodes:
    size = "" if node.type.kind == "selector" else f" ({len(node.type.values)} values)"
    print(f"  {node.name:<24} {type(node).__name__}{size}")

section("3. run it (tpc.interp, the exact reference interpreter)")
print(f"input  {INPUT}")
print(f"output {run(program, [INPUT])['sort'][0]}")

section("4. emit Python (tpc.backends.python): a stdlib-only module")
source = to_python(program)
print(source.rstrip())

section("5. run the emitted module")
module = types.ModuleType("sort_program")
exec(compile(source, "sort_program.py", "exec"), module.__dict__)
print(f"run({INPUT}) = {module.run(INPUT)}")
n = 2000
start = time.perf_counter()
for _ in range(n):
    module.run(INPUT)
print(f"{(time.perf_counter() - start) / n * 1e3:.3f} ms per input (length {len(INPUT)})")
assert module.run(INPUT) == sorted(INPUT)
