"""How many threads torch's intra-op pool uses in a command that runs a model.

tpc's models are small: an operation gains little from a second thread, and on a shared or
loaded machine torch's default pool (one thread per core, spinning while it waits) costs
several times the CPU of one thread for the same wall time (docs/results.md: threads). Every
command that can import torch therefore picks its threads here, before torch loads: `--threads`,
else the environment's `TPC_THREADS`, else 1.
"""

from __future__ import annotations

import os
import sys

from tpc.errors import TpcError

ENV = "TPC_THREADS"
DEFAULT = 1
LIMIT = 256


def choose(requested: int | None = None) -> int:
    """`requested` (a command's --threads), else TPC_THREADS, else DEFAULT."""
    if requested is not None:
        return requested
    text = os.environ.get(ENV, "").strip()
    if not text:
        return DEFAULT
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= LIMIT:
        raise TpcError(f"{ENV}={text!r}: expected a whole number of threads, 1..{LIMIT}")
    return int(text)


def use(threads: int) -> None:
    """torch runs operations on `threads` threads: OMP_NUM_THREADS / MKL_NUM_THREADS for a
    torch not yet loaded (its OpenMP pool reads them when it loads), torch.set_num_threads for
    one already loaded."""
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(threads)
