"""What lifting and optimization kept of a model: the modules, by layer."""

from __future__ import annotations

import re

import attrs

from tpc.ir import Constant, Program

# The model's names for its modules (tpc.model.discrete): L{layer}.{cat|num}_{head|mlp}{i}.
_MODULE = re.compile(r"L(\d+)\.(?:cat|num)_(head|mlp)\d+")


@attrs.frozen
class LiftSummary:
    layers: int
    heads: tuple[int, int]  # (kept, total)
    mlps: tuple[int, int]
    removed: tuple[str, ...]  # model variables the passes removed, e.g. "L0.cat_head2"

    def __str__(self) -> str:
        return (
            f"lifted {self.layers} layers: heads {self.heads[0]}/{self.heads[1]} kept, "
            f"MLPs {self.mlps[0]}/{self.mlps[1]} kept"
        )

    def meta(self) -> dict[str, str]:
        return {"removed": ", ".join(self.removed) or "nothing"}


def _module_outputs(lifted: Program) -> dict[str, str]:
    """Each head or MLP of the model -> the node holding its output: the last node lifted from
    it (a head's Select and an MLP's input packing come first), in program order."""
    origin = lifted.origin_map
    out: dict[str, str] = {}
    for node in lifted.nodes:
        if _MODULE.fullmatch(origin.get(node.name, "")):
            out[origin[node.name]] = node.name
    return out


def lift_summary(lifted: Program, optimized: Program) -> LiftSummary:
    """Count the heads and MLPs of the lifted program that survive in the optimized one."""
    modules = _module_outputs(lifted)
    origin = optimized.origin_map  # by module, not by node name: passes may rename a node
    kept = {
        origin[n.name]
        for n in optimized.nodes
        if n.name in origin and n.type.kind != "selector" and not isinstance(n, Constant)
    }
    parsed = {m: _MODULE.fullmatch(m).groups() for m in modules}  # (layer, "head" or "mlp")
    heads = [m for m in modules if parsed[m][1] == "head"]
    mlps = [m for m in modules if parsed[m][1] == "mlp"]
    return LiftSummary(
        layers=len({layer for layer, _ in parsed.values()}),
        heads=(len(kept.intersection(heads)), len(heads)),
        mlps=(len(kept.intersection(mlps)), len(mlps)),
        removed=tuple(m for m in modules if m not in kept),
    )
