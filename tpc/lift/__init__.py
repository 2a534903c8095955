"""Lifting: trained (or compiled) Transformer Program weights -> the typed IR, exactly."""

from pathlib import Path

from tpc.ir import Program
from tpc.lift.bounds import MAX_TABLE_ROWS
from tpc.lift.lower import lift_model
from tpc.model.checkpoint import LoadedModel, load_model
from tpc.tasks.generators import UNK
from tpc.tasks.text import TEXT_TASKS
from tpc.lift.summary import LiftSummary, lift_summary


def lift_checkpoint(path: str | Path, max_table_rows: int = MAX_TABLE_ROWS) -> Program:
    """Load a tpc checkpoint or a reference run and lift it (no optimization); an MLP table of
    more than `max_table_rows` rows is a TpcError before it is built."""
    loaded = load_model(path)
    return lift_model(
        loaded.model, loaded.tokens, loaded.labels, loaded.implicit_bos,
        unk=UNK if loaded.task in TEXT_TASKS else None,  # text models read unknown words as <unk>
        max_table_rows=max_table_rows,
        name=loaded.task or Path(loaded.path).stem, checkpoint=f"{loaded.path} ({loaded.kind})", task=loaded.task,
    )


__all__ = [
    "lift_checkpoint", "lift_model", "MAX_TABLE_ROWS", "load_model", "LoadedModel", "LiftSummary",
    "lift_summary",
]
