"""Where the user's tpc cache lives (lark's parser tables, lifted programs) and whether we may
use it. Apart from tpc.cache, so that the frontend's parser finds the folder without reaching,
even lazily, the lifter that tpc.cache calls (tests/test_imports.py: no import cycle)."""

from __future__ import annotations

import os
from pathlib import Path

DIR_ENV = "TPC_CACHE_DIR"


def cache_dir() -> Path | None:
    """The user's tpc cache folder, created private, or None when there is none we may use
    (no home, not writable, or one that another user owns or others can write)."""
    folder = Path(
        os.environ.get(DIR_ENV)
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tpc"
    )
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except (OSError, RuntimeError):  # no home directory, or one we cannot write
        return None
    if info.st_uid != os.getuid() or info.st_mode & 0o022:
        return None
    return folder
