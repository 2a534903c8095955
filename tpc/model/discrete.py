"""The hard-mode model in plain terms: variables, heads with predicate tables, MLPs, readout.

This is what the lifter reads; it never needs the tensor layout of ``TransformerProgram``.
Variables are named ``tokens`` (or ``embed.var{i}``), ``positions``, ``ones`` and
``L{layer}.cat_head{h}``, ``L{layer}.num_head{h}``, ``L{layer}.cat_mlp{i}``,
``L{layer}.num_mlp{i}``. Categorical values are ints in ``range(width)``.
"""

from __future__ import annotations

from typing import Literal

import attrs
import torch

from tpc.model import ops
from tpc.model.config import ModelConfig
from tpc.model.learned import TransformerProgram
from tpc.model.wired import KINDS, WiredConfig, WiredProgram

PredicateTable = tuple[tuple[bool, ...], ...]


@attrs.frozen
class Variable:
    name: str
    kind: Literal["categorical", "numerical"]
    width: int  # number of values; 1 for numerical


@attrs.frozen
class Head:
    """An attention head: query q matches key k when ``predicate[Q[q]][K[k]]``."""

    layer: int
    index: int
    query: str
    key: str
    value: str
    predicate: PredicateTable
    output: str


@attrs.frozen
class CategoricalHead(Head):
    """Attend to the nearest matching key (BOS if none) and copy its ``value``."""


@attrs.frozen
class NumericalHead(Head):
    """Sum (or average) the numerical ``value`` over all matching keys."""

    reduce: Literal["sum", "mean"] = "sum"


@attrs.frozen(eq=False)
class CategoricalMLP:
    """Linear -> ReLU -> Linear -> argmax over the one-hot inputs.

    The inputs' one-hots are concatenated: input ``j`` is ``slot_widths[j]`` columns of ``w_in``.
    """

    layer: int
    index: int
    inputs: tuple[str, ...]
    slot_widths: tuple[int, ...]
    w_in: torch.Tensor
    b_in: torch.Tensor
    w_out: torch.Tensor
    b_out: torch.Tensor
    output: str

    def apply(self, values: torch.Tensor) -> torch.Tensor:
        """Output values [n] for input value rows [n, len(inputs)], exactly as the model."""
        x = torch.cat([_one_hot(c, w) for c, w in zip(values.T, self.slot_widths)], -1)
        return ops.mlp_logits(x, self.w_in, self.b_in, self.w_out, self.b_out).argmax(-1)


@attrs.frozen(eq=False)
class NumericalMLP:
    """Linear -> ReLU -> Linear -> argmax over numerical inputs; outputs a categorical value."""

    layer: int
    index: int
    inputs: tuple[str, ...]
    w_in: torch.Tensor
    b_in: torch.Tensor
    w_out: torch.Tensor
    b_out: torch.Tensor
    output: str

    def apply(self, values: torch.Tensor) -> torch.Tensor:
        """Output values [n] for float input rows [n, len(inputs)], exactly as the model."""
        return ops.mlp_logits(values.float(), self.w_in, self.b_in, self.w_out, self.b_out).argmax(
            -1
        )


@attrs.frozen(eq=False)
class Unembedding:
    """Class scores added term by term in float32 (``ops.readout_logits``); masked classes
    never win; ties go to the lower id.

    Term i reads ``variables[i]`` (a variable may be read twice); ``scores[i]`` is
    [width, classes] for a categorical variable (row = value) and [1, classes] for a
    numerical one (multiplied by the value).
    """

    variables: tuple[str, ...]  # in the order the model adds them
    scores: tuple[torch.Tensor, ...]
    numerical: tuple[bool, ...]
    masked: tuple[int, ...]

    def logits(self, values: dict[str, torch.Tensor]) -> torch.Tensor:
        """Class scores [..., classes], masked classes not yet masked, from each variable's
        values [...] (value indices or numbers)."""
        parts = [
            ops.numerical_contribution(values[v].float(), w[0]) if num else w[values[v].long()]
            for v, w, num in zip(self.variables, self.scores, self.numerical)
        ]
        return ops.readout_logits(parts)

    def mask(self, logits: torch.Tensor) -> torch.Tensor:
        """`logits` with the masked classes at ops.NEG_INF (they never win)."""
        masked = torch.zeros(logits.shape[-1], dtype=torch.bool)
        masked[list(self.masked)] = True
        return logits.masked_fill(masked, ops.NEG_INF)

    def predict(self, values: dict[str, torch.Tensor]) -> torch.Tensor:
        """Classes [n] from each variable's values [n] (value indices or numbers)."""
        return self.mask(self.logits(values)).argmax(-1)


