"""The tasks tpc trains on: the registry (torch-free, tpc.tasks.registry) and their data
(tpc.tasks.dataset, tpc.tasks.text: torch, loaded on first use so that help texts built from
the registry import no torch)."""

from tpc.tasks.registry import TASKS, Task, get_task

_DATASET_NAMES = ("Dataset", "Split", "make_dataset")


def __getattr__(name: str):
    if name in _DATASET_NAMES:
        from tpc.tasks import dataset  # lazy: torch

        return getattr(dataset, name)
    raise AttributeError(f"module 'tpc.tasks' has no attribute {name!r}")


__all__ = ["TASKS", "Task", "get_task", *_DATASET_NAMES]
