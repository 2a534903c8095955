"""`tpc verify --workers N`: the exhaustive domain split across processes with
torch.distributed (gloo), so that the same check scales to several machines under torchrun.

Worker r checks every N-th batch of inputs from the r-th; the counts are summed and the
first failing input is the one earliest in the check's order over all workers, so the result
is the one a single process finds. Under torchrun (RANK and WORLD_SIZE set) the process
group is torchrun's; otherwise `spawn` starts N local processes.
"""

from __future__ import annotations

import os
import socket

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from tpc.errors import TpcError
from tpc.verify.search import Tally, enumerate_inputs

_NONE = torch.iinfo(torch.int64).max  # "no failing input" in a min-reduction


def _input_at(p, ordinal: int) -> list:
    """The input at `ordinal` in the check's order (lengths from min_len, lexicographic)."""
    for length in range(p.min_len, p.max_len + 1):
        count = p.n_vocab**length
        if ordinal < count:
            return enumerate_inputs(p.n_vocab, length, ordinal, ordinal + 1)[0].tolist()
        ordinal -= count
    raise AssertionError("ordinal beyond the domain")


def combine(p, tally: Tally) -> Tally:
    """Every worker's tally merged (a collective: every worker calls it)."""
    counts = torch.tensor([tally.failing_inputs, tally.failing_positions], dtype=torch.int64)
    first = torch.tensor([_NONE if tally.first_ordinal is None else tally.first_ordinal])
    dist.all_reduce(counts)
    dist.all_reduce(first, op=dist.ReduceOp.MIN)
    ordinal = int(first[0])
    if ordinal == _NONE:
        return Tally(p.total, None, None, 0, 0)
    checked = p.total if p.spec else ordinal + 1  # a check that stops at the first failure
    return Tally(checked, _input_at(p, ordinal), ordinal, int(counts[0]), int(counts[1]))


def run_distributed(kwargs: dict):
    """This process's share of a check, in an initialised process group; the merged result."""
    from tpc.verify.driver import prepare, run_check

    checks = {k: kwargs.pop(k) for k in ("samples", "seed", "exhaustive_limit")}
    p = prepare(**kwargs)
    return run_check(p, **checks, share=(dist.get_rank(), dist.get_world_size()), combine=combine)


def _worker(rank: int, workers: int, port: int, kwargs: dict, results) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    torch.set_num_threads(1)
    dist.init_process_group(
        "gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=workers
    )
    try:
        try:
            result = run_distributed(dict(kwargs))
        except TpcError as e:
            result = e
        if rank == 0:
            results.put(result)
    finally:
        dist.destroy_process_group()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(kwargs: dict, workers: int):
    """Run a check on `workers` local processes (or, under torchrun, on its process group)."""
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:
        if not dist.is_initialized():
            dist.init_process_group("gloo")
        return run_distributed(dict(kwargs))
    for side in ("a", "b"):
        if not isinstance(kwargs[side], (str, os.PathLike)):
            raise TpcError("--workers needs both sides as files (each worker loads them)")
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"  # fork: no re-import
    ctx = mp.get_context(method)
    results = ctx.SimpleQueue()
    mp.start_processes(
        _worker,
        args=(workers, _free_port(), kwargs, results),
        nprocs=workers,
        join=True,
        start_method=method,
    )
    result = results.get()
    if isinstance(result, TpcError):
        raise result
    return result
