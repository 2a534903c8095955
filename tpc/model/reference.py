"""Read a training run of the paper's reference code into tpc's own layout."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import torch

from tpc.errors import TpcError
from tpc.model.config import ModelConfig, check_fields, short
from tpc.model.learned import TransformerProgram
from tpc.model.tensors import check_state, expected_state, load_tensors


@attrs.frozen
class ReferenceRun:
    model: TransformerProgram
    tokens: tuple[str, ...]
    labels: tuple[str, ...]
    task: str


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as e:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise TpcError(f"cannot read {path}: {str(e).splitlines()[0][:200]}") from None
    if not isinstance(data, dict):
        raise TpcError(f"{path}: expected a JSON object, got {type(data).__name__}")
    return data


@attrs.frozen
class ReferenceArgs:
    """The entries of a reference run's args.json that tpc reads (the rest describe training)."""

    dataset: str
    n_layers: int
    n_heads_cat: int
    n_heads_num: int
    n_cat_mlps: int
    n_num_mlps: int
    mlp_vars_in: int
    d_mlp: int
    n_vars_cat: int
    one_hot_embed: bool
    autoregressive: bool
    # Only read to rebuild the vocabulary when the run has no vocab.json:
    vocab_size: int | None = None
    max_length: int | None = None
    min_length: int | None = None
    dataset_size: int | None = None
    seed: int | None = None


def _args(path: Path) -> ReferenceArgs:
    """args.json, checked: every entry tpc reads has its type; unsupported settings are refused."""
    args = _read_json(path)
    unsupported = {
        "attention_type": "cat",
        "rel_pos_bias": "fixed",
        "count_only": True,
        "n_vars_num": 1,
        "pool_outputs": 0,
        "standard": False,
    }
    for key, want in unsupported.items():
        if args.get(key, want) != want:
            raise TpcError(f"{path}: {key}={short(args[key])} is not supported")
    names = {f.name for f in attrs.fields(ReferenceArgs)}
    return ReferenceArgs(
        **check_fields(ReferenceArgs, {k: v for k, v in args.items() if k in names}, str(path))
    )


def _matrix(sd: dict, key: str, where: str) -> torch.Tensor:
    t = sd.get(key)
    if not isinstance(t, torch.Tensor) or t.dim() != 2:
        raise TpcError(f"{where}: {key!r} must be a matrix")
    return t


def _config(args: ReferenceArgs, sd, where: str) -> ModelConfig:
    if not isinstance(sd, dict):
        raise TpcError(f"{where}: expected tensors by name, got {type(sd).__name__}")
    n_ctx, d_var = _matrix(sd, "pos_embed.W", where).shape
    mask = sd.get("unembed.mask")
    if mask is not None and not isinstance(mask, torch.Tensor):
        raise TpcError(f"{where}: 'unembed.mask' must be a tensor")
    return ModelConfig.from_dict(
        dict(
            vocab_size=_matrix(sd, "embed.W_E", where).shape[1],
            n_classes=_matrix(sd, "unembed.W_U", where).shape[1],
            n_ctx=n_ctx,
            d_var=d_var,
            n_layers=args.n_layers,
            n_heads_cat=args.n_heads_cat,
            n_heads_num=args.n_heads_num,
            n_cat_mlps=args.n_cat_mlps,
            n_num_mlps=args.n_num_mlps,
            mlp_vars_in=args.mlp_vars_in,
            d_mlp=args.d_mlp,
            one_hot_embed=args.one_hot_embed,
            n_vars_cat=args.n_vars_cat,
            causal=args.autoregressive,
            masked_classes=[] if mask is None else mask.flatten().nonzero().flatten().tolist(),
        ),
        where,
    )


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
            for name, key in (
                ("read", "W_read.W"),
                ("w_in", "W_in"),
                ("b_in", "b_in"),
                ("w_out", "W_out"),
                ("b_out", "b_out"),
            ):
                if count:
                    out[f"{dst}{kind}_mlp_{name}"] = torch.stack(
                        [sd[f"{src}{kind}_mlp.mlps.{i}.{key}"] for i in range(count)]
                    )
    return out


def load_reference_run(run_dir: str | Path, state: dict | None = None) -> ReferenceRun:
    """``model.pt`` (or its already loaded ``state``) + ``args.json`` (+ ``vocab.json``, else
    rebuilt from the task's data), every field checked before the model is built."""
    run_dir = Path(run_dir)
    args = _args(run_dir / "args.json")
    sd = load_tensors(run_dir / "model.pt") if state is None else state
    where = str(run_dir / "model.pt")
    cfg = _config(args, sd, where)
    expected = expected_state(TransformerProgram, cfg)
    try:
        renamed = _state(cfg, sd)
    except (
        KeyError,
        RuntimeError,
        TypeError,
        AttributeError,
    ) as e:  # a tensor missing or of the wrong kind
        raise TpcError(
            f"{where}: not a model this loader understands ({args.dataset}, "
            f"{cfg.n_layers} layers): {str(e).splitlines()[0][:200]}"
        ) from None
    model = TransformerProgram(cfg)
    learned = {
        k: v for k, v in expected.items() if k in dict(model.named_parameters())
    }  # buffers are tpc's
    model.load_state_dict(check_state(renamed, learned, where, partial=True), strict=False)
    tokens, labels = _vocabulary(run_dir, args)
    for key, values, count in (
        ("tokens", tokens, cfg.vocab_size),
        ("labels", labels, cfg.n_classes),
    ):
        if len(values) != count:
            raise TpcError(f"{run_dir}: {len(values)} {key}, but the model has {count}")
    return ReferenceRun(model.eval(), tokens, labels, args.dataset)


def _vocabulary(run_dir: Path, args: ReferenceArgs) -> tuple[tuple, tuple]:
    """(tokens, labels): vocab.json's, else those of the task's data rebuilt from args.json."""
    if (run_dir / "vocab.json").exists():
        vocab = _read_json(run_dir / "vocab.json")
        lists = [vocab.get(key) for key in ("tokens", "labels")]
        if not all(isinstance(v, list) and all(type(t) is str for t in v) for v in lists):
            raise TpcError(f"{run_dir / 'vocab.json'}: tokens and labels must be lists of strings")
        return tuple(lists[0]), tuple(lists[1])
    from tpc.tasks import make_dataset

    needed = ("vocab_size", "max_length", "min_length", "dataset_size", "seed")
    missing = [k for k in needed if getattr(args, k) is None]
    if missing:
        raise TpcError(
            f"{run_dir / 'args.json'}: missing {missing[0]!r} (needed without vocab.json)"
        )
    data = make_dataset(
        args.dataset,
        args.vocab_size,
        args.max_length,
        args.min_length,
        args.dataset_size,
        args.seed,
    )
    return data.tokens, data.labels
