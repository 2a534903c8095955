"""Dead-code elimination."""

from __future__ import annotations

from tpc.ir import Program


def eliminate_dead_code(program: Program) -> Program:
    """Remove nodes that no output reaches."""
    return program.evolve(nodes=program.live())
