"""Writing output files atomically: a killed command never leaves half a file behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tpc.errors import TpcError


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write `data` (text as UTF-8) to `path` through a temporary file in the same folder."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.")
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        os.replace(tmp, path)
    except OSError as e:
        raise TpcError(f"{path}: cannot write it: {e.strerror}") from None
