"""Training Transformer Programs on the paper's tasks."""

from tpc.train.loop import accuracy, train
from tpc.train.options import TrainOptions

__all__ = ["TrainOptions", "accuracy", "train"]
