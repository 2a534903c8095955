"""Read a training run of the paper's reference code into tpc's own layout."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import torch

from tpc.errors import TpcError
from tpc.model.tensors import load_tensors
from tpc.model.config import ModelConfig
from tpc.model.learned import TransformerProgram


@attrs.frozen
class ReferenceRun:
    model: TransformerProgram
    tokens: tuple[str, ...]
    labels: tuple[str, ...]
    task: str


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise TpcError(f"cannot read {path}: {e}") from None


def _config(args: dict, sd: dict) -> ModelConfig:
    unsupported = {"attention_type": "cat", "rel_pos_bias": "fixed", "count_only": True,
                   "n_vars_num": 1, "pool_outputs": 0, "standard": False}
    for key, want in unsupported.items():
        if args.get(key, want) != want:
            raise TpcError(f"reference run with {key}={args[key]!r} is not supported")
    n_ctx, d_var = sd["pos_embed.W"].shape
    return ModelConfig(
        vocab_size=sd["embed.W_E"].shape[1], n_classes=sd["unembed.W_U"].shape[1],
        n_ctx=n_ctx, d_var=d_var, n_layers=args["n_layers"], n_heads_cat=args["n_heads_cat"],
        n_heads_num=args["n_heads_num"], n_cat_mlps=args["n_cat_mlps"],
        n_num_mlps=args["n_num_mlps"], mlp_vars_in=args["mlp_vars_in"], d_mlp=args["d_mlp"],
        one_hot_embed=bool(args["one_hot_embed"]), n_vars_cat=args["n_vars_cat"],
        causal=bool(args["autoregressive"]),
        masked_classes=sd["unembed.mask"].flatten().nonzero().flatten().tolist()
        if "unembed.mask" in sd else ())


def _state(cfg: ModelConfig, sd: dict) -> dict:
    """Rename and reshape reference tensors into tpc's parameter names."""
    d, out = cfg.d_var, {}
    if not cfg.one_hot_embed:  # [vars * d, vocab] -> [vocab, vars, d]
        out["embed"] = sd["embed.W_E"].T.reshape(cfg.vocab_size, cfg.n_vars_cat, d)
    out["unembed"] = sd["unembed.W_U"]
    for l in range(cfg.n_layers):
        src, dst = f"blocks.{l}.", f"layers.{l}."
        for kind, count in (("cat", cfg.n_heads_cat), ("num", cfg.n_heads_num)):
            if count:
                for r in "qkv":
                    out[f"{dst}{kind}_{r}"] = sd[f"{src}{kind}_attn.W_{r.upper()}.W"]
                out[f"{dst}{kind}_pred"] = sd[f"{src}{kind}_attn.W_pred.W"]
        for kind, count in (("cat", cfg.n_cat_mlps), ("num", cfg.n_num_mlps)):
            for name, key in (("read", "W_read.W"), ("w_in", "W_in"), ("b_in", "b_in"),
                              ("w_out", "W_out"), ("b_out", "b_out")):
                if count:
                    out[f"{dst}{kind}_mlp_{name}"] = torch.stack(
                        [sd[f"{src}{kind}_mlp.mlps.{i}.{key}"] for i in range(count)])
    return out


def load_reference_run(run_dir: str | Path, state: dict | None = None) -> ReferenceRun:
    """``model.pt`` (or its already loaded ``state``) + ``args.json`` (+ ``vocab.json``, else
    rebuilt from the task's data)."""
    run_dir = Path(run_dir)
    args = _read_json(run_dir / "args.json")
    sd = load_tensors(run_dir / "model.pt") if state is None else state
    try:
        cfg = _config(args, sd)
        model = TransformerProgram(cfg)
        state = _state(cfg, sd)
        absent = [k for k, p in model.named_parameters() if p.numel() and k not in state]
        if absent:
            raise KeyError(absent[0])
        model.load_state_dict(state, strict=False)
    except (KeyError, RuntimeError) as e:
        raise TpcError(f"{run_dir} is not a reference run this loader understands: "
                       f"{str(e).splitlines()[0]}") from None
    if (run_dir / "vocab.json").exists():
        vocab = _read_json(run_dir / "vocab.json")
        tokens, labels = tuple(vocab["tokens"]), tuple(vocab["labels"])
    else:
        from tpc.tasks import make_dataset

        data = make_dataset(args["dataset"], args["vocab_size"], args["max_length"],
                            args["min_length"], args["dataset_size"], args["seed"])
        tokens, labels = data.tokens, data.labels
    return ReferenceRun(model.eval(), tokens, labels, args["dataset"])
