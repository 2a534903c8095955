"""Find and load the model a user asks to lift: a tpc checkpoint or a reference run."""

from __future__ import annotations

from pathlib import Path

import attrs

from tpc.errors import TpcError
from tpc.model.checkpoint import is_checkpoint, load_checkpoint, load_tensors
from tpc.model.program import TransformerProgram
from tpc.model.reference import load_reference_run


@attrs.frozen(eq=False)
class LoadedModel:
    model: TransformerProgram
    tokens: tuple[str, ...]  # input id -> token
    labels: tuple[str, ...]  # class id -> label
    task: str | None
    path: str
    kind: str  # "tpc" or "reference"


def load_model(path: str | Path) -> LoadedModel:
    """A tpc checkpoint, or a run of the paper's code (model.pt with args.json beside it)."""
    path = Path(path)
    run_dir = path if path.is_dir() else path.parent
    file = path / "model.pt" if path.is_dir() else path
    if not file.exists():
        raise TpcError(f"no model at {file}")
    if (run_dir / "args.json").exists() and not is_checkpoint(load_tensors(file)):
        run = load_reference_run(run_dir)
        return LoadedModel(run.model, run.tokens, run.labels, run.task, str(file), "reference")
    model, meta = load_checkpoint(file)
    return LoadedModel(model, meta.tokens, meta.labels, meta.task, str(file), "tpc")
