"""Reading a torch file a user gave: ``weights_only=True`` always, one-line errors."""

from __future__ import annotations

import math
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


MAX_PARAMETERS = 50_000_000  # a stored model bigger than this is refused before it is built


def expected_state(module_class, cfg) -> dict:
    """Name -> (shape, dtype) of every tensor a `module_class(cfg)` holds, from the config
    (`module_class.state_shapes`: nothing is allocated); a model beyond MAX_PARAMETERS is a
    TpcError."""
    shapes = module_class.state_shapes(cfg)
    size = sum(math.prod(shape) for shape, _ in shapes.values())
    if size > MAX_PARAMETERS:
        raise TpcError(f"the model would have {size:,} parameters, beyond the supported limit of {MAX_PARAMETERS:,}")
    return shapes


def check_state(state, expected: dict, where: str, *, partial: bool = False) -> dict:
    """`state` (name -> tensor, as stored) checked against `expected_state`: every name present
    (`partial`: every non-empty one, and no others required), each tensor of the expected
    shape and dtype, and finite. A one-line TpcError names `where` and the key."""
    if not isinstance(state, dict):
        raise TpcError(f"{where}: expected tensors by name, got {type(state).__name__}")
    for name, (shape, dtype) in expected.items():
        if name not in state:
            if partial and 0 in shape:
                continue
            raise TpcError(f"{where}: missing tensor {name!r}")
        t = state[name]
        if not isinstance(t, torch.Tensor):
            raise TpcError(f"{where}.{name}: expected a tensor, got {type(t).__name__}")
        if tuple(t.shape) != shape or t.dtype != dtype:
            raise TpcError(f"{where}.{name}: {t.dtype} of shape {tuple(t.shape)} does not match the "
                           f"config, which needs {dtype} of shape {shape}")
        if t.is_floating_point() and not torch.isfinite(t).all():
            raise TpcError(f"{where}.{name}: holds NaN or infinite values")
    unexpected = [] if partial else sorted(map(str, set(state) - set(expected)))
    if unexpected:
        raise TpcError(f"{where}: unexpected tensor {unexpected[0]!r}")
    return state
