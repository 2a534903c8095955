"""Programs as sides of a check: an IR program (`ProgramRunnable`, the batched interpreter), a
`.rasp` file and a tracr program file compiled over the check's domain."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import attrs
import numpy as np

from tpc.artifact import Choices, RaspSource
from tpc.interp import Interpreter
from tpc.ir import Program
from tpc.verify.side import Runnable


class ProgramRunnable(Runnable):
    """An IR program, evaluated by the batched interpreter."""

    batch_positions = 1 << 16

    def __init__(self, program: Program, label: str = "program", kind: str = "ir"):
        self.program, self.label, self.kind = program, label, kind
        dom = program.domain
        self.vocab = dom.vocab
        self.implicit_bos, self.bos = dom.implicit_bos, dom.bos
        self.max_len = dom.max_len - (0 if dom.implicit_bos else 1)
        self.outputs = tuple(name for name, _ in program.outputs)
        self.main_output = program.main_output
        self.interp = Interpreter(program)
        self._lookups: dict = {}

    def use_vocab(self, tokens: Sequence) -> None:
        super().use_vocab(tokens)
        # Token indices the interpreter uses, read off its public encoder one token at a time.
        prefix = [] if self.implicit_bos else [self.bos]
        codes = [self.interp.encode([[*prefix, t]])[0][0].tolist() for t in self.tokens]
        if codes:
            self._bos_code = codes[0][0]
        else:
            self._bos_code = int(self.interp.encode([prefix])[0][0, 0])
        self._token_codes = np.array([c[1] for c in codes], dtype=np.int64)

    def run_ids(self, idx, outputs, canon):
        batch = idx.shape[0]
        tokens = np.concatenate(
            [
                np.full((batch, 1), self._bos_code, dtype=np.int64),
                self._token_codes[idx].reshape(batch, idx.shape[1]),
            ],
            1,
        )
        valid = np.ones(tokens.shape, dtype=bool)
        omap = self.program.output_map
        env = self.interp.evaluate(tokens, valid, [omap[o] for o in outputs])
        start = 1 if self.implicit_bos else 0
        result = {}
        for o in outputs:
            node = omap[o]
            if (node, id(canon)) not in self._lookups:
                self._lookups[node, id(canon)] = canon.lookup(self.program[node].type.values)
            result[o] = self._lookups[node, id(canon)][env[node][:, start:]]
        return result

    def run_values(self, seq, outputs):
        seq = list(seq) if self.implicit_bos else [self.bos, *seq]
        return {o: v[0] for o, v in self.interp.run([seq], outputs).items()}


class RaspRunnable(Runnable):
    """A `.rasp` file: compiled over the check's vocabulary and max_len, then interpreted.
    What its `#!tpc vocab` / `#!tpc max_len` lines declare fixes that side's vocabulary and
    longest input, as `tpc run` and `tpc compile` read them."""

    kind = "rasp"
    unbound = True

    def __init__(self, path: Path, label: str):
        self.path, self.label = path, label
        self.source = RaspSource.read(path)
        # Only read here (bind checks the domain the check uses against the limit).
        declared = self.source.domain(Choices(default_vocab=(), limit=math.inf))
        if self.source.pragmas.vocab is not None:
            self.vocab = declared.vocab
        if self.source.pragmas.max_len is not None:  # tokens after BOS, as every side counts
            self.max_len = declared.n_positions - 1
        self._program: ProgramRunnable | None = None

    def bind(self, vocab, max_len):
        choices = Choices(self.vocab if self.vocab is not None else vocab, max_len)
        domain = self.source.domain(choices)
        if not domain.implicit_bos:  # `#!tpc model`: max_len counts BOS
            domain = self.source.domain(attrs.evolve(choices, max_len=max_len + 1))
        self._adopt(self.source.translate(domain)[0])

    def _adopt(self, program: Program) -> None:
        """Run as `program` from now on (its domain is this side's)."""
        self.unbound = False
        self._program = ProgramRunnable(program, self.label, self.kind)
        for name in ("vocab", "max_len", "implicit_bos", "bos", "outputs", "main_output"):
            setattr(self, name, getattr(self._program, name))

    def __getattr__(self, name):
        if name.startswith("_") or self.__dict__.get("_program") is None:
            raise AttributeError(name)
        return getattr(self._program, name)

    def use_vocab(self, tokens):
        self._program.use_vocab(tokens)

    def run_ids(self, idx, outputs, canon):
        return self._program.run_ids(idx, outputs, canon)

    def run_values(self, seq, outputs):
        return self._program.run_values(seq, outputs)


class TracrRunnable(RaspRunnable):
    """A tracr program file (`FILE.py`, `FILE.py:NAME`; tpc.frontend.tracr_file), run once:
    translated over its own `vocab` / `max_seq_len` where it declares them, else over the
    check's vocabulary and max length (like a `.rasp` that declares none)."""

    kind = "tracr"

    def __init__(self, path: Path, label: str):
        from tpc.frontend.tracr_file import ProgramFile

        self.path, self.label = path, label
        self.file = ProgramFile(str(path))
        self._program = None
        if self.file.vocab is not None and self.file.max_seq_len is not None:
            self.bind(None, None)

    def bind(self, vocab, max_len):
        from tpc.frontend.tracr_to_ir import tracr_to_ir

        vocab, max_len = self.file.domain(vocab, max_len)
        self._adopt(
            tracr_to_ir(self.file.program, vocab, max_len, self.file.causal, origin=self.file.path)
        )
