"""An export's weights as a TransformerLens `HookedTransformer`: its config fields, its state
dict, and the files `tpc export --to tl` writes (config.json, model.safetensors)."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from tpc.errors import TpcError
from tpc.export.weights import Weights


def tl_config(w: Weights) -> dict:
    """`HookedTransformerConfig` fields (plain JSON): standard parts only, no normalization,
    ReLU MLPs, no attention scaling (the scores carry their own scale)."""
    return {
        "n_layers": w.n_layers, "d_model": w.layout.d_model, "n_ctx": w.n_ctx,
        "d_head": w.d_head, "n_heads": w.n_heads, "d_mlp": w.d_mlp,
        "d_vocab": w.d_vocab, "d_vocab_out": len(w.classes), "act_fn": "relu",
        "normalization_type": None, "attention_dir": "causal" if w.causal else "bidirectional",
        "use_attn_scale": False, "positional_embedding_type": "standard",
        "default_prepend_bos": False, "original_architecture": "tpc", "model_name": "tpc-export",
        "seed": 0, "dtype": "float32", "device": "cpu",
    }


def hooked_transformer(config: dict, state: dict | None = None):
    """A HookedTransformer from config fields, with `state` loaded strictly when given."""
    from transformer_lens import HookedTransformer, HookedTransformerConfig  # lazy: optional

    cfg = dict(config)
    cfg["dtype"] = getattr(torch, cfg.get("dtype", "float32"))
    model = HookedTransformer(HookedTransformerConfig(**cfg))
    if state is not None:
        model.load_state_dict(state, strict=True)
    return model.eval()


def tl_model(w: Weights):
    """The HookedTransformer holding `w` (buffers such as the causal mask are its own)."""
    model = hooked_transformer(tl_config(w))
    state = model.state_dict()
    for name, tensor in w.tensors.items():
        if state[name].shape != tensor.shape:
            raise AssertionError(f"{name}: {tuple(tensor.shape)} for {tuple(state[name].shape)}")
        state[name] = tensor
    model.load_state_dict(state, strict=True)
    return model


def load_tl(directory):
    """The HookedTransformer saved in `directory` by `tpc export --to tl`."""
    from safetensors.torch import load_file  # lazy: optional

    d = Path(directory)
    for name in ("config.json", "model.safetensors"):
        if not (d / name).is_file():
            raise TpcError(f"{d}: no {name} (not a TransformerLens export)")
    config = json.loads((d / "config.json").read_text())
    return hooked_transformer(config, load_file(d / "model.safetensors"))
