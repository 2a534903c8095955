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


def lift(
    path,
    level: int = 1,
    print_after=(),
    printer=None,
    announce=None,
    max_table_rows: int | None = None,
) -> Lifted:
    """Lift the model at `path` (a checkpoint or a run of the paper's code) and optimize it at
    `level`; `print_after`, `printer` and `announce` are `tpc.passes.optimize`'s hooks (with
    `print_after` the passes always run, so that what they print is seen). An MLP table of more
    than `max_table_rows` rows (None: `tpc.lift.MAX_TABLE_ROWS`) is a TpcError naming it."""
    from tpc.cache import lifted as cached  # torch only when the cache has no such lift
    from tpc.lift.bounds import MAX_TABLE_ROWS
    from tpc.lift.summary import lift_summary
    from tpc.passes import optimize

    limit = MAX_TABLE_ROWS if max_table_rows is None else max_table_rows
    lifted = cached(path, 0, max_table_rows=limit)
    passes = lambda program: optimize(program, level, print_after, printer, announce)  # noqa: E731
    optimized = passes(lifted) if print_after else cached(path, level, passes, limit)
    summary = lift_summary(lifted, optimized)
    return Lifted(lifted, optimized.with_meta(**summary.meta()), summary)
