"""The tensor operations of a Transformer Program, shared by the model and its discrete form.

``tau=None`` means hard mode: every discrete choice is an argmax (first index on ties), which
is the program. A float ``tau`` means soft mode: Gumbel-softmax samples at that temperature.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

NEG_INF = -1e30  # what masked scores and masked classes get, as in the reference


class _Softmax(torch.autograd.Function):
    """Softmax over the last dim. torch's CPU kernel is ~4x slower on the short rows (8 keys,
    8 values) this model has; this is the same formula with a hand-written backward."""

    @staticmethod
    def forward(ctx, x):
        e = (x - x.amax(-1, keepdim=True)).exp_()
        y = e.div_(e.sum(-1, keepdim=True))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        gy = grad * y
        return gy.sub_(y * gy.sum(-1, keepdim=True))


class _LogSoftmax(torch.autograd.Function):
    """log_softmax over the last dim, for the same reason as ``_Softmax``."""

    @staticmethod
    def forward(ctx, x):
        s = x - x.amax(-1, keepdim=True)
        out = s.sub_(s.exp().sum(-1, keepdim=True).log_())
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - out.exp() * grad.sum(-1, keepdim=True)


class _Project(torch.autograd.Function):
    """``x @ w`` (x [..., rows, in], w [..., in, out]) whose weight gradient x^T @ grad is
    computed in the orientation MKL is fast at: the result's rows are its smaller side. On the
    tall-thin shapes here (4096 rows, 6-64 columns) autograd's choice is up to 6x slower."""

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return x @ w

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        grad_x = grad @ w.transpose(-1, -2) if ctx.needs_input_grad[0] else None
        grad_w = None
        if ctx.needs_input_grad[1]:
            if x.shape[-1] <= grad.shape[-1]:
                grad_w = x.transpose(-1, -2) @ grad
            else:
                grad_w = (grad.transpose(-1, -2) @ x).transpose(-1, -2)
        return grad_x, grad_w


softmax, log_softmax, project = _Softmax.apply, _LogSoftmax.apply, _Project.apply


def gumbel_softmax(logits: torch.Tensor, tau: float) -> torch.Tensor:
    """``F.gumbel_softmax`` over the last dim, same distribution: Gumbel noise -log(-log U)
    from ``torch.rand`` (CPU ``exponential_``, which torch uses, is ~7x slower)."""
    noise = torch.rand_like(logits).log_().neg_().log_().neg_()
    return softmax(noise.add_(logits).div_(tau))


def dropout(x: torch.Tensor, p: float) -> torch.Tensor:
    """``F.dropout`` in training, same distribution: the keep mask from ``torch.rand``
    (CPU ``bernoulli_``, which torch uses, is ~5x slower; 10% of an NER step)."""
    return x * (torch.rand_like(x) >= p).to(x.dtype).div_(1.0 - p)


def choose(logits: torch.Tensor, tau: float | None, dim: int = -1) -> torch.Tensor:
    """One-hot argmax (hard) or a Gumbel-softmax sample (soft) along ``dim``."""
    if tau is None:
        index = logits.argmax(dim, keepdim=True)
        return torch.zeros_like(logits).scatter_(dim, index, 1.0)
    if dim not in (-1, logits.dim() - 1):
        return gumbel_softmax(logits.movedim(dim, -1), tau).movedim(-1, dim)
    return gumbel_softmax(logits, tau)


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
    table = torch.cat(
        [torch.tensor([-2.0]), torch.linspace(0.0, -n, n - 1) / n, torch.linspace(-n, 0.0, n) / n]
    )
    offsets = torch.arange(n).unsqueeze(0) - torch.arange(n).unsqueeze(1)  # key - query
    return table[offsets]  # negative offsets index from the end, as intended


def attention_mask(tokens: torch.Tensor, pad: int, causal: bool) -> torch.Tensor:
    """[1, batch, query, key]: both positions are not padding (and key <= query if causal)."""
    real = tokens != pad
    mask = real.unsqueeze(-1) & real.unsqueeze(-2)
    if causal:
        mask = mask.tril()
    return mask.unsqueeze(0)


