"""Lift + optimize: a model's weights -> its optimized program, and what the passes kept.

The one place a model is lifted: both programs go through the user's cache (`tpc.cache`), so
every command and the API that reads a model reuse an earlier lift of the same files."""

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
    `level`; `print_after`, `printer` and `announce` are `tpc.passes.optimize`'s hooks (with
    `print_after` the passes always run, so that what they print is seen)."""
    from tpc.cache import lifted as cached  # torch only when the cache has no such lift
    from tpc.lift.summary import lift_summary
    from tpc.passes import optimize

    lifted = cached(path, 0)
    passes = lambda program: optimize(program, level, print_after, printer, announce)  # noqa: E731
    optimized = passes(lifted) if print_after else cached(path, level, passes)
    summary = lift_summary(lifted, optimized)
    return Lifted(lifted, optimized.with_meta(**summary.meta()), summary)
