"""GloVe vectors in the standard text format (a word, then its floats, one word per line),
read streaming so that the 5.6 GB 840B file costs only the vocabulary's rows in memory, and
the paper's initialisation of categorical embeddings from them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tpc.errors import TpcError


def read_glove(path: str | Path, words) -> tuple[dict[str, np.ndarray], int]:
    """({word: vector} for the `words` the file has, vector width). The width is the first
    line's; words may contain spaces (the 840B file has some), so a line is split from the right."""
    path = Path(path)
    wanted = set(words)
    found: dict[str, np.ndarray] = {}
    dim = 0
    try:
        with path.open(encoding="utf-8", errors="strict") as f:
            for number, line in enumerate(f, 1):
                line = line.rstrip("\n").rstrip()
                if not line:
                    continue
                if not dim:
                    dim = len(line.split(" ")) - 1
                    if dim < 1:
                        raise TpcError(f"{path}:{number}: expected a word and its numbers")
                parts = line.rsplit(" ", dim)
                if len(parts) != dim + 1 or not parts[0]:
                    raise TpcError(f"{path}:{number}: expected a word and {dim} numbers")
                if parts[0] in wanted and parts[0] not in found:
                    try:
                        found[parts[0]] = np.array(parts[1:], dtype=np.float64)
                    except ValueError:
                        raise TpcError(
                            f"{path}:{number}: not a number among the {dim} after the word"
                        ) from None
    except (OSError, UnicodeDecodeError) as e:
        raise TpcError(f"{path}: cannot read: {getattr(e, 'strerror', None) or e}") from None
    if not dim:
        raise TpcError(f"{path}:1: no vectors")
    return found, dim


def project(words, vectors: dict[str, np.ndarray], dim: int, width: int, seed: int) -> np.ndarray:
    """[len(words), width]: each word's vector (a standard normal one when missing) times a
    Gaussian random projection with entries N(0, 1/width), as the paper's code draws them
    (scikit-learn's GaussianRandomProjection)."""
    rng = np.random.default_rng(seed)
    rows = np.stack([vectors[w] if w in vectors else rng.standard_normal(dim) for w in words])
    projection = rng.standard_normal((dim, width)) / np.sqrt(width)
    return rows @ projection
