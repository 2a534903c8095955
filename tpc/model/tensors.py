"""Reading a torch file a user gave: ``weights_only=True`` always, one-line errors."""

from __future__ import annotations

import warnings
from pathlib import Path

import torch

from tpc.errors import TpcError


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
