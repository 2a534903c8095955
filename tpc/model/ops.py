"""The tensor operations of a Transformer Program, shared by the model and its discrete form.

``tau=None`` means hard mode: every discrete choice is an argmax (first index on ties), which
is the program. A float ``tau`` means soft mode: Gumbel-softmax samples at that temperature.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

NEG_INF = -1e30  # what masked scores and masked classes get, as in the reference


def choose(logits: torch.Tensor, tau: float | None, dim: int = -1) -> torch.Tensor:
    """One-hot argmax (hard) or a Gumbel-softmax sample (soft) along ``dim``."""
    if tau is None:
        index = logits.argmax(dim, keepdim=True)
        return torch.zeros_like(logits).scatter_(dim, index, 1.0)
    return F.gumbel_softmax(logits, tau=tau, dim=dim)


def choose_table(logits: torch.Tensor, tau: float | None, general: bool) -> torch.Tensor:
    """A predicate table: one key value per query value, or (general) any 0/1 matrix."""
    if not general:
        return choose(logits, tau)
    return (logits > 0).to(logits.dtype) if tau is None else torch.sigmoid(logits / tau)


def position_bias(n_ctx: int) -> torch.Tensor:
    """The paper's fixed relative-position bias, indexed [query, key].

    Offset 0 gets -2 (own position last); offsets +1 and -1 get 0 (the earlier one wins the
    tie by argmax order); farther offsets fall linearly, later keys faster than earlier ones.
    Built with ``linspace`` like the reference so the float values are identical.
    """
    n = n_ctx
    table = torch.cat([torch.tensor([-2.0]), torch.linspace(0.0, -n, n - 1) / n,
                       torch.linspace(-n, 0.0, n) / n])
    offsets = torch.arange(n).unsqueeze(0) - torch.arange(n).unsqueeze(1)  # key - query
    return table[offsets]  # negative offsets index from the end, as intended


def attention_mask(tokens: torch.Tensor, pad: int, causal: bool) -> torch.Tensor:
    """[batch, 1, query, key]: both positions are not padding (and key <= query if causal)."""
    real = tokens != pad
    mask = real.unsqueeze(-1) & real.unsqueeze(-2)
    if causal:
        mask = mask.tril()
    return mask.unsqueeze(1)


def read(weights: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Mix whole variables: weights [slots, vars], x [batch, pos, vars, d] -> [batch, slots, pos, d]."""
    return torch.einsum("sv,bnvd->bsnd", weights, x)


def match_scores(q: torch.Tensor, k: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """[batch, head, query, key] predicate values: q [b,h,n,d] @ table [h,d,d] @ k^T."""
    return (q @ table) @ k.transpose(-1, -2)


def categorical_attention(scores, values, mask, bias, tau):
    """Attend to the nearest match (BOS when none); returns [batch, head, query, d]."""
    n = scores.shape[-1]
    total = scores.masked_fill(~mask, 0.0).sum(-1)
    nothing = F.relu(1.0 - total / (total + 1e-10))  # 1 when no key matches
    scores = torch.cat([scores[..., :1] + nothing.unsqueeze(-1), scores[..., 1:]], -1)
    logits = (scores + 1e-20).log() + bias[:n, :n]
    logits = logits.masked_fill(~mask, NEG_INF) / math.sqrt(values.shape[-1])
    return choose(logits, tau) @ values


def numerical_attention(scores, values, mask, mean):
    """Sum (or, for ``mean`` heads, average) values over matching keys: [batch, head, query]."""
    weights = scores.masked_fill(~mask, 0.0)
    out = (weights @ values.unsqueeze(-1)).squeeze(-1)
    if mean.any():
        count = weights.sum(-1).clamp(min=1.0)
        out = torch.where(mean.view(1, -1, 1), out / count, out)
    return out


def mlp_logits(x, w_in, b_in, w_out, b_out) -> torch.Tensor:
    """Linear -> ReLU -> Linear -> log_softmax on the last dim (one MLP)."""
    hidden = F.relu(x @ w_in.T + b_in)
    return (hidden @ w_out.T + b_out).log_softmax(-1)
