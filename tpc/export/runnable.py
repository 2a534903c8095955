"""An export directory as a `tpc verify` side: run in TransformerLens (DIR, when it holds
model.safetensors) or onnxruntime (DIR/model.onnx, or DIR when it holds only that)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tpc.errors import TpcError
from tpc.ir import IRError, value_from_json
from tpc.verify.runnables import Runnable, exact_key


def is_export(path: Path) -> bool:
    return path.suffix == ".onnx" or (path.is_dir() and (path / "labels.json").is_file()
                                      and (path / "vocab.json").is_file())


class ExportRunnable(Runnable):
    """A model-style side (BOS first; one output, "label"), like a checkpoint's."""

    kind = "checkpoint"
    outputs = ("label",)
    main_output = "label"
    batch_positions = 1 << 15

    def __init__(self, path: Path, label: str):
        self.label = label
        directory = path.parent if path.suffix == ".onnx" else path
        try:
            vocab = json.loads((directory / "vocab.json").read_text())
            texts = list(vocab["tokens"])
            ids = [vocab["tokens"][t] for t in texts]
            typed = "token_values" in vocab
            tokens = [value_from_json(v) for v in vocab["token_values"]] if typed else texts
            self.labels = ([value_from_json(v) for v in vocab["output_values"]] if typed
                           else list(vocab["outputs"]))
            bos = vocab["tokens"][vocab["bos"]]
            self.max_len = int(vocab["max_len"])
            self.implicit_bos = vocab["scored"] == "after_bos"
        except (OSError, ValueError, KeyError, TypeError, IRError) as e:
            raise TpcError(f"{directory}/vocab.json: not an export's vocabulary ({e})") from None
        self.typed = typed
        by_id = dict(zip(ids, tokens)) if not typed else dict(enumerate(tokens))
        self._ids = {exact_key(t): i for i, t in by_id.items()}
        self._bos_id = bos
        self.vocab = tuple(t for i, t in sorted(by_id.items()) if i not in (0, bos))
        if path.suffix != ".onnx" and (directory / "model.safetensors").is_file():
            from tpc.export import load_tl

            self._model = load_tl(directory)
            self._onnx = None
        else:
            from tpc.export.onnx import OnnxSession

            onnx = path if path.suffix == ".onnx" else directory / "model.onnx"
            if not onnx.is_file():
                raise TpcError(f"{directory}: neither model.safetensors nor model.onnx")
            self._onnx = OnnxSession(onnx)

    def output_name(self, requested):
        return "label"

    def use_vocab(self, tokens):
        super().use_vocab(tokens)
        self._token_ids = np.array([self._ids[exact_key(t)] for t in self.tokens], dtype=np.int64)

    def logits(self, ids: np.ndarray) -> np.ndarray:
        if self._onnx is not None:
            return self._onnx.logits(ids)
        import torch

        with torch.inference_mode():
            return self._model(torch.from_numpy(ids), return_type="logits").numpy()

    def _predict(self, idx: np.ndarray) -> np.ndarray:
        batch = idx.shape[0]
        ids = np.concatenate([np.full((batch, 1), self._bos_id, dtype=np.int64),
                              self._token_ids[idx].reshape(batch, idx.shape[1])], 1)
        return self.logits(ids).argmax(-1)[:, 1 if self.implicit_bos else 0:]

    def run_ids(self, idx, outputs, canon):
        lookup = canon.lookup(self.labels)
        return {o: lookup[self._predict(idx)] for o in outputs}

    def run_values(self, seq, outputs):
        index = {exact_key(t): i for i, t in enumerate(self.tokens)}
        idx = np.array([[index[exact_key(t)] for t in seq]], dtype=np.int64).reshape(1, len(seq))
        return {o: [self.labels[i] for i in self._predict(idx)[0].tolist()] for o in outputs}
