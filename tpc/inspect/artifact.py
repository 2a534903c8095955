"""Any artifact `tpc verify` accepts, as the IR program the inspection tools read."""

from __future__ import annotations

from pathlib import Path

from tpc.errors import TpcError
from tpc.ir import Program
from tpc.load import load_program, parse_tokens, typed_tokens
from tpc.verify.runnables import CHECKPOINT_SUFFIXES


def load_artifact(path: str, vocab=None, max_len: int | None = None, level: int = 0, **defaults) -> Program:
    """A model (checkpoint or reference run directory) lifted and optimized at `level` (through
    the cache of lifted programs, `tpc.cache`), or a
    .rasp / IR .json program as `tpc.load.load_program` loads it (`vocab`, `max_len` and its
    `defaults` apply to .rasp only)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if p.is_dir() or suffix in CHECKPOINT_SUFFIXES:
        from tpc.cache import lifted  # torch only when the user's cache has no such lift

        return lifted(p, level)
    if suffix == ".py":
        raise TpcError(f"{path}: an emitted Python module cannot be inspected; pass the model, "
                       ".rasp or IR .json it was written from")
    if suffix not in (".rasp", ".json"):
        raise TpcError(f"{path}: unknown kind of file (expected a model, .rasp or .json)")
    return load_program(str(p), vocab, max_len, **defaults)


def input_tokens(program: Program, text: str) -> list:
    """`text` split like `tpc run --input`, as the program's token values; a model-mode program
    reads BOS first, added when the text does not start with it."""
    dom = program.domain
    tokens = typed_tokens(parse_tokens(text), dom.vocab)
    if not dom.implicit_bos and tokens[:1] != [dom.bos]:
        tokens = [dom.bos, *tokens]
    return tokens
