"""One checkpoint format for trained and compiled models, loadable with ``weights_only=True``.

A checkpoint is a dict of plain values and tensors: ``format``, ``config`` (a plain dict),
``tokens`` (input id -> token), ``labels`` (class id -> label), ``task``, ``metrics`` and
``state`` (the module's state_dict). ``architecture`` says which module reads it: ``learned``
(`TransformerProgram`, learned wiring, what `tpc train` starts from) or ``wired``
(`WiredProgram`, fixed wiring, what `tpc compile` writes). Resumable training adds a
``training`` entry.

`load_model` is what every command that takes a model reads: a checkpoint, or a run of the
paper's code (its directory, or its model.pt with args.json beside it).
"""

from __future__ import annotations

from pathlib import Path

import attrs
import torch

from tpc.atomic import atomic_open
from tpc.errors import TpcError
from tpc.ir import IRError, sort_key, value_from_json
from tpc.model.config import ModelConfig
from tpc.model.learned import TransformerProgram
from tpc.model.reference import load_reference_run
from tpc.model.tensors import check_state, expected_state, load_tensors
from tpc.model.wired import WiredConfig, WiredProgram

FORMAT = "tpc-transformer-program/1"
ARCHITECTURES = {"learned": (ModelConfig, TransformerProgram), "wired": (WiredConfig, WiredProgram)}
Model = TransformerProgram | WiredProgram


@attrs.frozen
class CheckpointMeta:
    tokens: tuple[str, ...]
    labels: tuple[str, ...]
    task: str | None
    metrics: dict
    training: dict | None = None  # optimizer and progress, for --resume


def save_checkpoint(
    path, model: Model, *, tokens, labels, task=None, metrics=None, training=None
) -> None:
    """Write atomically (a killed run never leaves a half-written file behind)."""
    architecture = "wired" if isinstance(model, WiredProgram) else "learned"
    payload = {
        "format": FORMAT,
        "architecture": architecture,
        "config": model.cfg.to_dict(),
        "tokens": list(tokens),
        "labels": list(labels),
        "task": task,
        "metrics": dict(metrics or {}),
        "state": model.state_dict(),
    }
    if training is not None:
        payload["training"] = training
    with atomic_open(path, "wb") as f:
        torch.save(payload, f)


def is_checkpoint(payload) -> bool:
    return isinstance(payload, dict) and payload.get("format") == FORMAT


def load_checkpoint(path) -> tuple[Model, CheckpointMeta]:
    """The model (in eval mode) and its metadata; any bad file is a one-line TpcError."""
    return checkpoint_from_payload(load_tensors(path), path)


def checkpoint_from_payload(payload, path) -> tuple[Model, CheckpointMeta]:
    """`load_checkpoint` for a file already read with `load_tensors` (`path` names it in errors).
    Every field is checked against the model it describes before any tensor is built."""
    if not is_checkpoint(payload):
        raise TpcError(
            f"{path} is not a tpc checkpoint (for a run of the paper's code, keep its "
            "args.json beside model.pt)"
        )
    architecture = payload.get("architecture", "learned")
    if architecture not in ARCHITECTURES:
        raise TpcError(f"{path}: unknown model architecture {architecture!r}")
    config, module = ARCHITECTURES[architecture]
    if "config" not in payload or "state" not in payload:
        raise TpcError(f"{path}: missing key {'config' if 'config' not in payload else 'state'!r}")
    cfg = config.from_dict(payload["config"], f"{path}: config")
    state = check_state(payload["state"], expected_state(module, cfg), f"{path}: state")
    tokens = _strings(payload, "tokens", cfg.vocab_size, path)
    labels = _strings(payload, "labels", cfg.n_classes, path)
    task, metrics, training = (
        payload.get("task"),
        payload.get("metrics", {}),
        payload.get("training"),
    )
    if not (task is None or isinstance(task, str) and task.isprintable() and len(task) <= 200):
        raise TpcError(f"{path}: task: expected one line of text")
    if not isinstance(metrics, dict) or not (training is None or isinstance(training, dict)):
        raise TpcError(f"{path}: metrics and training must be objects")
    model = module(cfg)
    model.load_state_dict(state)
    return model.eval(), CheckpointMeta(tokens, labels, task, metrics, training)


def _strings(payload: dict, key: str, count: int, path) -> tuple:
    """payload[key]: `count` strings (one per token id or class id of the model)."""
    values = payload.get(key)
    if not isinstance(values, (list, tuple)) or not all(type(v) is str for v in values):
        raise TpcError(f"{path}: {key}: expected a list of strings")
    if len(values) != count:
        raise TpcError(f"{path}: {key}: {len(values)} entries, but the model has {count}")
    return tuple(values)


# --- every model a command takes ------------------------------------------------------------


@attrs.frozen(eq=False)
class LoadedModel:
    model: Model
    tokens: tuple  # input id -> token (a compiled model's typed IR values; else strings)
    labels: tuple  # class id -> label (likewise)
    task: str | None
    path: str
    kind: str  # "tpc" (trained), "compiled" or "reference" (a run of the paper's code)
    implicit_bos: bool = False  # compiled from a RASP program: callers leave BOS out

    @property
    def typed(self) -> bool:
        """Whether tokens and labels are the program's own values (else strings)."""
        return self.kind == "compiled"


def _typed(metrics: dict, key: str, count: int, path) -> tuple:
    """metrics[key]: `count` IR values as `tpc compile` stores them (fractions as dicts), one
    per token (or class) of the model."""
    values = metrics.get(key)
    if not isinstance(values, list) or len(values) != count:
        raise TpcError(
            f"{path}: metrics.{key}: expected a list of {count} values, one per "
            f"{'token' if key == 'token_values' else 'class'} of the model"
        )
    try:
        typed = tuple(value_from_json(v) for v in values)
    except IRError as e:
        raise TpcError(f"{path}: metrics.{key}: {e}") from None
    if len(set(map(sort_key, typed))) != count:
        raise TpcError(f"{path}: metrics.{key}: the same value twice")
    return typed


def load_model(path) -> LoadedModel:
    """What every command that takes a model reads: a tpc checkpoint, a run directory of the
    paper's code (model.pt + args.json [+ vocab.json]), or such a run's model.pt."""

    path = Path(path)
    run_dir = path if path.is_dir() else path.parent
    file = path / "model.pt" if path.is_dir() else path
    if not file.is_file():
        raise TpcError(f"no model at {file}")
    payload = load_tensors(file)  # read once: the format decides which loader reads it
    if (run_dir / "args.json").exists() and not is_checkpoint(payload):
        run = load_reference_run(run_dir, payload)
        return LoadedModel(run.model, run.tokens, run.labels, run.task, str(file), "reference")
    model, meta = checkpoint_from_payload(payload, file)
    if "token_values" in meta.metrics:  # compiled: the program's own typed values
        return LoadedModel(
            model,
            _typed(meta.metrics, "token_values", len(meta.tokens), file),
            _typed(meta.metrics, "label_values", len(meta.labels), file),
            meta.task,
            str(file),
            "compiled",
            meta.metrics.get("implicit_bos") is True,
        )
    return LoadedModel(model, meta.tokens, meta.labels, meta.task, str(file), "tpc")
