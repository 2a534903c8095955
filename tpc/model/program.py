"""The Transformer Program as a torch module: soft (training) and hard (program) forward."""

from __future__ import annotations

import math

import torch
from torch import nn

from tpc.model import ops
from tpc.model.config import ModelConfig


def _normal(*shape: int, scale: float) -> nn.Parameter:
    return nn.Parameter(torch.randn(*shape) / math.sqrt(scale))


class Layer(nn.Module):
    """Attention heads, then MLPs reading the attention outputs; each writes new variables."""

    def __init__(self, cfg: ModelConfig, index: int):
        super().__init__()
        self.cfg, self.index = cfg, index
        d, hc, hn = cfg.d_var, cfg.n_heads_cat, cfg.n_heads_num
        n_cat, n_num = len(cfg.cat_vars_before(index)), len(cfg.num_vars_before(index))
        m = cfg.mlp_vars_in
        # Logits of which variable each head reads as query / key / value, and its predicate.
        self.cat_q, self.cat_k, self.cat_v = (_normal(hc, n_cat, scale=n_cat) for _ in range(3))
        self.cat_pred = _normal(hc, d, d, scale=d)
        self.num_q, self.num_k = (_normal(hn, n_cat, scale=n_cat) for _ in range(2))
        self.num_v = _normal(hn, n_num, scale=n_num)
        self.num_pred = _normal(hn, d, d, scale=d)
        mean = [f"L{index}.num_head{h}" in cfg.mean_heads for h in range(hn)]
        self.register_buffer("num_mean", torch.tensor(mean, dtype=torch.bool), persistent=False)
        # MLPs: which variables each input slot reads, then Linear -> ReLU -> Linear.
        mc, mn, h = cfg.n_cat_mlps, cfg.n_num_mlps, cfg.d_mlp
        self.cat_mlp_read = _normal(mc, m, n_cat + hc, scale=n_cat + hc)
        self.cat_mlp_w_in = _normal(mc, h, m * d, scale=h)
        self.cat_mlp_b_in = nn.Parameter(torch.zeros(mc, h))
        self.cat_mlp_w_out = _normal(mc, d, h, scale=d)
        self.cat_mlp_b_out = nn.Parameter(torch.zeros(mc, d))
        self.num_mlp_read = _normal(mn, m, n_num + hn, scale=n_num + hn)
        self.num_mlp_w_in = _normal(mn, h, m, scale=h)
        self.num_mlp_b_in = nn.Parameter(torch.zeros(mn, h))
        self.num_mlp_w_out = _normal(mn, d, h, scale=d)
        self.num_mlp_b_out = nn.Parameter(torch.zeros(mn, d))
        # Modules the config leaves out have no parameters (DDP rejects unused ones).
        for name, param in list(self.named_parameters(recurse=False)):
            if param.numel() == 0:
                delattr(self, name)

    def _scores(self, x_cat, q, k, pred, tau):
        table = ops.choose_table(pred, tau, self.cfg.general_predicates)
        return ops.match_scores(ops.read(ops.choose(q, tau), x_cat),
                                ops.read(ops.choose(k, tau), x_cat), table)

    def forward(self, x_cat, x_num, mask, bias, tau):
        """x_cat [batch, pos, vars, d_var], x_num [batch, pos, vars] -> both extended."""
        cfg = self.cfg
        new_cat, heads = [], []
        if cfg.n_heads_cat:
            scores = self._scores(x_cat, self.cat_q, self.cat_k, self.cat_pred, tau)
            values = ops.read(ops.choose(self.cat_v, tau), x_cat)
            heads = ops.categorical_attention(scores, values, mask, bias, tau).transpose(1, 2)
        if cfg.n_heads_num:  # reads the same variables as the categorical heads
            scores = self._scores(x_cat, self.num_q, self.num_k, self.num_pred, tau)
            values = ops.choose(self.num_v, tau) @ x_num.transpose(1, 2)  # [batch, head, pos]
            counts = ops.numerical_attention(scores, values, mask, self.num_mean)
            x_num = torch.cat([x_num, counts.transpose(1, 2)], 2)
        if cfg.n_heads_cat:
            x_cat = torch.cat([x_cat, heads], 2)
        for i in range(cfg.n_cat_mlps):
            inputs = ops.read(ops.choose(self.cat_mlp_read[i], tau), x_cat).transpose(1, 2)
            new_cat.append(self._mlp("cat", i, inputs.flatten(2), tau))
        for i in range(cfg.n_num_mlps):
            inputs = x_num @ ops.choose(self.num_mlp_read[i], tau).T
            new_cat.append(self._mlp("num", i, inputs, tau))
        if new_cat:
            x_cat = torch.cat([x_cat, torch.stack(new_cat, 2)], 2)
        return x_cat, x_num

    def _mlp(self, kind, i, inputs, tau):
        p = lambda name: getattr(self, f"{kind}_mlp_{name}")[i]  # noqa: E731
        logits = ops.mlp_logits(inputs, p("w_in"), p("b_in"), p("w_out"), p("b_out"))
        return ops.choose(logits, tau)


class TransformerProgram(nn.Module):
    """A transformer whose hard mode (``tau=None``) is a categorical program."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        d, v = cfg.d_var, cfg.vocab_size
        if cfg.one_hot_embed:
            # Token t is value t with logit +10 against -10: fixed, and sharp even at high tau.
            self.register_buffer("embed", torch.eye(d)[:v].unsqueeze(1) * 20.0 - 10.0)
        else:
            self.embed = _normal(v, cfg.n_vars_cat, d, scale=cfg.n_vars_cat * d)
        self.register_buffer("positions", torch.eye(d)[: cfg.n_ctx])
        self.register_buffer("bias", ops.position_bias(cfg.n_ctx))
        self.layers = nn.ModuleList(Layer(cfg, i) for i in range(cfg.n_layers))
        width = len(cfg.cat_vars()) * d + len(cfg.num_vars())
        self.unembed = _normal(width, cfg.n_classes, scale=cfg.n_classes)
        masked = torch.zeros(cfg.n_classes, dtype=torch.bool)
        masked[list(cfg.masked_classes)] = True
        self.register_buffer("class_mask", masked)

    def residual(self, tokens: torch.Tensor, tau: float | None = None):
        """All variables: (categorical [batch, pos, vars, d_var], numerical [batch, pos, vars])."""
        b, n = tokens.shape
        mask = ops.attention_mask(tokens, 0, self.cfg.causal)
        x_cat = torch.cat([ops.choose(self.embed, tau)[tokens],
                           self.positions[:n, None].expand(b, n, 1, -1)], 2)
        x_num = torch.ones(b, n, 1)
        for layer in self.layers:
            x_cat, x_num = layer(x_cat, x_num, mask, self.bias, tau)
        return x_cat, x_num

    def forward(self, tokens: torch.Tensor, tau: float | None = None) -> torch.Tensor:
        """Class logits [batch, pos, classes]; token id 0 is padding."""
        x_cat, x_num = self.residual(tokens, tau)
        logits = torch.cat([x_cat.flatten(2), x_num], -1) @ self.unembed
        return logits.masked_fill(self.class_mask, ops.NEG_INF)

    @torch.no_grad()
    def predict(self, tokens: torch.Tensor) -> torch.Tensor:
        """Hard-mode class ids [batch, pos]."""
        return self(tokens).argmax(-1)
