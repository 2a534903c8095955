"""What lifting and optimization kept of a model: the modules, by layer."""

from __future__ import annotations

import re

import attrs

from tpc.ir import Constant, Program

_MODULE = re.compile(r"l(\d+)_(cat|num)_(head|mlp)\d+")


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


def _model_name(node_name: str) -> str:
    layer, kind, what, index = re.fullmatch(r"l(\d+)_(cat|num)_(head|mlp)(\d+)", node_name).groups()
    return f"L{layer}.{kind}_{what}{index}"


def lift_summary(lifted: Program, optimized: Program) -> LiftSummary:
    """Count the heads and MLPs of the lifted program that survive in the optimized one."""
    modules = [n.name for n in lifted.nodes if _MODULE.fullmatch(n.name)]
    kept = {m for m in modules if m in optimized and not isinstance(optimized[m], Constant)}
    heads = [m for m in modules if "_head" in m]
    mlps = [m for m in modules if "_mlp" in m]
    layers = {_MODULE.fullmatch(m).group(1) for m in modules}
    return LiftSummary(
        layers=len(layers),
        heads=(len(kept.intersection(heads)), len(heads)),
        mlps=(len(kept.intersection(mlps)), len(mlps)),
        removed=tuple(_model_name(m) for m in modules if m not in kept),
    )
