"""Find and load the model a user asks to lift: a tpc checkpoint or a reference run."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import attrs

from tpc.errors import TpcError
from tpc.model.checkpoint import Model, checkpoint_from_payload, is_checkpoint, load_tensors
from tpc.model.reference import load_reference_run


@attrs.frozen(eq=False)
class LoadedModel:
    model: Model
    tokens: tuple  # input id -> token
    labels: tuple  # class id -> label
    task: str | None
    path: str
    kind: str  # "tpc", "compiled" or "reference"
    implicit_bos: bool = False  # compiled from a RASP program: callers leave BOS out


def _typed(values: list) -> tuple:
    """Values as `tpc compile` stores them in a checkpoint's metrics (fractions as dicts)."""
    return tuple(Fraction(v["fraction"]) if isinstance(v, dict) else v for v in values)


def load_model(path: str | Path) -> LoadedModel:
    """A tpc checkpoint, or a run of the paper's code (model.pt with args.json beside it)."""
    path = Path(path)
    run_dir = path if path.is_dir() else path.parent
    file = path / "model.pt" if path.is_dir() else path
    if not file.exists():
        raise TpcError(f"no model at {file}")
    payload = load_tensors(file)  # read once: the format decides which loader reads it
    if (run_dir / "args.json").exists() and not is_checkpoint(payload):
        run = load_reference_run(run_dir, payload)
        return LoadedModel(run.model, run.tokens, run.labels, run.task, str(file), "reference")
    model, meta = checkpoint_from_payload(payload, file)
    if "token_values" in meta.metrics:  # compiled: the program's own typed values
        return LoadedModel(
            model, _typed(meta.metrics["token_values"]), _typed(meta.metrics["label_values"]), meta.task,
            str(file), "compiled", bool(meta.metrics.get("implicit_bos")),
        )
    return LoadedModel(model, meta.tokens, meta.labels, meta.task, str(file), "tpc")
