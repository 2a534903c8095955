"""The readout step of a repair: refit only the readout on the model's hard-mode variables.

In hard mode the readout is linear in the residual stream (one-hot categorical variables,
numerical values), so with every head and MLP fixed its cross-entropy is convex in the
readout weights. Fine-tuning reaches that optimum only slowly: its Gumbel-softmax samples
the variables, and at a learning rate low enough to keep the program it moves a weight by
about lr per step (the reference hist's class `7` needed its count weight to pass class
`6`'s, which 5 rounds of fine-tuning never did). This step takes the exact variables of
every training row, merges equal (variables, label) pairs into weights, and runs
full-batch Adam on the readout alone: seconds, and no table of any head or MLP changes.
"""

from __future__ import annotations

import torch

from tpc.model.learned import TransformerProgram

_BATCH = 2048  # inputs per hard-mode forward pass


@torch.no_grad()
def hard_variables(model: TransformerProgram, x: torch.Tensor) -> torch.Tensor:
    """The readout's input at every position of `x` in hard mode: [rows * n_ctx, width]."""
    parts = []
    for lo in range(0, len(x), _BATCH):
        x_cat, x_num = model.residual(x[lo : lo + _BATCH])
        b, n, v, d = x_cat.shape
        parts.append(torch.cat([x_cat.reshape(b * n, v * d), x_num.reshape(b * n, -1)], -1))
    return torch.cat(parts)


def fit_readout(
    model: TransformerProgram, x: torch.Tensor, y: torch.Tensor, steps: int, lr: float
) -> TransformerProgram:
    """`steps` full-batch Adam steps on the readout weights alone (cross-entropy over the
    scored positions of (x, y), label 0 unscored), in place; returns the model (eval)."""
    model.eval()
    if steps <= 0 or model.cfg.pool_outputs:  # one label per sequence: fine-tuning only
        return model
    labels = y.reshape(-1)
    scored = labels != 0
    rows = torch.cat([hard_variables(model, x)[scored], labels[scored, None].float()], 1)
    unique, counts = rows.unique(dim=0, return_counts=True)
    features, targets = unique[:, :-1], unique[:, -1].long()
    weights = counts.float() / counts.sum()
    unembed = model.unembed.detach().clone().requires_grad_(True)
    optimizer = torch.optim.Adam([unembed], lr=lr)
    for _ in range(steps):
        logits = (features @ unembed).masked_fill(model.class_mask, float("-inf"))
        loss = torch.nn.functional.cross_entropy(logits, targets, reduction="none") * weights
        optimizer.zero_grad(set_to_none=True)
        loss.sum().backward()
        optimizer.step()
    with torch.no_grad():
        model.unembed.copy_(unembed)
    return model