def read(weights: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Mix whole variables: weights [slots, vars], x [vars, *rest] -> [slots, *rest].

    A module reads every variable written before it, which is all of ``x`` (variables first,
    contiguous): one matmul, no copy.
    """
    return (weights @ x.view(x.shape[0], -1)).view(weights.shape[0], *x.shape[1:])


def match_scores(q: torch.Tensor, k: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """[head, batch, query, key] predicate values: q [h,b,n,d] @ table [h,d,d] @ k^T."""
    h, b, n, d = q.shape
    return (q.reshape(h, b * n, d) @ table).view(h, b, n, d) @ k.transpose(-1, -2)


def categorical_attention(scores, values, mask, bias, tau):
    """Attend to the nearest match (BOS when none); returns [head, batch, query, d]."""
    n = scores.shape[-1]
    total = scores.masked_fill(~mask, 0.0).sum(-1)
    nothing = F.relu(1.0 - total / (total + 1e-10))  # 1 when no key matches
    scores = scores + F.pad(nothing.unsqueeze(-1), (0, n - 1))  # into the BOS column
    return choose(attention_logits(scores, mask, bias, values.shape[-1]), tau) @ values


def attention_logits(scores, mask, bias, width: int) -> torch.Tensor:
    """A categorical head's logits [..., query, key] from its match scores (BOS's already
    raised when nothing matches) over values of `width` columns."""
    n = scores.shape[-1]
    logits = (scores + 1e-20).log() + bias[:n, :n]
    return logits.masked_fill(~mask, NEG_INF) / math.sqrt(width)


def numerical_attention(scores, values, mask, mean):
    """Sum (or, for ``mean`` heads, average) values [head, batch, key] over matching keys:
    [head, batch, query]."""
    weights = scores.masked_fill(~mask, 0.0)
    out = (weights @ values.unsqueeze(-1)).squeeze(-1)
    if mean.any():
        count = weights.sum(-1).clamp(min=1.0)
        out = torch.where(mean.view(-1, 1, 1), out / count, out)
    return out


def readout_logits(contributions: list[torch.Tensor]) -> torch.Tensor:
    """Hard-mode class scores: each readout variable's contribution [..., classes] added in
    float32, one variable at a time, in readout order.

    A matmul over the whole stream sums in whatever order its kernel picks (and CPU and GPU
    kernels pick differently), which decides near-ties. This order is the one the lifted
    program computes (tpc/ir/scores.py), so model and program agree on every input.
    """
    total = contributions[0]
    for c in contributions[1:]:
        total = total + c
    return total


def pool_logits(logits: torch.Tensor, real: torch.Tensor, exact: bool) -> torch.Tensor:
    """The mean of the real positions' class scores [batch, pos, classes], at every position.

    Training takes any order (a mean); hard mode (`exact`) adds the positions one at a time
    in float32, first to last, then divides by their count, as the lifted program's pooled
    readout does (tpc/ir/scores.py).
    """
    weights = real.to(logits.dtype).unsqueeze(-1)
    count = weights.sum(1)
    if exact:
        total = logits[:, 0] * weights[:, 0]
        for p in range(1, logits.shape[1]):
            total = total + logits[:, p] * weights[:, p]
    else:
        total = (logits * weights).sum(1)
    return (total / count.clamp(min=1.0)).unsqueeze(1).expand_as(logits)


def categorical_contribution(one_hot: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """The weight row of each position's value: one_hot [..., width], weights [width, classes]
    (a row read, not a product: hard-mode variables are exact one-hots)."""
    return weights[one_hot.argmax(-1)]


def numerical_contribution(value: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """float32(value * w) per class: value [...], weights [classes]."""
    return value.unsqueeze(-1) * weights


def mlp_logits(x, w_in, b_in, w_out, b_out) -> torch.Tensor:
    """Linear -> ReLU -> Linear -> log_softmax on the last dim (one MLP)."""
    hidden = F.relu(x @ w_in.T + b_in)
    return (hidden @ w_out.T + b_out).log_softmax(-1)
