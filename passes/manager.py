"""The pass manager: named pipelines of IR -> IR passes, run to a fixed point."""

from __future__ import annotations

import warnings
from typing import Callable, Iterable

from tpc.ir import Program, validate

from .comparisons import name_comparisons
from .cse import eliminate_common_subexpressions
from .dce import eliminate_dead_code
from .fill import fill_unreachable
from .fold import fold_constants
from .names import name_heads
from .narrow import narrow_types
from .prune import prune_readouts

PASSES: dict[str, Callable[[Program], Program]] = {
    "narrow": narrow_types,
    "fold": fold_constants,
    "cse": eliminate_common_subexpressions,
    "dce": eliminate_dead_code,
    "compare": name_comparisons,
    "name": name_heads,
    "fill": fill_unreachable,
    "prune": prune_readouts,
}
_CLEANUP = ("narrow", "fold", "cse", "dce", "compare", "name")
PIPELINES: dict[int, tuple[str, ...]] = {0: (), 1: _CLEANUP, 2: (*_CLEANUP, "prune", "fill")}
# Passes that run the program on every input of the domain: once, in the first round (later
# rounds only clean up after them, and a second proof would find nothing new to remove).
ONCE = frozenset({"prune", "fill"})
MAX_ROUNDS = 20


def optimize(
    program: Program,
    level: int = 1,
    print_after: Iterable[str] = (),
    printer: Callable[[str, Program], None] | None = None,
    announce: Callable[[str], None] | None = None,
) -> Program:
    """Run the pipeline for `level` until nothing changes (at most MAX_ROUNDS rounds, with a
    warning if that is not enough); call `printer(pass, program)` after
    each pass named in `print_after` (the CLI prints RASP text there), and `announce(pass)`
    before each pass that may run the program on every input (the CLI says so: it can take
    minutes)."""
    if level not in PIPELINES:
        raise ValueError(f"unknown optimization level {level} (known: {sorted(PIPELINES)})")
    watch = set(print_after)
    unknown = watch - set(PASSES)
    if unknown:
        raise ValueError(f"unknown pass {sorted(unknown)[0]!r} (passes: {', '.join(PASSES)})")
    for round_ in range(MAX_ROUNDS):
        before = program
        for name in PIPELINES[level]:
            if round_ and name in ONCE:
                continue
            if name in ONCE and announce is not None:
                announce(name)
            program = PASSES[name](program)
            if name in watch and printer is not None:
                printer(name, program)
        if program == before:
            break
    else:  # every round is exact, so the program is still right; say that it is not minimal
        warnings.warn(
            f"optimize: passes still changed the program after {MAX_ROUNDS} rounds; "
            "stopped there (a pass undoes another)",
            RuntimeWarning,
            stacklevel=2,
        )
    # Passes keep programs valid (their property tests validate every output); checking once
    # here keeps a broken pass from reaching a backend.
    return validate(program)
