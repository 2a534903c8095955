"""A Transformer Program with fixed wiring: the form `tpc compile` writes.

Every module's reads are given rather than learned, every categorical variable has its own
width and every layer its own modules, so the residual stream is exactly as wide as the
program needs. Hard mode computes what `TransformerProgram`'s hard mode computes for the same
tables; soft mode (for `tpc train --init`) learns predicates, MLPs and readout, not the wiring.
"""

from __future__ import annotations

import attrs
import torch
from torch import nn

from tpc.errors import TpcError
from tpc.model import ops
from tpc.model.config import NESTED, check_class_ids, check_fields

KINDS = ("cat_head", "num_head", "cat_mlp", "num_mlp")  # evaluation order within a layer


@attrs.frozen
class Module:
    """One head or MLP; it writes the variable ``L{layer}.{kind}{index}``."""

    kind: str
    layer: int
    index: int
    reads: tuple[str, ...] = attrs.field(converter=tuple)  # heads: query, key, value; MLPs: inputs
    width: int = 1  # MLPs: output values (heads take their value's width, or 1)
    hidden: int = 0  # MLPs: hidden units (none: the output bias alone, a constant)
    mean: bool = False  # numerical heads: average the matches instead of summing them

    @property
    def output(self) -> str:
        return f"L{self.layer}.{self.kind}{self.index}"


def _modules(items) -> tuple[Module, ...]:
    return tuple(m if isinstance(m, Module) else Module(**m) for m in items)


@attrs.frozen
class WiredConfig:
    """Vocabulary, classes, context and the module list; plain values for the checkpoint."""

    vocab_size: int
    n_classes: int
    n_ctx: int
    modules: tuple[Module, ...] = attrs.field(converter=_modules)
    causal: bool = False
    masked_classes: tuple[int, ...] = attrs.field(default=(), converter=tuple)
    # The variables the readout adds, in the order it adds them (a variable may come twice);
    # None: every variable, categorical then numerical, in residual-stream order.
    readout_terms: tuple[str, ...] | None = attrs.field(default=None, converter=attrs.converters.optional(tuple))

    def __attrs_post_init__(self):
        kind = {"tokens": "cat", "positions": "cat", "ones": "num"}
        made = {"tokens": (-1, "input"), "positions": (-1, "input"), "ones": (-1, "input")}
        order = [(m.layer, KINDS.index(m.kind) if m.kind in KINDS else -1, m.index) for m in self.modules]
        if order != sorted(order) or len(set(order)) != len(order):
            raise TpcError("wired modules must be listed once each, by layer, then kind, then index")
        for m in self.modules:
            if m.kind not in KINDS or m.layer < 0 or m.width < 1:
                raise TpcError(f"{m.output}: bad module (kind, layer or width)")
            head = m.kind.endswith("head")
            if len(m.reads) != 3 if head else (not m.reads or m.hidden < 0):
                raise TpcError(f"{m.output}: a head reads query, key and value; an MLP reads >= 1 "
                               "variables")
            wanted = ["cat", "cat", m.kind[:3]] if head else [m.kind[:3]] * len(m.reads)
            for name, want in zip(m.reads, wanted):
                # Heads read earlier layers; an MLP also reads its own layer's heads of its kind.
                layer, producer = made.get(name, (m.layer + 1, None))
                if kind.get(name) != want or not (
                        layer < m.layer or (not head and layer == m.layer and producer == f"{want}_head")):
                    raise TpcError(f"{m.output} reads {name!r}, which is not a {want} variable "
                                   "it can see")
            made[m.output] = (m.layer, m.kind)
            kind[m.output] = "num" if m.kind == "num_head" else "cat"
        unknown = set(self.readout_terms or ()) - set(kind)
        if unknown:
            raise TpcError(f"the readout reads {', '.join(sorted(unknown))}, which no module writes")

    @property
    def n_layers(self) -> int:
        return max((m.layer for m in self.modules), default=0) + 1

    def widths(self) -> dict[str, int]:
        """Width of every categorical variable, in residual-stream order."""
        w = {"tokens": self.vocab_size, "positions": self.n_ctx}
        for m in self.modules:
            if m.kind == "cat_head":
                w[m.output] = w[m.reads[2]]
            elif m.kind.endswith("mlp"):
                w[m.output] = m.width
        return w

    def cat_vars(self) -> list[str]:
        """In residual-stream order: inputs, then per layer heads, categorical MLPs, numerical MLPs."""
        names = ["tokens", "positions"]
        for layer in range(self.n_layers):
            for kind in ("cat_head", "cat_mlp", "num_mlp"):
                names += [m.output for m in self.modules if m.layer == layer and m.kind == kind]
        return names

    def num_vars(self) -> list[str]:
        return ["ones", *(m.output for m in self.modules if m.kind == "num_head")]

    def readout_order(self) -> list[str]:
        """The variables the readout adds, in order (its rows of ``unembed`` are in this order)."""
        if self.readout_terms is not None:
            return list(self.readout_terms)
        return self.cat_vars() + self.num_vars()

    def readout_vars(self) -> tuple[list[str], list[str]]:
        """(categorical, numerical) variables the readout reads, each once, in readout order."""
        order = list(dict.fromkeys(self.readout_order()))
        cats = set(self.widths())
        return [v for v in order if v in cats], [v for v in order if v not in cats]

    @property
    def d_model(self) -> int:
        """The residual stream's width: every variable's."""
        w = self.widths()
        return sum(w[v] for v in self.cat_vars()) + len(self.num_vars())

    def to_dict(self) -> dict:
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, d: dict, where: str = "config") -> "WiredConfig":
        # Checkpoints before readout_terms: `readout` named a set, laid out categorical first,
        # then numerical, in residual-stream order.
        d = dict(d) if isinstance(d, dict) else d
        old = d.pop("readout", None) if isinstance(d, dict) else None
        if old is not None and not (isinstance(old, list) and all(type(v) is str for v in old)):
            raise TpcError(f"{where}.readout: expected a list of variable names")
        cfg = cls(**check_fields(cls, d, where))
        check_class_ids(cfg, where)
        if old is not None and cfg.readout_terms is None:
            cfg = attrs.evolve(cfg, readout_terms=[v for v in cfg.readout_order() if v in set(old)])
        return cfg


