"""A discrete Transformer Program as plain transformer weights (TransformerLens's shapes).

Every construction is exact in float32 on one-hot inputs:

- Embeddings write one-hots (`layout`); W_pos[0] moves a learned embedding's BOS value into
  its BOS slot.
- A categorical head becomes one softmax head whose score is `SCALE` times a small integer
  *level* (so every score is exact whatever order a kernel sums in): keys that match score
  `MATCHED + rank`, keys that do not `rank`, and position 0, when it does not match,
  `UNMATCHED_BOS + rank` (read through its BOS slot), where `rank` (0..n_ctx-1) orders a
  query's keys as the model's position bias does (nearest first, the earlier on equal
  distance, the query itself last; ties as the model's float32 argmax breaks them). The top
  level is unique, every other is at least `SCALE` lower, and exp(-SCALE) is 0 in float32:
  the softmax weights are exactly 1 and 0, so the head copies the chosen value's one-hot.
- A categorical MLP becomes a lookup table: one ReLU unit per input value combination,
  relu(sum of its one-hot entries - (inputs - 1)), is 1 on that combination and 0 elsewhere;
  W_out writes the model's own output (`CategoricalMLP.apply` on every combination). An
  output that is a key variable is split by the "is BOS" dimension into its two slots; a
  head output that is one is moved into its BOS slot by units of the layer's MLP.
- The unembedding adds each readout term's score rows; masked classes are left out.
"""

from __future__ import annotations

import itertools
import math

import attrs
import torch

from tpc.errors import TpcError
from tpc.export.layout import Layout, layout
from tpc.model import ops
from tpc.model.config import ModelConfig
from tpc.model.discrete import CategoricalHead, DiscreteProgram

SCALE = 128.0  # score units between levels: exp(-128) underflows to exactly 0 in float32
MIN_GAP = 104.0  # exp(-x) is 0 in float32 beyond ~103.97: the smallest gap that is exact


@attrs.frozen(eq=False)
class Weights:
    """Tensors with TransformerLens's names and shapes, and what they mean."""

    tensors: dict[str, torch.Tensor]
    layout: Layout
    n_layers: int
    n_heads: int
    d_head: int
    d_mlp: int
    n_ctx: int
    d_vocab: int
    causal: bool
    classes: tuple[int, ...]  # model class id of each logit column
    heads: dict[str, tuple[int, int]]  # model head -> (layer, head)
    mlps: dict[str, int]  # model MLP -> layer
    margins: dict[str, float]  # per head: its smallest score gap (SCALE units)


def _rank(n_ctx: int, width: int) -> torch.Tensor:
    """[query, key] -> 0..n_ctx-1, higher for keys the model's hard head prefers among
    matching ones: its matched logit (0 + bias) / sqrt(width) in float32, ties to the
    earlier key, as `ops.attention_logits` and argmax compute it."""
    logits = (torch.ones(n_ctx, n_ctx) + 1e-20).log() + ops.position_bias(n_ctx)
    logits = logits / math.sqrt(width)
    rank = torch.empty(n_ctx, n_ctx)
    for q in range(n_ctx):
        order = sorted(range(n_ctx), key=lambda k: (-logits[q, k].item(), k))
        for r, k in enumerate(order):
            rank[q, k] = n_ctx - 1 - r
    return rank


