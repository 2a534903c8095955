"""A model's hard mode with variables as value indices: `predict`'s arithmetic, without the
one-hot products.

In hard mode every categorical variable is an exact one-hot, so each of the model's products
of a one-hot with a matrix picks one row, and that is all such a product computes. This
evaluates the model from `tpc.model.discrete.discretize` with the rows picked directly:

- a categorical head: which keys match is a predicate-table lookup; the key it attends to is
  the argmax, over keys, of the model's own attention logits (`ops.attention_logits`) for a
  match and for no match at each (query, key) pair, computed once per length;
- a numerical head: the model's own `ops.numerical_attention` on the 0/1 match weights;
- an MLP: the model's own MLP (`apply`) run once on each distinct row of input values in the
  batch, its outputs then read back for every position;
- the readout: the model's term-by-term float32 sum (`Unembedding.logits`), pooled as the
  model pools.

`logits` equals `model(tokens)` bit for bit (tests/verify/test_hard_forward.py checks it on
every input of the reference runs and of trained and compiled models); `CheckpointRunnable`
also compares `predict` with the model's own on a sample of each length it runs and falls back
to the model's own `predict` on any difference.
"""

from __future__ import annotations

import torch

from tpc.interp import distinct_rows
from tpc.model import ops
from tpc.model.discrete import CategoricalHead, NumericalHead, discretize
from tpc.model.learned import TransformerProgram


class HardForward:
    """`predict(tokens)` and `logits(tokens)` as the model's, for unpadded batches [batch, n]
    (token id 0, padding, never occurs: a verify batch has one length)."""

    def __init__(self, model):
        self.model = model
        self.program = discretize(model)
        cfg = self.program.config
        self.pool = bool(getattr(cfg, "pool_outputs", False))
        widths = {v.name: v.width for v in self.program.variables}
        #: each categorical variable's number of values (None: numerical)
        self._widths = {
            v.name: v.width if v.kind == "categorical" else None for v in self.program.variables
        }
        # The model divides a head's logits by sqrt of its value variable's one-hot width.
        self._value_width = (
            (lambda name: cfg.d_var) if isinstance(model, TransformerProgram) else widths.get
        )
        self._tables = {
            head.output: torch.tensor(head.predicate, dtype=torch.bool)
            for head in (*self.program.cat_heads, *self.program.num_heads)
        }
        self._embedding = {
            name: torch.tensor(values) for name, values in self.program.embedding.items()
        }
        p = self.program
        modules = [*p.cat_heads, *p.num_heads, *p.cat_mlps, *p.num_mlps]
        # Layer by layer, heads before MLPs (an MLP reads its own layer's heads).
        self.modules = sorted(
            modules, key=lambda m: (m.layer, not isinstance(m, (CategoricalHead, NumericalHead)))
        )
        self._choice: dict = {}

    def _choice_logits(self, n: int, width: int):
        """(logits where a key matches, where it does not) [n, n] at length n, or None when a
        matching visible key does not beat every other key's no-match logit (then the
        model's argmax is not decided by the matches alone)."""
        if (n, width) not in self._choice:
            mask = ops.attention_mask(torch.ones(1, n, dtype=torch.long), 0, self.program.causal)[
                0, 0
            ]
            bias = self.model.bias
            hit, miss = (
                ops.attention_logits(torch.full((n, n), s), mask, bias, width) for s in (1.0, 0.0)
            )
            lowest_hit = hit.masked_fill(~mask, float("inf")).amin(-1)
            ok = bool((lowest_hit > miss.amax(-1)).all())
            self._choice[n, width] = (hit, miss, mask) if ok else None
        return self._choice[n, width]

    def usable(self, n: int) -> bool:
        return all(
            self._choice_logits(n, self._value_width(h.value)) is not None
            for h in self.program.cat_heads
        )

    def _matches(self, head, env, mask):
        table = self._tables[head.output]
        pairs = (env[head.query] * table.shape[1]).unsqueeze(-1) + env[head.key].unsqueeze(-2)
        return table.view(-1)[pairs] & mask

    def _variables(self, tokens: torch.Tensor) -> dict:
        b, n = tokens.shape
        env = {name: table[tokens] for name, table in self._embedding.items()}
        env["positions"] = torch.arange(n).expand(b, n)
        env["ones"] = torch.ones(b, n)
        for m in self.modules:
            if isinstance(m, CategoricalHead):
                hit, miss, mask = self._choice_logits(n, self._value_width(m.value))
                match = self._matches(m, env, mask)
                match[..., 0] |= ~match.any(-1)  # nothing matches: BOS does
                chosen = torch.where(match, hit, miss).argmax(-1)
                env[m.output] = env[m.value].gather(1, chosen)
            elif isinstance(m, NumericalHead):
                mask = ops.attention_mask(tokens, 0, self.program.causal)
                scores = self._matches(m, env, True).unsqueeze(0).float()
                out = ops.numerical_attention(
                    scores, env[m.value].unsqueeze(0), mask, torch.tensor([m.reduce == "mean"])
                )
                env[m.output] = out[0]
            else:
                env[m.output] = self._mlp(m, env)
        return env

    def _mlp(self, mlp, env):
        return _per_distinct(
            [env[name] for name in mlp.inputs], mlp.apply, [self._widths[n] for n in mlp.inputs]
        )

    @torch.inference_mode()
    def logits(self, tokens: torch.Tensor) -> torch.Tensor:
        """Class logits [batch, n, classes], masked classes at ops.NEG_INF, as `model(tokens)`."""
        env = self._variables(tokens)
        readout = self.program.readout
        names = list(dict.fromkeys(readout.variables))
        logits = _per_distinct(
            [env[v] for v in names],
            lambda rows: readout.logits(dict(zip(names, rows.T))),
            [self._widths[v] for v in names],
        )
        if self.pool:
            logits = ops.pool_logits(logits, tokens != 0, exact=True)
        return readout.mask(logits)

    def predict(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.logits(tokens).argmax(-1)


def _per_distinct(columns: list, fn, widths: list) -> torch.Tensor:
    """fn(rows [distinct, len(columns)]) read back at every position: `fn` runs once on each
    distinct row of the columns' values at a position (row-wise functions only: the MLPs and
    the readout's element-wise float32 sums, whose results do not depend on the batch).
    widths[i]: column i's values are 0..widths[i]-1, or None (any numbers)."""
    codes, sizes = [], []
    for column, width in zip(columns, widths):
        if width is None:  # numbers: numbered by their distinct values
            distinct, column = torch.unique(column.reshape(-1), return_inverse=True)
            width = len(distinct)
        codes.append(column.numpy())
        sizes.append(width)
    where, inverse = (torch.from_numpy(a) for a in distinct_rows(codes, sizes))
    picked = [column.reshape(-1)[where] for column in columns]
    dtype = torch.float32 if any(c.is_floating_point() for c in picked) else torch.long
    out = fn(torch.stack([c.to(dtype) for c in picked], -1))
    return out[inverse].view(*columns[0].shape, *out.shape[1:])
