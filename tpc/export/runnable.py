"""An export loaded to run: its vocab.json read, its logits computed in TransformerLens (DIR,
when it holds model.safetensors) or onnxruntime (DIR/model.onnx, or a .onnx file). `tpc
verify` runs it as `tpc.verify.runnables.ExportRunnable`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tpc.errors import TpcError
from tpc.ir import IRError, value_from_json


class LoadedExport:
    """`tokens`: token id -> token (typed values when the export was compiled from a
    program, else strings: `typed`); `labels`: output column -> label; `bos_id`, `max_len`
    (tokens after BOS); `implicit_bos`: the output at BOS is no output."""

    def __init__(self, path: Path):
        directory = path.parent if path.suffix.lower() == ".onnx" else path
        try:
            vocab = json.loads((directory / "vocab.json").read_text())
            texts = list(vocab["tokens"])
            self.typed = "token_values" in vocab
            if self.typed:
                self.tokens = dict(enumerate(value_from_json(v) for v in vocab["token_values"]))
                self.labels = [value_from_json(v) for v in vocab["output_values"]]
            else:
                self.tokens = {vocab["tokens"][t]: t for t in texts}
                self.labels = list(vocab["outputs"])
            self.bos_id = vocab["tokens"][vocab["bos"]]
            self.max_len = int(vocab["max_len"])
            self.implicit_bos = vocab["scored"] == "after_bos"
        except (OSError, ValueError, KeyError, TypeError, IRError) as e:
            raise TpcError(f"{directory}/vocab.json: not an export's vocabulary ({e})") from None
        if path.suffix.lower() != ".onnx" and (directory / "model.safetensors").is_file():
            from tpc.export import load_tl

            self._model = load_tl(directory)
            self._onnx = None
        else:
            from tpc.export.onnx import OnnxSession

            onnx = path if path.suffix.lower() == ".onnx" else directory / "model.onnx"
            if not onnx.is_file():
                raise TpcError(f"{directory}: neither model.safetensors nor model.onnx")
            self._onnx = OnnxSession(onnx)

    def logits(self, ids: np.ndarray) -> np.ndarray:
        """Logits (batch x positions x labels) of token ids (batch x positions, BOS first)."""
        if self._onnx is not None:
            return self._onnx.logits(ids)
        import torch

        with torch.inference_mode():
            return self._model(torch.from_numpy(ids), return_type="logits").numpy()
