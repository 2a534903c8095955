"""`tpc repair --workers N`: the check step split across N processes (torch.distributed,
gloo), as `tpc verify --workers` splits its check: worker r checks every N-th batch; rank 0
gathers every worker's failing inputs. Under torchrun the process group is torchrun's."""

from __future__ import annotations

import torch.distributed as dist

from tpc.repair.check import Failures, ModelCheck
from tpc.verify.workers import run_on_workers


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


def check_with_workers(kwargs: dict, workers: int) -> Failures:
    """`ModelCheck(**check).run(...)` over `workers` local processes (or torchrun's group);
    `kwargs` holds ModelCheck's arguments and run's `exhaustive_limit`, `samples`, `seed`."""
    return run_on_workers(_share, kwargs, workers)