class _Builder:
    def __init__(self, dp: DiscreteProgram, n_ctx: int, vocab_size: int, bos_id: int):
        self.dp, self.n_ctx, self.bos_id = dp, n_ctx, bos_id
        self.lay = layout(dp)
        cfg = dp.config
        self.n_layers = cfg.n_layers
        self.learned = isinstance(cfg, ModelConfig)
        per_layer = [sum(h.layer == l for h in (*dp.cat_heads, *dp.num_heads))
                     for l in range(self.n_layers)]
        self.n_heads = max([1, *per_layer])
        for h in dp.num_heads:
            raise TpcError(f"{h.output}: numerical heads are not exported yet")
        self.d_head = max([1, *(self._width(h.query) + n_ctx for h in dp.cat_heads),
                           *(self._width(h.value) for h in dp.cat_heads)])
        self.units: list[list[tuple]] = [[] for _ in range(self.n_layers)]  # per layer MLP units
        self.d_model, self.d_vocab = self.lay.d_model, vocab_size
        self.heads, self.mlps, self.margins = {}, {}, {}

    def _width(self, name: str) -> int:
        return self.lay[name].width

    def build(self) -> Weights:
        dp, lay, d = self.dp, self.lay, self.lay.d_model
        t = {"embed.W_E": torch.zeros(self.d_vocab, d), "pos_embed.W_pos": torch.zeros(self.n_ctx, d)}
        self._embed(t["embed.W_E"], t["pos_embed.W_pos"])
        for l in range(self.n_layers):
            p = f"blocks.{l}."
            for name, shape in (("W_Q", (d, self.d_head)), ("W_K", (d, self.d_head)),
                                ("W_V", (d, self.d_head)), ("W_O", (self.d_head, d))):
                t[p + "attn." + name] = torch.zeros(self.n_heads, *shape)
            for name in ("b_Q", "b_K", "b_V"):
                t[p + "attn." + name] = torch.zeros(self.n_heads, self.d_head)
            t[p + "attn.b_O"] = torch.zeros(d)
        for h in self.dp.cat_heads:
            self._cat_head(t, h)
        for m in dp.cat_mlps:
            self._cat_mlp(m)
        for m in dp.num_mlps:
            self._num_mlp(m)
        self.d_mlp = max([1, *(len(u) for u in self.units)])
        for l, units in enumerate(self.units):
            self._mlp(t, l, units)
        classes = tuple(c for c in range(dp.readout.scores[0].shape[1]) if c not in dp.readout.masked)
        t["unembed.W_U"], t["unembed.b_U"] = self._unembed(classes)
        return Weights(t, lay, self.n_layers, self.n_heads, self.d_head, self.d_mlp, self.n_ctx,
                       self.d_vocab, dp.causal, classes, self.heads, self.mlps, self.margins)

    # -- embeddings -----------------------------------------------------------------------
    def _embed(self, w_e, w_pos):
        lay = self.lay
        for name, values in self.dp.embedding.items():
            place = lay[name]
            for token, value in enumerate(values):
                w_e[token, place.start + value] = 1.0
        for p in range(self.n_ctx):
            w_pos[p, lay["positions"].start + p] = 1.0
            w_pos[p, lay["ones"].start] = 1.0
        bos_id = self.bos_id
        for name, values in self.dp.embedding.items():
            place = lay[name]
            if place.bos_start is not None:  # position 0 holds BOS: its value to the BOS slot
                w_pos[0, place.start + values[bos_id]] -= 1.0
                w_pos[0, place.bos_start + values[bos_id]] += 1.0

    # -- heads ----------------------------------------------------------------------------
    def _cat_head(self, t, h: CategoricalHead):
        lay, n = self.lay, self.n_ctx
        index = sum(o.layer == h.layer and o.index < h.index for o in self.dp.cat_heads)
        self.heads[h.output] = (h.layer, index)
        p = f"blocks.{h.layer}.attn."
        w_q, w_k, w_v, w_o = (t[p + k][index] for k in ("W_Q", "W_K", "W_V", "W_O"))
        q, k, v, out = lay[h.query], lay[h.key], lay[h.value], lay[h.output]
        pred = torch.tensor(h.predicate, dtype=torch.float32)  # [query value, key value]
        pred = torch.nn.functional.pad(pred, (0, k.width - pred.shape[1], 0, q.width - pred.shape[0]))
        matched, unmatched_bos = 2.0 * n, 1.0 * n
        for value in range(q.width):
            for dim in q.dims(value):
                w_q[dim, value] = 1.0
        for value in range(k.width):
            w_k[k.start + value, :q.width] = SCALE * matched * pred[:, value]
            if k.bos_start is not None:
                w_k[k.bos_start + value, :q.width] = SCALE * (
                    matched * pred[:, value] + unmatched_bos * (1 - pred[:, value]))
        bos_value = self._static_bos_value(h.key)
        if bos_value is not None:  # the value position 0 always holds has the BOS row
            w_k[k.start + bos_value, :q.width] = SCALE * (
                matched * pred[:, bos_value] + unmatched_bos * (1 - pred[:, bos_value]))
        rank = _rank(n, self.dp.config.d_var if self.learned else v.width)
        positions = lay["positions"].start
        for qp in range(n):
            w_q[positions + qp, q.width + qp] += 1.0
        w_k[positions:positions + n, q.width:q.width + n] = SCALE * rank.T
        for value in range(v.width):
            for dim in v.dims(value):
                w_v[dim, value] = 1.0
            w_o[value, out.start + value] = 1.0
        self.margins[h.output] = SCALE
        if out.bos_start is not None:  # move position 0's value into the BOS slot
            for value in range(out.width):
                self.units[h.layer].append((
                    {out.start + value: 1.0, self.lay.is_bos: 1.0}, -1.0,
                    {out.start + value: -1.0, out.bos_start + value: 1.0}))

    def _static_bos_value(self, name: str) -> int | None:
        """The value a variable without a BOS slot always holds at position 0."""
        if name == "positions":
            return 0
        if name in self.dp.embedding and self.lay[name].bos_start is None:
            return self.dp.embedding[name][self.bos_id]
        return None

    # -- MLPs -----------------------------------------------------------------------------
    def _table(self, layer, name, inputs, widths, outputs):
        """Units for a lookup table: combination of input values -> output value index."""
        self.mlps[name] = layer
        out = self.lay[name]
        for combo, value in zip(itertools.product(*(range(w) for w in widths)), outputs):
            reads = {}
            for inp, v in zip(inputs, combo):
                for dim in self.lay[inp].dims(v):
                    reads[dim] = reads.get(dim, 0.0) + 1.0
            bias = -(len(inputs) - 1.0)
            if out.bos_start is None:
                self.units[layer].append((reads, bias, {out.start + value: 1.0}))
            else:
                self.units[layer].append(({**reads, self.lay.is_bos: -1.0}, bias,
                                          {out.start + value: 1.0}))
                self.units[layer].append(({**reads, self.lay.is_bos: 1.0}, bias - 1.0,
                                          {out.bos_start + value: 1.0}))

    def _cat_mlp(self, m):
        widths = [self._width(i) for i in m.inputs]
        grid = torch.tensor(list(itertools.product(*(range(w) for w in widths))), dtype=torch.long)
        outputs = m.apply(grid.view(-1, len(widths))).tolist()
        self._check_width(m.output, outputs)
        self._table(m.layer, m.output, m.inputs, widths, outputs)

    def _num_mlp(self, m):
        if any(i != "ones" for i in m.inputs):
            raise TpcError(f"{m.output}: numerical MLPs reading numerical heads are not exported yet")
        outputs = m.apply(torch.ones(1, len(m.inputs))).tolist()
        self._check_width(m.output, outputs)
        self._table(m.layer, m.output, ["ones"], [1], outputs)

    def _check_width(self, name, outputs):
        if max(outputs) >= self._width(name):
            raise TpcError(f"{name}: an output value beyond the variable's {self._width(name)} values")

    def _mlp(self, t, layer, units):
        d, p = self.d_model, f"blocks.{layer}.mlp."
        w_in, b_in = torch.zeros(d, self.d_mlp), torch.zeros(self.d_mlp)
        w_out, b_out = torch.zeros(self.d_mlp, d), torch.zeros(d)
        for u, (reads, bias, writes) in enumerate(units):
            for dim, w in reads.items():
                w_in[dim, u] = w
            b_in[u] = bias
            for dim, w in writes.items():
                w_out[u, dim] = w
        t[p + "W_in"], t[p + "b_in"], t[p + "W_out"], t[p + "b_out"] = w_in, b_in, w_out, b_out

    # -- readout --------------------------------------------------------------------------
    def _unembed(self, classes):
        ro, lay = self.dp.readout, self.lay
        w_u = torch.zeros(self.d_model, len(classes))
        cols = list(classes)
        for name, scores, numerical in zip(ro.variables, ro.scores, ro.numerical):
            place = lay[name]
            if numerical:
                if name != "ones":
                    raise TpcError(f"the readout of {name}: numerical heads are not exported yet")
                w_u[place.start] += scores[0, cols]
                continue
            for value in range(min(place.width, scores.shape[0])):
                for dim in place.dims(value):
                    w_u[dim] += scores[value, cols]
        return w_u, torch.zeros(len(classes))


def build_weights(dp: DiscreteProgram, n_ctx: int, vocab_size: int, bos_id: int) -> Weights:
    """The export's weights for the discrete program `dp` (a TpcError where one construct
    cannot be exported exactly)."""
    return _Builder(dp, n_ctx, vocab_size, bos_id).build()
