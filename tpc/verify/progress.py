"""What a long `tpc verify` says while it runs: one line per length on stderr.

A check reports when asked (`--progress`), and by default when stderr is a terminal or the
check is long (more than PROGRESS_INPUTS inputs to run; every SMT check, whose lengths can
take minutes each). Short checks in scripts stay quiet; the result line is unchanged."""

from __future__ import annotations

import sys
import time

PROGRESS_INPUTS = 100_000


def wanted(requested: bool | None, total: int | None) -> bool:
    """`requested` (--progress / --no-progress), else: stderr is a terminal, or `total`
    (inputs to run; None: an SMT check) is large."""
    if requested is not None:
        return requested
    return sys.stderr.isatty() or total is None or total > PROGRESS_INPUTS


class Progress:
    """Prints `length N: what happened (seconds since the check began)` lines."""

    def __init__(self, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        self.start = time.perf_counter()

    def length(self, length: int, what: str) -> None:
        print(
            f"length {length}: {what} ({time.perf_counter() - self.start:.1f} s)",
            file=self.stream,
            flush=True,
        )
