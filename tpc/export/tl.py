"""An export's weights as a TransformerLens `HookedTransformer`: its config fields, its state
dict, and the files `tpc export --to tl` writes (config.json, model.safetensors)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import torch

from tpc.errors import TpcError
from tpc.export.weights import Weights


def _sizes(w: Weights) -> tuple[int, int, int]:
    """(heads per block, d_head, d_mlp): each the largest any block needs (at least 1); a
    block's unused heads and units are zero."""
    heads = max([1, *(len(b.heads) for b in w.blocks)])
    d_head = max([1, *(h.d_head for b in w.blocks for h in b.heads)])
    return heads, d_head, max([1, *(len(b.units) for b in w.blocks)])


def tl_config(w: Weights) -> dict:
    """`HookedTransformerConfig` fields (plain JSON): standard parts only, no normalization,
    ReLU MLPs, no attention scaling (the scores carry their own scale)."""
    n_heads, d_head, d_mlp = _sizes(w)
    return {
        "n_layers": len(w.blocks),
        "d_model": w.d_model,
        "n_ctx": w.n_ctx,
        "d_head": d_head,
        "n_heads": n_heads,
        "d_mlp": d_mlp,
        "d_vocab": w.w_e.shape[0],
        "d_vocab_out": len(w.classes),
        "act_fn": "relu",
        "normalization_type": None,
        "attention_dir": "causal" if w.causal else "bidirectional",
        "use_attn_scale": False,
        "positional_embedding_type": "standard",
        "default_prepend_bos": False,
        "original_architecture": "tpc",
        "model_name": "tpc-export",
        "seed": 0,
        "dtype": "float32",
        "device": "cpu",
    }


def hooked_transformer(config: dict, state: dict | None = None):
    """A HookedTransformer from config fields, with `state` loaded strictly when given."""
    from transformer_lens import HookedTransformer, HookedTransformerConfig  # lazy: optional

    cfg = dict(config)
    cfg["dtype"] = getattr(torch, cfg.get("dtype", "float32"))
    with warnings.catch_warnings():  # 3.x's notice that 4.0 drops HookedTransformer
        warnings.simplefilter("ignore", DeprecationWarning)
        model = HookedTransformer(HookedTransformerConfig(**cfg))
    if state is not None:
        model.load_state_dict(state, strict=True)
    return model.eval()


def tl_state(w: Weights, state: dict) -> dict:
    """`state` (a HookedTransformer's, all zeros is fine) with `w`'s weights written in."""
    state = {k: torch.zeros_like(v) if v.is_floating_point() else v for k, v in state.items()}
    state["embed.W_E"], state["pos_embed.W_pos"] = w.w_e, w.w_pos
    state["unembed.W_U"] = w.w_u
    for b, block in enumerate(w.blocks):
        attn, mlp = f"blocks.{b}.attn.", f"blocks.{b}.mlp."
        for h, head in enumerate(block.heads):
            for name, weights in (("W_Q", head.w_q), ("W_K", head.w_k), ("W_V", head.w_v)):
                for (row, col), value in weights.items():
                    state[attn + name][h, row, col] = value
            for (col, row), value in head.w_o.items():
                state[attn + "W_O"][h, col, row] = value
        for u, unit in enumerate(block.units):
            for dim, value in unit.reads.items():
                state[mlp + "W_in"][dim, u] = value
            state[mlp + "b_in"][u] = unit.bias
            for dim, value in unit.writes.items():
                state[mlp + "W_out"][u, dim] = value
        for name, bias in ((attn + "b_O", block.attn_bias), (mlp + "b_out", block.mlp_bias)):
            for dim, value in bias.items():
                state[name][dim] = value
    for name in ("attn.IGNORE", "attn.mask"):  # buffers the model makes itself
        for b in range(len(w.blocks)):
            state.pop(f"blocks.{b}.{name}", None)
    return state


def tl_model(w: Weights):
    """The HookedTransformer holding `w`."""
    model = hooked_transformer(tl_config(w))
    model.load_state_dict(tl_state(w, model.state_dict()), strict=False)
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
