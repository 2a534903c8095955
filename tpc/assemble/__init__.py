"""The assembler: IR programs -> Transformer Program checkpoints that compute them exactly."""

from .assembler import CompileError, Compiled, assemble, checkpoint_extras


def save_compiled(compiled: Compiled, path) -> None:
    """Write `compiled` in the checkpoint format `tpc train` writes."""
    from tpc.model.checkpoint import save_checkpoint

    save_checkpoint(path, compiled.model, **checkpoint_extras(compiled))


__all__ = ["CompileError", "Compiled", "assemble", "checkpoint_extras", "save_compiled"]
