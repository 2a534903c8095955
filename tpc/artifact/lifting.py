"""Lift + optimize: a model's weights -> its optimized program, and what the passes kept."""

from __future__ import annotations

import attrs

from tpc.ir import Program


@attrs.frozen
class Lifted:
    """A model's program as lifted (`lifted`) and after the passes (`program`, what was
    removed in its meta), and the summary of what the passes kept."""

    lifted: Program
    program: Program
    summary: object  # tpc.lift.LiftSummary


def lift(path, level: int = 1, print_after=(), printer=None, announce=None) -> Lifted:
    """Lift the model at `path` (a checkpoint or a run of the paper's code) and optimize it at
    `level`; `print_after`, `printer` and `announce` are `tpc.passes.optimize`'s hooks."""
    from tpc.lift import lift_checkpoint, lift_summary  # lazy: torch, only for models
    from tpc.passes import optimize

    lifted = lift_checkpoint(path)
    optimized = optimize(lifted, level, print_after, printer, announce)
    summary = lift_summary(lifted, optimized)
    return Lifted(lifted, optimized.with_meta(**summary.meta()), summary)
