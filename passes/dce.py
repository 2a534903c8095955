"""Dead-code elimination."""

from __future__ import annotations

from tpc.ir import Program


def eliminate_dead_code(program: Program) -> Program:
    """Remove nodes that no output reaches."""
    live = set(program.output_map.values())
    for node in reversed(program.nodes):
        if node.name in live:
            live.update(node.inputs)
    return program.evolve(nodes=tuple(n for n in program.nodes if n.name in live))
