"""The assembler: IR programs -> Transformer Program checkpoints that compute them exactly."""

from tpc.assemble.assembler import Compiled, assemble
from tpc.assemble.checkpoint import checkpoint_extras, save_compiled
from tpc.assemble.layout import CompileError

__all__ = ["CompileError", "Compiled", "assemble", "checkpoint_extras", "save_compiled"]
