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

import warnings

import attrs
import torch

from tpc.model.learned import TransformerProgram

_BATCH = 2048  # inputs per hard-mode forward pass


@torch.no_grad()
def hard_variables(model: TransformerProgram, x: torch.Tensor):
    """The readout's input at every position of `x` in hard mode, compactly: each
    categorical variable's value as its row in the readout weights [rows * n_ctx, vars] (in
    hard mode every categorical variable is one-hot), and the numerical values
    [rows * n_ctx, num vars]."""
    cat_rows, num = [], []
    for lo in range(0, len(x), _BATCH):
        x_cat, x_num = model.residual(x[lo : lo + _BATCH])
        b, n, v, d = x_cat.shape
        one_hot = x_cat.reshape(b * n, v, d)
        if not torch.equal(one_hot.sum(-1), torch.ones(b * n, v)):
            raise AssertionError("a categorical variable is not one-hot in hard mode")
        cat_rows.append(one_hot.argmax(-1) + torch.arange(v) * d)
        num.append(x_num.reshape(b * n, -1))
    return torch.cat(cat_rows), torch.cat(num)


@attrs.frozen
class ReadoutRows:
    """The distinct (variables, label) rows of some positions: each categorical variable's
    value as its row in the readout weights [rows, vars], the numerical values [rows, num
    vars], the label, and how many positions share the row."""

    cat: torch.Tensor
    num: torch.Tensor
    targets: torch.Tensor
    counts: torch.Tensor

    def numpy(self) -> "ReadoutRows":
        return ReadoutRows(*(t.numpy() for t in attrs.astuple(self, recurse=False)))


def readout_rows(model: TransformerProgram, x: torch.Tensor, y: torch.Tensor) -> ReadoutRows:
    """The readout rows of the scored positions of (x, y) (label 0 unscored)."""
    labels = y.reshape(-1)
    scored = labels != 0
    cat_rows, num = hard_variables(model, x)
    n_cat = cat_rows.shape[1]
    rows = torch.cat([cat_rows[scored].double(), num[scored].double(), labels[scored, None]], 1)
    unique, counts = rows.unique(dim=0, return_counts=True)
    return ReadoutRows(
        unique[:, :n_cat].long(), unique[:, n_cat:-1].float(), unique[:, -1].long(), counts
    )


def fit_readout(
    model: TransformerProgram,
    x: torch.Tensor,
    y: torch.Tensor,
    steps: int,
    lr: float,
) -> TransformerProgram:
    """`steps` full-batch Adam steps on the readout weights alone (cross-entropy over the
    scored positions of (x, y), label 0 unscored), in place; returns the model (eval)."""
    model.eval()
    if steps <= 0 or model.cfg.pool_outputs:  # one label per sequence: fine-tuning only
        return model
    # Equal (variables, label) pairs merged: one row each, weighted by how often it occurs.
    rows = readout_rows(model, x, y)
    cat_rows, num, targets = rows.cat, rows.num, rows.targets
    weights = rows.counts.float() / rows.counts.sum()
    n_cat = cat_rows.shape[1]
    # The categorical part as a sparse 0/1 matrix [rows, width] (one 1 per variable): its
    # products give the logits and the gradient (autograd through embedding_bag is ~10x
    # slower on CPU).
    width, v = model.unembed.shape[0] - num.shape[1], n_cat
    index = torch.stack([torch.arange(len(cat_rows)).repeat_interleave(v), cat_rows.reshape(-1)])
    ones = torch.ones(index.shape[1])
    pick = torch.sparse_coo_tensor(
        index, ones, (len(cat_rows), width), check_invariants=False
    ).coalesce()
    with warnings.catch_warnings():  # "sparse CSR support is in beta": used as documented
        warnings.simplefilter("ignore", UserWarning)
        pick_t, pick = pick.t().coalesce().to_sparse_csr(), pick.to_sparse_csr()
    rows_at = torch.arange(len(targets))
    unembed = model.unembed.detach().clone().requires_grad_(True)
    optimizer = torch.optim.Adam([unembed], lr=lr)
    with torch.no_grad():
        for _ in range(steps):
            logits = pick @ unembed[:width] + num @ unembed[width:]
            grad = logits.masked_fill(model.class_mask, float("-inf")).softmax(-1)
            grad[rows_at, targets] -= 1.0  # d(cross-entropy)/d(logits), weighted per row
            grad *= weights[:, None]
            unembed.grad = torch.cat([pick_t @ grad, num.T @ grad])
            optimizer.step()
    with torch.no_grad():
        model.unembed.copy_(unembed)
    return model
