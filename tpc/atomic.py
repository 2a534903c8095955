"""Writing output files atomically: a temporary file beside the target, then a rename.

A reader (or a process killed mid-write) sees the old file or the new one, never half of
one. Only regular files are ever replaced: a symlink is written through to its target, and a
device, directory or pipe is refused, so `-o /dev/full` cannot replace a device node.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from tpc.errors import TpcError


def output_target(path) -> Path:
    """The regular file that writing `path` replaces or creates (a symlink's final target);
    a one-line TpcError when that is a special file or its directory does not exist."""
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file():
        raise TpcError(f"cannot write {path}: not a regular file (only regular files are replaced)")
    if not target.parent.is_dir():
        raise TpcError(f"cannot write {path}: directory {Path(path).parent} does not exist")
    return target


@contextmanager
def atomic_open(path, mode: str = "w"):
    """A file object (mode "w" or "wb") whose content replaces `path` only when the block ends
    without an error and every byte reached the disk; any OS failure is a one-line TpcError."""
    target = output_target(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise TpcError(f"cannot write {path}: {e.strerror}") from None
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file private; give it what an ordinary open() would have.
        os.chmod(tmp, target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as e:
        _remove(tmp)
        raise TpcError(f"cannot write {path}: {e.strerror or e}") from None
    except BaseException:
        _remove(tmp)
        raise


def write_text(path, text: str) -> None:
    """`text` as the whole content of `path`, atomically."""
    with atomic_open(path, "w") as f:
        f.write(text)


def write_bytes(path, data: bytes) -> None:
    """`data` as the whole content of `path`, atomically."""
    with atomic_open(path, "wb") as f:
        f.write(data)


def _remove(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
