"""Writing output files atomically: a killed command never leaves half a file behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tpc.errors import TpcError


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write `data` (text as UTF-8) to `path` through a temporary file in the same folder,
    with the permissions a plain open() would give it."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private
        os.replace(tmp, path)
    except OSError as e:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        raise TpcError(f"{path}: cannot write it: {e.strerror}") from None
