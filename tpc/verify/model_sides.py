"""Models as sides of a check: a checkpoint or a run of the paper's code in hard mode
(`CheckpointRunnable`), and an export of `tpc export` run by TransformerLens or onnxruntime
(`ExportRunnable`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tpc.errors import TpcError
from tpc.verify.side import Runnable, exact_key


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
