"""The paper's synthetic tasks: generators, vocabularies and splits."""

from tpc.tasks.dataset import TASKS, Dataset, Split, TaskSpec, get_task, make_dataset

__all__ = ["TASKS", "Dataset", "Split", "TaskSpec", "get_task", "make_dataset"]
