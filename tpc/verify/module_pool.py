"""An emitted Python module run on a batch of inputs: one input at a time (the module is plain
Python), split over worker processes that each import the module from its path.

A worker returns, per output, the distinct values it saw and each position's index into them,
so only a few values cross between processes and the parent gives each its canonical id once.
"""

from __future__ import annotations

import importlib.util
import itertools
import multiprocessing
import os
import weakref
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from tpc.errors import TpcError

#: a batch with fewer positions than this runs in the calling process (a pool's start costs
#: about a second; the batches of a check big enough to need one are larger)
MIN_PARALLEL_POSITIONS = 4096
#: seconds a module runs in the calling process before large batches go to workers
POOL_AFTER_SECONDS = 2.0
_count = itertools.count()
_module = None  # a worker's module


def import_module(path, name: str | None = None):
    """The module at `path`, imported under a fresh name; a one-line TpcError if it fails."""
    name = name or f"_tpc_verify_module_{os.getpid()}_{next(_count)}"
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except Exception as e:
        raise TpcError(f"{path}: cannot import it: {type(e).__name__}: {e}") from None
    return module


def run_rows(module, rows: list, width: int, outputs: list, label: str) -> dict:
    """`module.run_all` on each input of `rows` (token lists of `width`, BOS included where
    the module reads it) -> output -> (distinct values, index array [inputs, width])."""
    seen = {o: {} for o in outputs}
    codes = {o: np.empty((len(rows), width), dtype=np.int64) for o in outputs}
    for i, seq in enumerate(rows):
        try:
            result = module.run_all(seq)
        except Exception as e:
            raise TpcError(f"{label} failed on {seq!r}: {type(e).__name__}: {e}") from None
        for o in outputs:
            values, index = result[o], seen[o]
            if len(values) != len(seq):
                raise TpcError(
                    f"{label} returned {len(values)} values of {o!r} for the "
                    f"{len(seq)} positions of {seq!r}"
                )
            codes[o][i] = [index.setdefault(_distinct(v), (len(index), v))[0] for v in values]
    return {o: ([v for _, v in seen[o].values()], codes[o]) for o in outputs}


def _distinct(value):
    """A dict key that never merges two values the caller could tell apart (1, True, 1.0)."""
    try:
        hash(value)
        return type(value), value
    except TypeError:
        return type(value), repr(value)


def _start(path: str) -> None:
    global _module
    _module = import_module(path)


def _run(rows, width, outputs, label):
    try:
        return run_rows(_module, rows, width, outputs, label)
    except TpcError as e:  # crosses back as text: the parent raises it as a TpcError again
        return str(e)


class ModulePool:
    """Worker processes (one per available core) that run the module at `path`; None from
    `create` when there is only one core."""

    def __init__(self, path: str, workers: int):
        context = multiprocessing.get_context("spawn")  # no fork of a process with threads
        self.workers = workers
        self.pool = ProcessPoolExecutor(workers, context, initializer=_start, initargs=(path,))
        weakref.finalize(self, self.pool.shutdown, cancel_futures=True)

    @classmethod
    def create(cls, path: str) -> ModulePool | None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        if (cores or 1) < 2 or int(os.environ.get("WORLD_SIZE", "1")) > 1:  # torchrun: a core each
            return None
        return cls(path, cores)

    def run(self, rows: list, width: int, outputs: list, label: str) -> dict:
        """`run_rows` over the workers, chunk by chunk, joined in order."""
        size = -(-len(rows) // self.workers)
        chunks = [rows[i : i + size] for i in range(0, len(rows), size)]
        same = (itertools.repeat(x) for x in (width, outputs, label))
        parts = list(self.pool.map(_run, chunks, *same))
        for part in parts:
            if isinstance(part, str):
                raise TpcError(part)
        joined = {}
        for o in outputs:
            values = [v for part in parts for v in part[o][0]]
            offsets = np.cumsum([0] + [len(part[o][0]) for part in parts[:-1]])
            codes = np.concatenate([part[o][1] + offset for part, offset in zip(parts, offsets)])
            joined[o] = (values, codes)
        return joined
