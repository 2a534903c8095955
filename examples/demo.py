"""tpc end to end, twice: lift a trained checkpoint into exact Python, and compile RASP source.

Run with `make demo` (or `.venv/bin/python examples/demo.py` once `make install` has run).
"""

import time
from pathlib import Path

import torch
from tpc.passes import optimize

from tpc.backends.python import load_module, to_python
from tpc.frontend import rasp_file_to_ir
from tpc.interp import run
from tpc.lift import lift_checkpoint, lift_summary, load_model
from tpc.verify import verify

HERE = Path(__file__).resolve().parent
CHECKPOINT = HERE / "models" / "sort" / "model.pt"
MODEL_INPUT = ["<s>", "3", "1", "4", "0", "2", "</s>"]
SOURCE = HERE / "rasp" / "sort.rasp"
VOCAB = [1, 2, 3, 4, 5, 6, 7, 8, 9]
INPUT = [5, 3, 9, 1, 3, 7, 2, 8]


def section(title: str) -> None:
    print(f"\n=== {title} " + "=" * (72 - len(title)))


section(f"1. lift {CHECKPOINT.relative_to(HERE.parent)} (`tpc train`, then `tpc repair`)")
lifted = lift_checkpoint(CHECKPOINT)
program = optimize(lifted)
summary = lift_summary(lifted, program)
print(f"{summary}; {len(lifted.nodes)} IR nodes lifted, {len(program.nodes)} after -O1")

section("2. the lifted program as Python (tpc.backends.python)")
source = to_python(program.with_meta(**summary.meta()))
print(source.rstrip())

section("3. the program and the model, side by side")
loaded = load_model(CHECKPOINT)
ids = torch.tensor([[loaded.tokens.index(t) for t in MODEL_INPUT]])
model_labels = [loaded.labels[c] for c in loaded.model.predict(ids)[0].tolist()]
program_labels = load_module(source, "sort_model").run(MODEL_INPUT)
print(f"input    {MODEL_INPUT}")
print(f"model    {model_labels}")
print(f"program  {program_labels}")
assert program_labels == model_labels
assert model_labels[1:-1] == sorted(MODEL_INPUT[1:-1])  # repaired: right on its whole domain
result = verify(CHECKPOINT, program, max_len=4)
print(f"tpc verify: {result.summary()}")
assert result.equivalent

section(f"4. compile RASP: {SOURCE.relative_to(HERE.parent)}")
print(SOURCE.read_text().rstrip())
rasp_program = rasp_file_to_ir(SOURCE, vocab=VOCAB, max_len=8)
print(f"\n{len(rasp_program.nodes)} IR nodes, attention depth {rasp_program.depth()}")
print(f"interpreter: sort {INPUT} = {run(rasp_program, [INPUT])['sort'][0]}")
module = load_module(to_python(rasp_program), "sort_program")
n = 2000
start = time.perf_counter()
for _ in range(n):
    module.run(INPUT)
print(
    f"emitted Python: {module.run(INPUT)}, "
    f"{(time.perf_counter() - start) / n * 1e3:.3f} ms per input"
)
assert module.run(INPUT) == sorted(INPUT)
