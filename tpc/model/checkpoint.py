"""One checkpoint format for trained and compiled models, loadable with ``weights_only=True``.

A checkpoint is a dict of plain values and tensors: ``format``, ``config`` (a plain dict),
``tokens`` (input id -> token), ``labels`` (class id -> label), ``task``, ``metrics`` and
``state`` (the module's state_dict). ``architecture`` says which module reads it: ``learned``
(`TransformerProgram`, learned wiring, what `tpc train` starts from) or ``wired``
(`WiredProgram`, fixed wiring, what `tpc compile` writes). Resumable training adds a
``training`` entry.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import attrs
import torch

from tpc.errors import TpcError
from tpc.model.config import ModelConfig
from tpc.model.program import TransformerProgram
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


def save_checkpoint(path, model: Model, *, tokens, labels, task=None, metrics=None,
                    training=None) -> None:
    """Write atomically (a killed run never leaves a half-written file behind)."""
    architecture = "wired" if isinstance(model, WiredProgram) else "learned"
    payload = {"format": FORMAT, "architecture": architecture, "config": model.cfg.to_dict(), "tokens": list(tokens),
               "labels": list(labels), "task": task, "metrics": dict(metrics or {}),
               "state": model.state_dict()}
    if training is not None:
        payload["training"] = training
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)


def _load_failure(error: Exception) -> str:
    """Why torch.load refused a file, in one line (never its advice to drop weights_only)."""
    text = str(error)
    if "Unsupported global" in text:
        return "it holds Python objects, not only tensors and plain data (refused, not unpickled)"
    if "Weights only load failed" in text:
        return "not a torch file of tensors and plain data"
    if "zip archive" in text or "central directory" in text or isinstance(error, EOFError):
        return "truncated or not a torch file"
    return (text.strip().splitlines() or [type(error).__name__])[0][:200]


def load_tensors(path) -> object:
    """torch.load with weights_only=True (never anything else); bad files are one-line TpcErrors."""
    path = Path(path)
    if not path.is_file():
        raise TpcError(f"no checkpoint at {path}")
    try:
        with warnings.catch_warnings():  # e.g. torch's note on pickle protocols: noise to a user
            warnings.simplefilter("ignore")
            return torch.load(path, weights_only=True, map_location="cpu")
    except Exception as e:  # truncated zip, foreign pickle, ...: all "not loadable"
        raise TpcError(f"{path} is not a loadable checkpoint: {_load_failure(e)}") from None


def is_checkpoint(payload) -> bool:
    return isinstance(payload, dict) and payload.get("format") == FORMAT


def load_checkpoint(path) -> tuple[Model, CheckpointMeta]:
    """The model (in eval mode) and its metadata; any bad file is a one-line TpcError."""
    return checkpoint_from_payload(load_tensors(path), path)


def checkpoint_from_payload(payload, path) -> tuple[Model, CheckpointMeta]:
    """`load_checkpoint` for a file already read with `load_tensors` (`path` names it in errors)."""
    if not is_checkpoint(payload):
        raise TpcError(f"{path} is not a tpc checkpoint (for a run of the paper's code, keep its "
                       "args.json beside model.pt)")
    architecture = payload.get("architecture", "learned")
    if architecture not in ARCHITECTURES:
        raise TpcError(f"{path}: unknown model architecture {architecture!r}")
    config, module = ARCHITECTURES[architecture]
    try:
        model = module(config.from_dict(payload["config"]))
        model.load_state_dict(payload["state"])
    except (KeyError, TypeError, RuntimeError) as e:
        raise TpcError(f"{path}: checkpoint does not match its architecture: "
                       f"{str(e).strip().splitlines()[0][:200]}") from None
    meta = CheckpointMeta(tuple(payload["tokens"]), tuple(payload["labels"]), payload.get("task"),
                          payload.get("metrics", {}), payload.get("training"))
    return model.eval(), meta