@attrs.frozen(eq=False)
class DiscreteProgram:
    config: ModelConfig | WiredConfig
    variables: tuple[Variable, ...]
    embedding: dict[str, tuple[int, ...]]  # embedding variable -> value of each token id
    cat_heads: tuple[CategoricalHead, ...]
    num_heads: tuple[NumericalHead, ...]
    cat_mlps: tuple[CategoricalMLP, ...]
    num_mlps: tuple[NumericalMLP, ...]
    readout: Unembedding

    @property
    def causal(self) -> bool:
        return self.config.causal

    def variable(self, name: str) -> Variable:
        return next(v for v in self.variables if v.name == name)


def _one_hot(column: torch.Tensor, width: int) -> torch.Tensor:
    """One-hot rows [n, width] of value indices [n]."""
    return torch.nn.functional.one_hot(column.long(), width).float()


def _argmax(logits: torch.Tensor) -> list[int]:
    return logits.argmax(-1).tolist()


def _table(pred: torch.Tensor, general: bool, rows: int, cols: int) -> PredicateTable:
    hard = ops.choose_table(pred, None, general).bool()
    return tuple(tuple(bool(b) for b in row[:cols]) for row in hard[:rows])


def discretize(model: TransformerProgram | WiredProgram) -> DiscreteProgram:
    """The hard-mode program of ``model`` (trained, loaded or compiled)."""
    if isinstance(model, WiredProgram):
        return _discretize_wired(model)
    return _discretize_learned(model)


@torch.no_grad()
def _discretize_learned(model: TransformerProgram) -> DiscreteProgram:
    cfg, d = model.cfg, model.cfg.d_var
    width: dict[str, int] = {"positions": cfg.n_ctx, "ones": 1}
    embedding = {}
    if cfg.one_hot_embed:
        width["tokens"] = cfg.vocab_size
        embedding["tokens"] = tuple(range(cfg.vocab_size))
    else:
        for i, choice in enumerate(model.embed.argmax(-1).T.tolist()):
            width[f"embed.var{i}"] = d
            embedding[f"embed.var{i}"] = tuple(choice)
    cat_heads, num_heads, cat_mlps, num_mlps = [], [], [], []
    for l, layer in enumerate(model.layers):
        cats, nums = cfg.cat_vars_before(l), cfg.num_vars_before(l)
        for h in range(cfg.n_heads_cat):
            q, k, v = (
                cats[i]
                for i in (_argmax(layer.cat_q[h]), _argmax(layer.cat_k[h]), _argmax(layer.cat_v[h]))
            )
            out = f"L{l}.cat_head{h}"
            width[out] = width[v]
            cat_heads.append(
                CategoricalHead(
                    l,
                    h,
                    q,
                    k,
                    v,
                    _table(layer.cat_pred[h], cfg.general_predicates, width[q], width[k]),
                    out,
                )
            )
        for h in range(cfg.n_heads_num):
            q, k = cats[_argmax(layer.num_q[h])], cats[_argmax(layer.num_k[h])]
            out = f"L{l}.num_head{h}"
            width[out] = 1
            num_heads.append(
                NumericalHead(
                    l,
                    h,
                    q,
                    k,
                    nums[_argmax(layer.num_v[h])],
                    _table(layer.num_pred[h], cfg.general_predicates, width[q], width[k]),
                    out,
                    "mean" if out in cfg.mean_heads else "sum",
                )
            )
        mlp_cats = cats + [f"L{l}.cat_head{h}" for h in range(cfg.n_heads_cat)]
        mlp_nums = nums + [f"L{l}.num_head{h}" for h in range(cfg.n_heads_num)]
        for i in range(cfg.n_cat_mlps):
            out = f"L{l}.cat_mlp{i}"
            width[out] = d
            cat_mlps.append(
                CategoricalMLP(
                    l,
                    i,
                    tuple(mlp_cats[j] for j in _argmax(layer.cat_mlp_read[i])),
                    (d,) * cfg.mlp_vars_in,
                    *(
                        getattr(layer, f"cat_mlp_{p}")[i].clone()
                        for p in ("w_in", "b_in", "w_out", "b_out")
                    ),
                    out,
                )
            )
        for i in range(cfg.n_num_mlps):
            out = f"L{l}.num_mlp{i}"
            width[out] = d
            num_mlps.append(
                NumericalMLP(
                    l,
                    i,
                    tuple(mlp_nums[j] for j in _argmax(layer.num_mlp_read[i])),
                    *(
                        getattr(layer, f"num_mlp_{p}")[i].clone()
                        for p in ("w_in", "b_in", "w_out", "b_out")
                    ),
                    out,
                )
            )
    names = cfg.cat_vars() + cfg.num_vars()
    variables = tuple(
        Variable(n, "categorical" if i < len(cfg.cat_vars()) else "numerical", width[n])
        for i, n in enumerate(names)
    )
    w = model.unembed.detach().clone()
    n_cat = len(cfg.cat_vars())
    scores = [w[i * d : i * d + width[n]] for i, n in enumerate(cfg.cat_vars())]
    scores += [w[n_cat * d + i : n_cat * d + i + 1] for i in range(len(cfg.num_vars()))]
    readout = Unembedding(
        tuple(names),
        tuple(scores),
        tuple(i >= n_cat for i in range(len(names))),
        tuple(cfg.masked_classes),
    )
    return DiscreteProgram(
        cfg,
        variables,
        embedding,
        tuple(cat_heads),
        tuple(num_heads),
        tuple(cat_mlps),
        tuple(num_mlps),
        readout,
    )


