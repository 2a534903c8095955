"""The `learned` architecture (TransformerProgram): soft (training) and hard (program) forward."""

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

    @staticmethod
    def state_shapes(cfg: ModelConfig, index: int) -> dict:
        """Name -> shape of every parameter `__init__` keeps, from the config alone."""
        d, hc, hn, m = cfg.d_var, cfg.n_heads_cat, cfg.n_heads_num, cfg.mlp_vars_in
        n_cat, n_num = len(cfg.cat_vars_before(index)), len(cfg.num_vars_before(index))
        mc, mn, h = cfg.n_cat_mlps, cfg.n_num_mlps, cfg.d_mlp
        shapes = {
            "cat_q": (hc, n_cat), "cat_k": (hc, n_cat), "cat_v": (hc, n_cat),
            "cat_pred": (hc, d, d), "num_q": (hn, n_cat), "num_k": (hn, n_cat),
            "num_v": (hn, n_num), "num_pred": (hn, d, d),
            "cat_mlp_read": (mc, m, n_cat + hc), "cat_mlp_w_in": (mc, h, m * d),
            "cat_mlp_b_in": (mc, h), "cat_mlp_w_out": (mc, d, h), "cat_mlp_b_out": (mc, d),
            "num_mlp_read": (mn, m, n_num + hn), "num_mlp_w_in": (mn, h, m),
            "num_mlp_b_in": (mn, h), "num_mlp_w_out": (mn, d, h), "num_mlp_b_out": (mn, d),
        }
        return {name: shape for name, shape in shapes.items() if math.prod(shape)}

    def forward(self, x_cat, x_num, mask, bias, tau):
        """x_cat [vars, batch, pos, d_var], x_num [vars, batch, pos] -> both extended.

        Variables come first so that a read is one matmul and a new variable one append. All
        heads of a layer share one read and one predicate product; all MLPs one batched matmul.
        """
        cfg = self.cfg
        hc, hn = cfg.n_heads_cat, cfg.n_heads_num
        h = hc + hn
        if h:
            # rows: queries (cat heads, then num heads), keys (same order), cat values
            reads = self._params("cat_q", "num_q", "cat_k", "num_k", "cat_v")
            q, k, v = ops.read(ops.choose(torch.cat(reads), tau), x_cat).split([h, h, hc])
            table = ops.choose_table(torch.cat(self._params("cat_pred", "num_pred")), tau,
                                     cfg.general_predicates)
            cat_scores, num_scores = ops.match_scores(q, k, table).split([hc, hn])
        if hn:  # reads the same variables as the categorical heads
            values = ops.read(ops.choose(self.num_v, tau), x_num)  # [head, batch, pos]
            counts = ops.numerical_attention(num_scores, values, mask, self.num_mean)
            x_num = torch.cat([x_num, self._drop(counts, tau)])
        if hc:
            heads = ops.categorical_attention(cat_scores, v, mask, bias, tau)
            x_cat = torch.cat([x_cat, self._drop(heads, tau)])
        mc, mn, m = cfg.n_cat_mlps, cfg.n_num_mlps, cfg.mlp_vars_in
        _, b, n, d = x_cat.shape
        logits = []
        if mc:
            inputs = ops.read(ops.choose(self.cat_mlp_read, tau).flatten(0, 1), x_cat)
            inputs = inputs.view(mc, m, b * n, d).transpose(1, 2).reshape(mc, b * n, m * d)
            logits.append(self._mlps("cat", inputs, tau))
        if mn:
            inputs = ops.read(ops.choose(self.num_mlp_read, tau).flatten(0, 1), x_num)
            logits.append(self._mlps("num", inputs.view(mn, m, b * n).transpose(1, 2), tau))
        if logits:
            out = ops.choose(torch.cat(logits), tau)
            x_cat = torch.cat([x_cat, self._drop(out.view(mc + mn, b, n, d), tau)])
        return x_cat, x_num

    def _drop(self, x, tau):
        """Dropout while training, where the paper's code has it: on MLP hidden units and on
        every new variable a head or MLP writes; hard mode (the program) never drops."""
        if self.training and self.cfg.dropout and tau is not None:
            return ops.dropout(x, self.cfg.dropout)
        return x

    def _params(self, *names):
        return [getattr(self, name) for name in names if hasattr(self, name)]

    def _mlps(self, kind, inputs, tau):
        """Log-probabilities [mlp, rows, d] of every MLP of ``kind`` on inputs [mlp, rows, in]."""
        w_in, b_in, w_out, b_out = self._params(*(f"{kind}_mlp_{p}" for p in ("w_in", "b_in", "w_out", "b_out")))
        if tau is None:  # the program: each MLP alone, exactly as its lifted table computes it
            return torch.stack([ops.mlp_logits(inputs[i], w_in[i], b_in[i], w_out[i], b_out[i])
                                for i in range(len(inputs))])
        hidden = (ops.project(inputs, w_in.transpose(1, 2)) + b_in.unsqueeze(1)).relu_()
        hidden = self._drop(hidden, tau)
        return ops.log_softmax(ops.project(hidden, w_out.transpose(1, 2)) + b_out.unsqueeze(1))


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

    @staticmethod
    def state_shapes(cfg: ModelConfig) -> dict:
        """Name -> (shape, dtype) of every tensor in `state_dict()`, from the config's arithmetic
        (building the model on torch's meta device costs seconds of torch's start-up)."""
        d, v, f32 = cfg.d_var, cfg.vocab_size, torch.float32
        width = len(cfg.cat_vars()) * d + len(cfg.num_vars())
        embed = {"embed": (((v, 1, d) if cfg.one_hot_embed else (v, cfg.n_vars_cat, d)), f32)}
        # state_dict's order: own parameters, own buffers, then each layer's parameters
        shapes = {**({} if cfg.one_hot_embed else embed), "unembed": ((width, cfg.n_classes), f32),
                  **(embed if cfg.one_hot_embed else {}), "positions": ((cfg.n_ctx, d), f32),
                  "bias": ((cfg.n_ctx, cfg.n_ctx), f32),
                  "class_mask": ((cfg.n_classes,), torch.bool)}
        for i in range(cfg.n_layers):
            shapes.update({f"layers.{i}.{name}": (shape, f32)
                           for name, shape in Layer.state_shapes(cfg, i).items()})
        return shapes

    def residual(self, tokens: torch.Tensor, tau: float | None = None):
        """All variables: (categorical [batch, pos, vars, d_var], numerical [batch, pos, vars])."""
        x_cat, x_num = self._stream(tokens, tau)
        return x_cat.permute(1, 2, 0, 3), x_num.permute(1, 2, 0)

    def _stream(self, tokens: torch.Tensor, tau: float | None):
        """The residual stream variables first: [vars, batch, pos, d_var], [vars, batch, pos]."""
        b, n = tokens.shape
        mask = ops.attention_mask(tokens, 0, self.cfg.causal)
        x_cat = torch.cat([ops.choose(self.embed, tau)[tokens].permute(2, 0, 1, 3),
                           self.positions[:n].expand(1, b, n, -1)])
        x_num = torch.ones(1, b, n, device=tokens.device)
        for layer in self.layers:
            x_cat, x_num = layer(x_cat, x_num, mask, self.bias, tau)
        return x_cat, x_num

    def forward(self, tokens: torch.Tensor, tau: float | None = None) -> torch.Tensor:
        """Class logits [batch, pos, classes]; token id 0 is padding."""
        x_cat, x_num = self._stream(tokens, tau)
        v, b, n, d = x_cat.shape
        if tau is None:
            w_cat = self.unembed[: v * d].view(v, d, -1)
            logits = ops.readout_logits(
                [ops.categorical_contribution(x_cat[i], w_cat[i]) for i in range(v)]
                + [ops.numerical_contribution(x_num[j], self.unembed[v * d + j]) for j in range(len(x_num))])
        else:
            stream = torch.cat([x_cat.permute(1, 2, 0, 3).reshape(b * n, v * d),
                                x_num.permute(1, 2, 0).reshape(b * n, -1)], -1)
            logits = ops.project(stream, self.unembed).view(b, n, -1)
        if self.cfg.pool_outputs:
            logits = ops.pool_logits(logits, tokens != 0, exact=tau is None)
        return logits.masked_fill(self.class_mask, ops.NEG_INF)

    @torch.no_grad()
    def predict(self, tokens: torch.Tensor) -> torch.Tensor:
        """Hard-mode class ids [batch, pos]."""
        return self(tokens).argmax(-1)
