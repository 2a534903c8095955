"""What a long `tpc verify` says while it runs: one line per length on stderr, and on a
terminal a bar of the inputs checked so far, redrawn in place between those lines.

A check reports when asked (`--progress`), and by default when stderr is a terminal or the
check is long (more than PROGRESS_INPUTS inputs to run; every SMT check, whose lengths can
take minutes each). Short checks in scripts stay quiet; the result line is unchanged."""

from __future__ import annotations

import sys
import time

PROGRESS_INPUTS = 100_000
BAR_WIDTH = 30
REDRAW_SECONDS = 0.2  # a bar is redrawn at most this often


def wanted(requested: bool | None, total: int | None) -> bool:
    """`requested` (--progress / --no-progress), else: stderr is a terminal, or `total`
    (inputs to run; None: an SMT check) is large."""
    if requested is not None:
        return requested
    return sys.stderr.isatty() or total is None or total > PROGRESS_INPUTS


class Progress:
    """Prints `length N: what happened (seconds since the check began)` lines; on a terminal,
    `inputs` also draws a bar of `total` inputs, which the next line replaces."""

    def __init__(self, stream=None, total: int | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.total = total
        self.bar = self.stream.isatty() and bool(total)
        self.start = time.perf_counter()
        self._drawn = 0.0  # when the bar was last drawn (0: not on screen)

    def length(self, length: int, what: str) -> None:
        clear = "\r\x1b[K" if self._drawn else ""
        self._drawn = 0.0
        print(
            f"{clear}length {length}: {what} ({time.perf_counter() - self.start:.1f} s)",
            file=self.stream,
            flush=True,
        )

    def inputs(self, done: int, length: int) -> None:
        """`done` of the check's inputs are checked, the last of `length` tokens."""
        now = time.perf_counter()
        if not self.bar or now - self._drawn < REDRAW_SECONDS:
            return
        self._drawn = now
        filled = BAR_WIDTH * done // self.total
        self.stream.write(
            f"\r[{'#' * filled:<{BAR_WIDTH}}] {done:,} / {self.total:,} inputs, length "
            f"{length} ({now - self.start:.1f} s)\x1b[K"
        )
        self.stream.flush()
