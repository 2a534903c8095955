"""An emitted Python module as a side of a check (`PythonRunnable`)."""

from __future__ import annotations

import time
from pathlib import Path

from tpc.errors import TpcError
from tpc.ir import choose_main_output
from tpc.verify.module_pool import (
    MIN_PARALLEL_POSITIONS,
    POOL_AFTER_SECONDS,
    ModulePool,
    import_module,
    run_rows,
)
from tpc.verify.side import Runnable


class PythonRunnable(Runnable):
    """A module emitted by `tpc.backends.python`, imported from its path. The module runs one
    input at a time; a large batch is split over worker processes (`module_pool`)."""

    kind = "python"
    batch_positions = 1 << 14

    def __init__(self, path: Path, label: str):
        self.label, self.path = label, path
        module = import_module(path)
        missing = [
            c
            for c in ("VOCAB", "MAX_LEN", "IMPLICIT_BOS", "BOS", "OUTPUTS", "run_all")
            if not hasattr(module, c)
        ]
        if missing:
            raise TpcError(f"{path}: not a module emitted by tpc (it lacks {', '.join(missing)})")
        self.module = module
        self.vocab = tuple(module.VOCAB)
        self.implicit_bos, self.bos = bool(module.IMPLICIT_BOS), module.BOS
        self.max_len = module.MAX_LEN - (0 if self.implicit_bos else 1)
        self.outputs = tuple(module.OUTPUTS)
        self.main_output = getattr(module, "MAIN_OUTPUT", None) or choose_main_output(self.outputs)
        self._pool: ModulePool | None | bool = False  # False: not started yet
        self._serial_seconds = 0.0  # spent running batches here, before any pool

    def _input(self, seq) -> list:
        return list(seq) if self.implicit_bos else [self.bos, *seq]

    def run_ids(self, idx, outputs, canon):
        rows = [self._input([self.tokens[i] for i in row]) for row in idx.tolist()]
        width = idx.shape[1] + (0 if self.implicit_bos else 1)
        large = idx.shape[0] * width >= MIN_PARALLEL_POSITIONS
        # Workers cost about a second to start: only a check that has already run a while
        # here (a long one) gets them.
        if self._pool is False and large and self._serial_seconds >= POOL_AFTER_SECONDS:
            self._pool = ModulePool.create(str(self.path))
        if self._pool and large:
            result = self._pool.run(rows, width, list(outputs), self.label)
        else:
            start = time.perf_counter()
            result = run_rows(self.module, rows, width, list(outputs), self.label)
            self._serial_seconds += time.perf_counter() - start
        return {o: canon.lookup(values)[codes] for o, (values, codes) in result.items()}

    def run_values(self, seq, outputs):
        seq = self._input(seq)
        try:
            result = self.module.run_all(seq)
        except Exception as e:
            raise TpcError(f"{self.label} failed on {seq!r}: {type(e).__name__}: {e}") from None
        return {o: list(result[o]) for o in outputs}
