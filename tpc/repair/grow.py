"""`tpc repair --grow`: a larger model that computes exactly what the smaller one does.

New modules (heads, MLPs, a layer) start with readout weights of zero, and every existing
module's read logits for the new variables sit far below its chosen one, so in hard mode no
old module reads a new variable and the readout adds exactly 0.0 for each (a float32 sum
unchanged: the program, and every prediction, stay the same). Fine-tuning then gives the new
modules work. Weights are matched by variable name, so inserting variables anywhere in the
residual order is safe.
"""

from __future__ import annotations

import attrs
import torch

from tpc.errors import TpcError
from tpc.model.config import ModelConfig
from tpc.model.learned import TransformerProgram

# How far below a row's largest logit a new variable's read logit starts: Gumbel noise at the
# fine-tuning temperatures (<= 3) almost never lifts it to the top.
_FAR_BELOW = 30.0
# How far behind its donor class a new class starts: far above float32 rounding of the
# totals (each a sum of a few dozen terms), close enough for fine-tuning to cross it
# (a class that started below every reachable total never caught up on the reference hist).
_BEHIND = 1.0


def grown_config(cfg: ModelConfig, step: int) -> ModelConfig:
    """Growth step `step` (0, 1, ...): even steps add numerical heads and a numerical MLP per
    layer (counting, which categorical heads cannot do), odd steps add a layer."""
    if step % 2 == 0:
        return attrs.evolve(cfg, n_heads_num=cfg.n_heads_num + 2, n_num_mlps=cfg.n_num_mlps + 1)
    return attrs.evolve(cfg, n_layers=cfg.n_layers + 1)


def _copy_reads(new: torch.Tensor, old: torch.Tensor, new_vars: list, old_vars: list) -> None:
    """Read logits [..., vars]: the old variables' logits copied, new ones far below."""
    index = [new_vars.index(v) for v in old_vars]
    rows = old.reshape(-1, old.shape[-1])
    low = rows.max(-1).values - _FAR_BELOW - rows.std(-1, correction=0)
    target = new.reshape(-1, new.shape[-1])
    target[:] = low.unsqueeze(-1)
    target[:, index] = rows


def grow(model: TransformerProgram, cfg: ModelConfig, seed: int) -> TransformerProgram:
    """`model`'s weights in a model of the larger `cfg` (same vocabulary, classes, d_var)."""
    old = model.cfg
    if not isinstance(model, TransformerProgram):
        raise TpcError(
            "--grow needs a trained Transformer Program (a compiled model's wiring is fixed)"
        )
    torch.manual_seed(seed)
    bigger = TransformerProgram(cfg)
    state = {k: v.clone() for k, v in bigger.state_dict().items()}
    old_state = model.state_dict()
    for l in range(old.n_layers):
        cat_old, cat_new = old.cat_vars_before(l), cfg.cat_vars_before(l)
        num_old, num_new = old.num_vars_before(l), cfg.num_vars_before(l)
        heads = lambda kind, n: [f"L{l}.{kind}{h}" for h in range(n)]  # noqa: E731
        reads = {
            "cat_q": (cat_new, cat_old),
            "cat_k": (cat_new, cat_old),
            "cat_v": (cat_new, cat_old),
            "num_q": (cat_new, cat_old),
            "num_k": (cat_new, cat_old),
            "num_v": (num_new, num_old),
            "cat_mlp_read": (
                cat_new + heads("cat_head", cfg.n_heads_cat),
                cat_old + heads("cat_head", old.n_heads_cat),
            ),
            "num_mlp_read": (
                num_new + heads("num_head", cfg.n_heads_num),
                num_old + heads("num_head", old.n_heads_num),
            ),
        }
        for name, value in old_state.items():
            prefix = f"layers.{l}."
            if not name.startswith(prefix):
                continue
            short, count = name[len(prefix) :], value.shape[0]
            target = state[name][:count]
            if short in reads:
                _copy_reads(target, value, *reads[short])
            else:
                target.copy_(value)
    cat_old, cat_new = old.cat_vars(), cfg.cat_vars()
    d = cfg.d_var
    unembed = torch.zeros_like(state["unembed"])
    for i, var in enumerate(cat_old):
        j = cat_new.index(var)
        unembed[j * d : (j + 1) * d] = old_state["unembed"][i * d : (i + 1) * d]
    for i, var in enumerate(old.num_vars()):
        row = old_state["unembed"][len(cat_old) * d + i]
        unembed[len(cat_new) * d + cfg.num_vars().index(var)] = row
    state["unembed"] = unembed
    if "embed" in old_state:
        state["embed"] = old_state["embed"]
    bigger.load_state_dict(state)
    return bigger.eval()


def _lowest_total(model: TransformerProgram) -> float:
    """A lower bound on every class's readout total at any position: each categorical
    variable adds one of its rows; a numerical one adds value x weight with 0 <= value <=
    n_ctx^(layers+1) (counts of counts at most)."""
    cfg, w = model.cfg, model.unembed.detach().double()
    n_cat, d = len(cfg.cat_vars()), cfg.d_var
    total = w[: n_cat * d].view(n_cat, d, -1).amin(1).sum(0)
    top = float(cfg.n_ctx) ** (cfg.n_layers + 1)
    total += (w[n_cat * d :] * top).clamp(max=0).sum(0)
    return float(total.min())


def add_classes(
    model: TransformerProgram, count: int, donors: list[int | None] | None = None
) -> TransformerProgram:
    """`model` with `count` more classes (appended) that never win until fine-tuning makes
    them: every other class's float32 total is what it was. A new class with a donor (an
    existing class) gets the donor's readout column less `_BEHIND` on the first categorical
    variable (one of whose rows is added at every position): it scores just behind the
    donor everywhere, so fine-tuning needs to move it only a little where it should win. One
    without a donor starts below the lowest total any other class can reach."""
    donors = donors or [None] * count
    cfg = attrs.evolve(model.cfg, n_classes=model.cfg.n_classes + count)
    bigger = TransformerProgram(cfg)
    state = model.state_dict()
    old = state["unembed"]
    unembed = torch.zeros(old.shape[0], cfg.n_classes)
    unembed[:, : old.shape[1]] = old
    lowest = _lowest_total(model) - 1.0
    for i, donor in enumerate(donors):
        column = old.shape[1] + i
        if donor is None:
            unembed[: cfg.d_var, column] = lowest
        else:
            unembed[:, column] = old[:, donor]
            unembed[: cfg.d_var, column] -= _BEHIND
    state["unembed"] = unembed
    state["class_mask"] = bigger.class_mask
    bigger.load_state_dict(state)
    return bigger.eval()
