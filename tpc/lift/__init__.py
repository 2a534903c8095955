"""Lifting: trained (or compiled) Transformer Program weights -> the typed IR, exactly.

torch loads with `lift_checkpoint`, `lift_model` or `load_model`, not with this package: the
lift summary (and `tpc.cache`, which reads lifted programs back) need none of it."""

from pathlib import Path

from tpc.ir import Program
from tpc.lift.bounds import MAX_TABLE_ROWS
from tpc.lift.summary import LiftSummary, lift_summary

_LAZY = {
    "lift_model": "tpc.lift.lower",
    "load_model": "tpc.model.checkpoint",
    "LoadedModel": "tpc.model.checkpoint",
}


def lift_checkpoint(path: str | Path, max_table_rows: int = MAX_TABLE_ROWS) -> Program:
    """Load a tpc checkpoint or a reference run and lift it (no optimization); an MLP table of
    more than `max_table_rows` rows is a TpcError before it is built."""
    from tpc.lift.lower import lift_model
    from tpc.model.checkpoint import load_model
    from tpc.tasks.generators import UNK
    from tpc.tasks.registry import is_text_task

    loaded = load_model(path)
    return lift_model(
        loaded.model,
        loaded.tokens,
        loaded.labels,
        loaded.implicit_bos,
        unk=UNK if is_text_task(loaded.task) else None,  # text models read unknown words as <unk>
        max_table_rows=max_table_rows,
        name=loaded.task or Path(loaded.path).stem,
        checkpoint=f"{loaded.path} ({loaded.kind})",
        task=loaded.task,
    )


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tpc.lift' has no attribute {name!r}")


__all__ = [
    "lift_checkpoint",
    "lift_model",
    "MAX_TABLE_ROWS",
    "load_model",
    "LoadedModel",
    "LiftSummary",
    "lift_summary",
]
