"""`tpc repair --workers N`: the check step split across N processes (torch.distributed,
gloo), as `tpc verify --workers` splits its check: worker r checks every N-th batch; rank 0
gathers every worker's failing inputs. Under torchrun the process group is torchrun's."""

from __future__ import annotations

import os

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from tpc.errors import TpcError
from tpc.repair.check import Failures, ModelCheck
from tpc.verify.workers import _free_port  # one free-port helper for both checks


def _share(kwargs: dict) -> Failures:
    """This process's share, gathered on every rank (a collective)."""
    run = {k: kwargs.pop(k) for k in ("exhaustive_limit", "samples", "seed")}
    mine = ModelCheck(**kwargs).run(**run, share=(dist.get_rank(), dist.get_world_size()))
    every: list = [None] * dist.get_world_size()
    dist.all_gather_object(every, mine)
    total = Failures(mode=mine.mode)
    for part in every:
        total.merge(part)
    total.seconds = max(part.seconds for part in every)
    return total


def _worker(rank: int, workers: int, port: int, kwargs: dict, results) -> None:
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                            world_size=workers)
    try:
        try:
            result = _share(dict(kwargs))
        except TpcError as e:
            result = e
        if rank == 0:
            results.put(result)
    finally:
        dist.destroy_process_group()


def check_with_workers(kwargs: dict, workers: int) -> Failures:
    """`ModelCheck(**check).run(...)` over `workers` local processes (or torchrun's group);
    `kwargs` holds ModelCheck's arguments and run's `exhaustive_limit`, `samples`, `seed`."""
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:
        if not dist.is_initialized():
            dist.init_process_group("gloo")
        return _share(dict(kwargs))
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    ctx = mp.get_context(method)
    results = ctx.SimpleQueue()
    mp.start_processes(_worker, args=(workers, _free_port(), kwargs, results), nprocs=workers,
                       join=True, start_method=method)
    result = results.get()
    if isinstance(result, TpcError):
        raise result
    return result
