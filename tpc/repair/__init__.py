"""Counterexample-guided repair of a Transformer Program against a spec: check over the whole
domain (`check`), fine-tune on the failing inputs (`finetune`), grow the model where its shape
is too small (`grow`), keep the best round (`driver`), report what changed (`diff`, `report`)."""

from tpc.repair.driver import repair
from tpc.repair.options import RepairOptions

__all__ = ["RepairOptions", "repair"]
