"""Exports of tpc models to TransformerLens and ONNX (`tpc export`); see docs/export.md.

Stages, one module each: `layout` (variables -> residual dimensions), `weights` (the discrete
program -> exact transformer weights), `describe` (vocab.json, labels.json), `tl`
(HookedTransformer config and state), `onnx` (torch.onnx, onnxruntime), `write` (the
directory), `runnable` (an export loaded to run: `tpc verify`'s side). transformer_lens,
safetensors, onnx and onnxruntime (the `export` extra) are imported only when a stage needs them.
"""

from __future__ import annotations


def load_tl(directory):
    """The HookedTransformer of a `tpc export --to tl` directory."""
    from tpc.export.tl import load_tl as load

    return load(directory)


__all__ = ["load_tl"]