NESTED["Module"] = Module  # a wired config's modules are stored as dicts of Module's fields


class _MLP(nn.Module):
    def __init__(self, d_in: int, hidden: int, d_out: int):
        super().__init__()
        self.w_in = nn.Parameter(torch.zeros(hidden, d_in))
        self.b_in = nn.Parameter(torch.zeros(hidden))
        self.w_out = nn.Parameter(torch.zeros(d_out, hidden))
        self.b_out = nn.Parameter(torch.zeros(d_out))


class WiredProgram(nn.Module):
    """A Transformer Program whose hard mode (``tau=None``) is a categorical program.

    Parameters start at zero: the assembler writes them. Predicates are general 0/1 tables
    (logit > 0), of shape [query width, key width].
    """

    def __init__(self, cfg: WiredConfig):
        super().__init__()
        self.cfg = cfg
        # One-hot tokens as TransformerProgram has them: +10 against -10, sharp at any tau.
        self.register_buffer("embed", torch.eye(cfg.vocab_size) * 20.0 - 10.0)
        self.register_buffer("positions", torch.eye(cfg.n_ctx))
        self.register_buffer("bias", ops.position_bias(cfg.n_ctx))
        w = cfg.widths()
        self.predicates = nn.ParameterList(
            nn.Parameter(torch.zeros(w[m.reads[0]], w[m.reads[1]]))
            for m in cfg.modules if m.kind.endswith("head"))
        self.mlps = nn.ModuleList(
            _MLP(sum(w[r] for r in m.reads) if m.kind == "cat_mlp" else len(m.reads), m.hidden, m.width)
            for m in cfg.modules if m.kind.endswith("mlp"))
        self.unembed = nn.Parameter(torch.zeros(sum(w.get(v, 1) for v in cfg.readout_order()), cfg.n_classes))
        masked = torch.zeros(cfg.n_classes, dtype=torch.bool)
        masked[list(cfg.masked_classes)] = True
        self.register_buffer("class_mask", masked)

    @staticmethod
    def state_shapes(cfg: WiredConfig) -> dict:
        """Name -> (shape, dtype) of every tensor in `state_dict()`, from the config alone."""
        w, f32 = cfg.widths(), torch.float32
        rows = sum(w.get(v, 1) for v in cfg.readout_order())
        # state_dict's order: own parameters, own buffers, then the predicates and the MLPs
        shapes = {"unembed": ((rows, cfg.n_classes), f32),
                  "embed": ((cfg.vocab_size, cfg.vocab_size), f32),
                  "positions": ((cfg.n_ctx, cfg.n_ctx), f32), "bias": ((cfg.n_ctx, cfg.n_ctx), f32),
                  "class_mask": ((cfg.n_classes,), torch.bool)}
        heads = [m for m in cfg.modules if m.kind.endswith("head")]
        for j, m in enumerate(heads):
            shapes[f"predicates.{j}"] = ((w[m.reads[0]], w[m.reads[1]]), f32)
        mlps = [m for m in cfg.modules if m.kind.endswith("mlp")]
        for j, m in enumerate(mlps):
            d_in = sum(w[r] for r in m.reads) if m.kind == "cat_mlp" else len(m.reads)
            shapes.update({f"mlps.{j}.w_in": ((m.hidden, d_in), f32),
                           f"mlps.{j}.b_in": ((m.hidden,), f32),
                           f"mlps.{j}.w_out": ((m.width, m.hidden), f32),
                           f"mlps.{j}.b_out": ((m.width,), f32)})
        return shapes

    def variables(self, tokens: torch.Tensor, tau: float | None = None) -> dict[str, torch.Tensor]:
        """Every variable: categorical [batch, pos, width], numerical [batch, pos]."""
        cfg = self.cfg
        b, n = tokens.shape
        mask = ops.attention_mask(tokens, 0, cfg.causal)
        x = {"tokens": ops.choose(self.embed, tau)[tokens],
             "positions": self.positions[:n].expand(b, n, -1), "ones": torch.ones(b, n)}
        predicates, mlps = iter(self.predicates), iter(self.mlps)
        for m in cfg.modules:
            if m.kind.endswith("head"):
                q, k, v = (x[r] for r in m.reads)
                table = ops.choose_table(next(predicates), tau, general=True)
                scores = ((q @ table) @ k.transpose(-1, -2)).unsqueeze(0)
                if m.kind == "cat_head":
                    out = ops.categorical_attention(scores, v.unsqueeze(0), mask, self.bias, tau)
                else:
                    out = ops.numerical_attention(scores, v.unsqueeze(0), mask, torch.tensor([m.mean]))
                x[m.output] = out[0]
            else:
                mlp = next(mlps)
                inputs = (torch.cat([x[r] for r in m.reads], -1) if m.kind == "cat_mlp"
                          else torch.stack([x[r] for r in m.reads], -1))
                logits = ops.mlp_logits(inputs, mlp.w_in, mlp.b_in, mlp.w_out, mlp.b_out)
                x[m.output] = ops.choose(logits, tau)
        return x

    def forward(self, tokens: torch.Tensor, tau: float | None = None) -> torch.Tensor:
        """Class logits [batch, pos, classes]; token id 0 is padding."""
        x = self.variables(tokens, tau)
        w, order = self.cfg.widths(), self.cfg.readout_order()
        if tau is None:
            parts, row = [], 0
            for v in order:
                if v in w:
                    parts.append(ops.categorical_contribution(x[v], self.unembed[row:row + w[v]]))
                else:
                    parts.append(ops.numerical_contribution(x[v], self.unembed[row]))
                row += w.get(v, 1)
            logits = ops.readout_logits(parts)
        else:
            stream = torch.cat([x[v] if v in w else x[v].unsqueeze(-1) for v in order], -1)
            logits = stream @ self.unembed
        return logits.masked_fill(self.class_mask, ops.NEG_INF)

    @torch.no_grad()
    def predict(self, tokens: torch.Tensor) -> torch.Tensor:
        """Hard-mode class ids [batch, pos]."""
        return self(tokens).argmax(-1)