@torch.no_grad()
def _discretize_wired(model: WiredProgram) -> DiscreteProgram:
    cfg = model.cfg
    width = cfg.widths()
    heads, mlps = iter(model.predicates), iter(model.mlps)
    parts: dict[str, list] = {kind: [] for kind in KINDS}
    for m in cfg.modules:
        if m.kind.endswith("head"):
            table = _table(next(heads), True, width[m.reads[0]], width[m.reads[1]])
            if m.kind == "cat_head":
                parts[m.kind].append(CategoricalHead(m.layer, m.index, *m.reads, table, m.output))
            else:
                parts[m.kind].append(
                    NumericalHead(
                        m.layer, m.index, *m.reads, table, m.output, "mean" if m.mean else "sum"
                    )
                )
        else:
            mlp = next(mlps)
            weights = (p.detach().clone() for p in (mlp.w_in, mlp.b_in, mlp.w_out, mlp.b_out))
            if m.kind == "cat_mlp":
                parts[m.kind].append(
                    CategoricalMLP(
                        m.layer,
                        m.index,
                        m.reads,
                        tuple(width[r] for r in m.reads),
                        *weights,
                        m.output,
                    )
                )
            else:
                parts[m.kind].append(NumericalMLP(m.layer, m.index, m.reads, *weights, m.output))
    variables = tuple(
        [Variable(n, "categorical", width[n]) for n in cfg.cat_vars()]
        + [Variable(n, "numerical", 1) for n in cfg.num_vars()]
    )
    order = cfg.readout_order()
    w = model.unembed.detach().clone()
    rows = torch.cumsum(torch.tensor([0] + [width.get(n, 1) for n in order]), 0).tolist()
    readout = Unembedding(
        tuple(order),
        tuple(w[rows[i] : rows[i + 1]] for i in range(len(order))),
        tuple(n not in width for n in order),
        tuple(cfg.masked_classes),
    )
    return DiscreteProgram(
        cfg,
        variables,
        {"tokens": tuple(range(cfg.vocab_size))},
        *(tuple(parts[k]) for k in KINDS),
        readout,
    )
