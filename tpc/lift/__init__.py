"""Lifting: trained (or compiled) Transformer Program weights -> the typed IR, exactly."""

from pathlib import Path

from tpc.ir import Program
from tpc.lift.lower import lift_model
from tpc.lift.summary import LiftSummary, lift_summary
from tpc.model.checkpoint import LoadedModel, load_model
from tpc.tasks.generators import UNK
from tpc.tasks.registry import is_text_task


def lift_checkpoint(path: str | Path) -> Program:
    """Load a tpc checkpoint or a reference run and lift it (no optimization)."""
    loaded = load_model(path)
    return lift_model(
        loaded.model,
        loaded.tokens,
        loaded.labels,
        loaded.implicit_bos,
        unk=UNK if is_text_task(loaded.task) else None,  # text models read unknown words as <unk>
        name=loaded.task or Path(loaded.path).stem,
        checkpoint=f"{loaded.path} ({loaded.kind})",
        task=loaded.task,
    )


__all__ = [
    "lift_checkpoint",
    "lift_model",
    "load_model",
    "LoadedModel",
    "LiftSummary",
    "lift_summary",
]
