"""Optimization passes: pure functions Program -> Program that never change behaviour."""

from .comparisons import name_comparisons
from .cse import eliminate_common_subexpressions
from .dce import eliminate_dead_code
from .fill import fill_unreachable
from .fold import fold_constants, sums_are_exact
from .manager import PASSES, PIPELINES, optimize
from .narrow import narrow_types
from .prune import prune_readouts

__all__ = [
    "PASSES",
    "PIPELINES",
    "optimize",
    "narrow_types",
    "fold_constants",
    "eliminate_common_subexpressions",
    "eliminate_dead_code",
    "sums_are_exact",
    "name_comparisons",
    "fill_unreachable",
    "prune_readouts",
]
