"""The artifacts `tpc verify` compares, each as a `Runnable`: batches of inputs -> outputs."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Sequence

import attrs
import numpy as np

from tpc.artifact import Choices, RaspSource, kind_of
from tpc.artifact import load as load_program
from tpc.errors import TpcError
from tpc.interp import Interpreter
from tpc.ir import BOS, Program, choose_main_output, normalize, sort_key
from tpc.verify.module_pool import (
    MIN_PARALLEL_POSITIONS,
    POOL_AFTER_SECONDS,
    ModulePool,
    import_module,
    run_rows,
)

# --- values ---------------------------------------------------------------------------------


def exact_key(value):
    try:
        return sort_key(normalize(value))
    except TypeError:  # not an IR value (a foreign module's output): compare by repr
        return (9, type(value).__name__, repr(value))


class Canon:
    """Canonical integer ids of output values, shared by both sides of one check."""

    def __init__(self, by_str: bool):
        self.by_str = by_str
        self._ids: dict = {}

    def key(self, value):
        return str(value) if self.by_str else exact_key(value)

    def id(self, value) -> int:
        return self._ids.setdefault(self.key(value), len(self._ids))

    def lookup(self, values: Sequence) -> np.ndarray:
        """Ids of `values`, as an array to index with a side's value indices."""
        return np.array([self.id(v) for v in values], dtype=np.int64)


# --- runnables ------------------------------------------------------------------------------


class Runnable:
    """One artifact that maps batches of inputs to per-position outputs.

    `vocab`: its token values (without BOS) in its order, or None if it takes any (a `.rasp`
    that declares none). `max_len`: most tokens after BOS, or None. `implicit_bos`: True when
    it takes tokens without BOS and outputs one value per token. `unbound`: `bind` must fix
    its domain before it runs.
    """

    kind = "?"
    label = "?"
    vocab: tuple | None = None
    max_len: int | None = None
    implicit_bos = True
    bos = BOS
    outputs: tuple = ()
    main_output = ""
    unbound = False
    task_view = False  # a model seen through a task's input convention (conventions.TaskView)
    #: positions (batch x sequence length) evaluated at once
    batch_positions = 1 << 18

    def bind(self, vocab: Sequence, max_len: int) -> None:
        """Fix the domain of a side that has none (a `.rasp` is compiled here)."""

    def use_vocab(self, tokens: Sequence) -> None:
        """Inputs will be indices into `tokens` (this side's own token values)."""
        self.tokens = list(tokens)

    def run_ids(self, idx: np.ndarray, outputs: Sequence[str], canon: Canon) -> dict:
        """idx [batch, length] (indices into the tokens of `use_vocab`) -> output name ->
        canonical ids [batch, positions] (positions include BOS unless `implicit_bos`)."""
        raise NotImplementedError

    def run_values(self, seq: Sequence, outputs: Sequence[str]) -> dict:
        """One input (token values, no BOS) -> output name -> this side's own values."""
        raise NotImplementedError

    def output_name(self, requested: str | None) -> str:
        if requested is None:
            return self.main_output
        if requested not in self.outputs:
            raise TpcError(
                f"{self.label} has no output {requested!r} (it has {', '.join(self.outputs)})"
            )
        return requested


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


