"""Compiled models as checkpoints: what `save_checkpoint` needs besides the model."""

from __future__ import annotations

from tpc.assemble.assembler import Compiled, label
from tpc.ir import value_to_json
from tpc.model.checkpoint import save_checkpoint


def checkpoint_extras(c: Compiled) -> dict:
    """What `save_checkpoint` needs besides the model: token and label strings, task, metrics."""
    return {
        "tokens": tuple(label(t) for t in c.tokens),
        "labels": c.labels,
        "task": f"compiled:{c.output}",
        "metrics": {
            "compiled": True,
            "output": c.output,
            "token_values": [value_to_json(v) for v in c.tokens],
            "label_values": [value_to_json(v) for v in c.classes],
            "implicit_bos": c.program.domain.implicit_bos,
            "max_len": c.program.domain.max_len,
            **c.stats,
        },
    }


def save_compiled(compiled: Compiled, path) -> None:
    """Write `compiled` in the checkpoint format `tpc train` writes."""
    save_checkpoint(path, compiled.model, **checkpoint_extras(compiled))
