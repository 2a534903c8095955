"""A tracr program file (`FILE.py`, `FILE.py:NAME`) as a side of `tpc verify`."""

from __future__ import annotations

from pathlib import Path

from tpc.verify.runnables import ProgramRunnable, RaspRunnable


class TracrRunnable(RaspRunnable):
    """Translated over the file's own `vocab` / `max_seq_len` when it declares both, else
    over the check's vocabulary and max length (like a `.rasp` file)."""

    kind = "tracr"

    def __init__(self, spec: str, label: str):
        from tpc.frontend.tracr_file import ProgramFile

        self.spec, self.label, self.path = spec, label, Path(spec)
        self.file = ProgramFile(spec)
        self._program = None
        if self.file.vocab is not None and self.file.max_seq_len is not None:
            self.bind(None, None)

    def _compile(self, vocab, max_len):
        from tpc.frontend.tracr_to_ir import tracr_to_ir

        vocab, max_len = self.file.domain(vocab, max_len)
        return tracr_to_ir(self.file.program, vocab, max_len, self.file.causal, origin=self.file.path)

    def bind(self, vocab, max_len):
        self._program = ProgramRunnable(self._compile(vocab, max_len), self.label, "tracr")
        for name in ("vocab", "max_len", "implicit_bos", "bos", "outputs", "main_output"):
            setattr(self, name, getattr(self._program, name))
