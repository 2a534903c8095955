"""A one-line progress bar on stderr (no dependency; redraws in place on a terminal)."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(
        self,
        total: int,
        start: int = 0,
        stream=sys.stderr,
        enabled: bool = True,
        unit: str = "epoch",
    ):
        self.total, self.start, self.stream, self.enabled, self.unit = (
            total,
            start,
            stream,
            enabled,
            unit,
        )
        self.t0 = time.perf_counter()
        self.tty = stream.isatty()

    def update(self, epoch: int, **fields: float) -> None:
        """Show ``epoch`` (1-based, done) and the given values; one line per 10% when not a tty."""
        if not self.enabled:
            return
        done = epoch - self.start
        rate = (time.perf_counter() - self.t0) / max(done, 1)
        width = 20
        bar = "#" * (width * epoch // self.total)
        text = " ".join(f"{k} {v:.4g}" for k, v in fields.items())
        line = (
            f"{self.unit} {epoch}/{self.total} [{bar:<{width}}] {text} "
            f"({rate:.2f} s/{self.unit}, {rate * (self.total - epoch):.0f} s left)"
        )
        if self.tty:
            self.stream.write("\r" + line + "\x1b[K")
        elif epoch == self.total or epoch % max(self.total // 10, 1) == 0:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()
