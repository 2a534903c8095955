"""The artifacts `tpc verify` compares, each as a `Runnable` (tpc.verify.side): programs
(program_sides), models and exports (model_sides), emitted modules (python_side); `load` picks
one by the artifact's kind."""

from __future__ import annotations

from pathlib import Path

from tpc.artifact import kind_of
from tpc.artifact import load as load_program
from tpc.ir import Program
from tpc.verify.model_sides import CheckpointRunnable, ExportRunnable
from tpc.verify.program_sides import ProgramRunnable, RaspRunnable, TracrRunnable
from tpc.verify.python_side import PythonRunnable
from tpc.verify.side import Canon, Runnable, exact_key

RUNNABLES = {
    "run-directory": CheckpointRunnable,
    "checkpoint": CheckpointRunnable,
    "rasp": RaspRunnable,
    "tracr": TracrRunnable,
    "python": PythonRunnable,
    "export": ExportRunnable,
}


def load(path) -> Runnable:
    """The runnable for the artifact at `path` (tpc.artifact.kind_of says what it is)."""
    kind = kind_of(path)
    label = Path(str(path)).name
    if kind.name in RUNNABLES:
        return RUNNABLES[kind.name](Path(str(path)), label)
    return ProgramRunnable(load_program(path), label, kind.name)


def as_runnable(x) -> Runnable:
    if isinstance(x, Runnable):
        return x
    if isinstance(x, Program):
        return ProgramRunnable(x)
    return load(x)


__all__ = [
    "Canon",
    "CheckpointRunnable",
    "ExportRunnable",
    "ProgramRunnable",
    "PythonRunnable",
    "RaspRunnable",
    "RUNNABLES",
    "Runnable",
    "TracrRunnable",
    "as_runnable",
    "exact_key",
    "load",
]