class CheckpointRunnable(Runnable):
    """A model (a checkpoint, or a run of the paper's code), run in hard mode; one output,
    "label". A compiled checkpoint's tokens and labels are its program's typed values; a
    trained or reference model's are strings (`typed` False)."""

    kind = "checkpoint"
    batch_positions = 1 << 15  # ~4000 sequences: the hard forward gains up to here on CPU
    outputs = ("label",)
    main_output = "label"
    #: inputs of each length run by both forwards before the fast one is trusted at it
    SPOT_CHECK = 256

    def __init__(self, path: Path, label: str):
        from tpc.model.checkpoint import load_model  # lazy: torch

        self.label, self.path = label, path
        loaded = load_model(path)
        self.model, self.labels, self.typed = loaded.model, loaded.labels, loaded.typed
        # Compiled from a RASP-style program: BOS is still fed, but its output is no output.
        self.implicit_bos = loaded.implicit_bos
        ids = {exact_key(t): i for i, t in enumerate(loaded.tokens)}
        if exact_key(self.bos) not in ids:
            raise TpcError(f"{path}: the model's tokens have no BOS {self.bos!r}")
        self._bos_id = ids[exact_key(self.bos)]
        self._ids = ids
        # Id 0 is padding; every other token but BOS may follow BOS.
        self.vocab = tuple(t for i, t in enumerate(loaded.tokens) if i not in (0, self._bos_id))
        self.max_len = self.model.cfg.n_ctx - 1
        self._fast, self._fast_ok = None, {}

    def output_name(self, requested):
        return "label"

    def use_vocab(self, tokens):
        super().use_vocab(tokens)
        self._token_ids = np.array([self._ids[exact_key(t)] for t in self.tokens], dtype=np.int64)

    def _with_bos(self, idx: np.ndarray) -> np.ndarray:
        """The model's token ids of the inputs `idx` (indices into `tokens`), BOS first."""
        batch = idx.shape[0]
        return np.concatenate(
            [
                np.full((batch, 1), self._bos_id, dtype=np.int64),
                self._token_ids[idx].reshape(batch, idx.shape[1]),
            ],
            1,
        )

    def _predict(self, idx: np.ndarray) -> np.ndarray:
        import torch  # lazy: torch, only for a side that runs a model

        ids = torch.from_numpy(self._with_bos(idx))
        with torch.inference_mode():
            pred = (self._hard_forward(ids) or self.model).predict(ids)
        return pred[:, 1 if self.implicit_bos else 0 :].numpy()

    def _hard_forward(self, ids):
        """The model's hard mode with index variables (tpc.verify.hard_forward, several times
        faster), when it applies at this length and agrees with the model's own `predict` on
        a sample of this batch (checked once per length); else None (the model's own)."""
        n = ids.shape[1]
        if n not in self._fast_ok:
            from tpc.verify.hard_forward import HardForward

            if self._fast is None:
                self._fast = HardForward(self.model)
            sample = ids[:: max(1, len(ids) // self.SPOT_CHECK)]
            self._fast_ok[n] = self._fast.usable(n) and bool(
                (self._fast.predict(sample) == self.model.predict(sample)).all()
            )
        return self._fast if self._fast_ok[n] else None

    def run_ids(self, idx, outputs, canon):
        if not hasattr(self, "_lookup") or self._lookup[0] is not canon:
            self._lookup = (canon, canon.lookup(self.labels))
        return {o: self._lookup[1][self._predict(idx)] for o in outputs}

    def run_values(self, seq, outputs):
        index = {exact_key(t): i for i, t in enumerate(self.tokens)}
        idx = np.array([[index[exact_key(t)] for t in seq]], dtype=np.int64).reshape(1, len(seq))
        row = self._predict(idx)[0].tolist()
        return {o: [self.labels[i] for i in row] for o in outputs}


class PythonRunnable(Runnable):
    """A module emitted by `tpc.backends.python`, imported from its path. The module runs one
    input at a time; a large batch is split over worker processes (`module_pool`)."""

    kind = "python"
    batch_positions = 1 << 14

    def __init__(self, path: Path, label: str):
        self.label, self.path = label, path
        module = import_module(path)
        missing = [
            c
            for c in ("VOCAB", "MAX_LEN", "IMPLICIT_BOS", "BOS", "OUTPUTS", "run_all")
            if not hasattr(module, c)
        ]
        if missing:
            raise TpcError(f"{path}: not a module emitted by tpc (it lacks {', '.join(missing)})")
        self.module = module
        self.vocab = tuple(module.VOCAB)
        self.implicit_bos, self.bos = bool(module.IMPLICIT_BOS), module.BOS
        self.max_len = module.MAX_LEN - (0 if self.implicit_bos else 1)
        self.outputs = tuple(module.OUTPUTS)
        self.main_output = getattr(module, "MAIN_OUTPUT", None) or choose_main_output(self.outputs)
        self._pool: ModulePool | None | bool = False  # False: not started yet
        self._serial_seconds = 0.0  # spent running batches here, before any pool

    def _input(self, seq) -> list:
        return list(seq) if self.implicit_bos else [self.bos, *seq]

    def run_ids(self, idx, outputs, canon):
        rows = [self._input([self.tokens[i] for i in row]) for row in idx.tolist()]
        width = idx.shape[1] + (0 if self.implicit_bos else 1)
        large = idx.shape[0] * width >= MIN_PARALLEL_POSITIONS
        # Workers cost about a second to start: only a check that has already run a while
        # here (a long one) gets them.
        if self._pool is False and large and self._serial_seconds >= POOL_AFTER_SECONDS:
            self._pool = ModulePool.create(str(self.path))
        if self._pool and large:
            result = self._pool.run(rows, width, list(outputs), self.label)
        else:
            start = time.perf_counter()
            result = run_rows(self.module, rows, width, list(outputs), self.label)
            self._serial_seconds += time.perf_counter() - start
        return {o: canon.lookup(values)[codes] for o, (values, codes) in result.items()}

    def run_values(self, seq, outputs):
        seq = self._input(seq)
        try:
            result = self.module.run_all(seq)
        except Exception as e:
            raise TpcError(f"{self.label} failed on {seq!r}: {type(e).__name__}: {e}") from None
        return {o: list(result[o]) for o in outputs}


class ExportRunnable(CheckpointRunnable):
    """An export of `tpc export` (its directory, or a .onnx file), run as a checkpoint is but
    by its own runtime: TransformerLens or onnxruntime (tpc.export.runnable)."""

    def __init__(self, path: Path, label: str):
        from tpc.export.runnable import LoadedExport  # lazy: transformer_lens / onnxruntime

        self.label, self.path = label, path
        self.export = LoadedExport(path)
        self.labels, self.typed = self.export.labels, self.export.typed
        self.implicit_bos, self.max_len = self.export.implicit_bos, self.export.max_len
        self._bos_id = self.export.bos_id
        self._ids = {exact_key(t): i for i, t in self.export.tokens.items()}
        # Id 0 is padding; every other token but BOS may follow BOS.
        self.vocab = tuple(
            t for i, t in sorted(self.export.tokens.items()) if i not in (0, self._bos_id)
        )

    def _predict(self, idx: np.ndarray) -> np.ndarray:
        logits = self.export.logits(self._with_bos(idx))
        return logits.argmax(-1)[:, 1 if self.implicit_bos else 0 :]


# Artifact kinds (tpc.artifact.KINDS) run by their own runtime; any other kind runs as the IR
# program it loads as.
RUNNABLES = {
    "run-directory": CheckpointRunnable,
    "checkpoint": CheckpointRunnable,
    "rasp": RaspRunnable,
    "tracr": TracrRunnable,
    "python": PythonRunnable,
    "export": ExportRunnable,
}


def load(path) -> Runnable:
    """The runnable for the artifact at `path` (tpc.artifact.kind_of says what it is)."""
    kind = kind_of(path)
    label = Path(str(path)).name
    if kind.name in RUNNABLES:
        return RUNNABLES[kind.name](Path(str(path)), label)
    return ProgramRunnable(load_program(path), label, kind.name)


def as_runnable(x) -> Runnable:
    if isinstance(x, Runnable):
        return x
    if isinstance(x, Program):
        return ProgramRunnable(x)
    return load(x)
