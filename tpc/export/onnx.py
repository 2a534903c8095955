"""An export as ONNX (`DIR/model.onnx`): the HookedTransformer traced by torch.onnx, one int64
input `tokens` [batch, positions] and one output `logits` [batch, positions, outputs].

torch's TorchScript exporter (`dynamo=False`) is used: it traces the module as is and needs
nothing beyond onnx; the dynamo exporter would add onnxscript as a dependency.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch

from tpc.errors import TpcError

OPSET = 17


class _Logits(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, tokens):
        return self.model(tokens, return_type="logits")


def write_onnx(model, path, n_ctx: int) -> None:
    """Write `model` (a HookedTransformer) to `path` (a temporary file: the caller renames)."""
    example = torch.zeros(1, min(2, n_ctx), dtype=torch.long)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about TransformerLens's Python checks
        torch.onnx.export(
            _Logits(model),
            (example,),
            str(path),
            input_names=["tokens"],
            output_names=["logits"],
            dynamic_axes={
                "tokens": {0: "batch", 1: "positions"},
                "logits": {0: "batch", 1: "positions"},
            },
            opset_version=OPSET,
            dynamo=False,
        )


class OnnxSession:
    """An onnxruntime session over `model.onnx`: `logits(ids)` [batch, n] -> numpy. It runs
    on as many threads as torch's operations (a command's `--threads`, else 1)."""

    def __init__(self, path):
        import onnxruntime  # lazy: optional

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = torch.get_num_threads()  # --threads (tpc.threads)
        try:
            self.session = onnxruntime.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as e:  # onnxruntime raises its own classes for a bad file
            raise TpcError(f"{path}: onnxruntime cannot load it: {e}") from None

    def logits(self, ids) -> np.ndarray:
        return self.session.run(["logits"], {"tokens": np.asarray(ids, dtype=np.int64)})[0]
