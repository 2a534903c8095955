"""The architecture of a Transformer Program and the names of its residual variables."""

from __future__ import annotations

import math

import attrs

from tpc.errors import TpcError

MAX_FIELD = 1 << 16  # no size in a stored config is larger: a bigger one is a corrupt file


def _fits(annotation: str, value, where: str) -> bool:
    """Whether a stored `value` has the type a config field declares (as its annotation text)."""
    if annotation.endswith(" | None"):
        return value is None or _fits(annotation[: -len(" | None")], value, where)
    if annotation.startswith("tuple[") and annotation.endswith(", ...]"):
        item = annotation[len("tuple[") : -len(", ...]")]
        return (
            isinstance(value, (list, tuple))
            and len(value) <= MAX_FIELD
            and all(_fits(item, v, f"{where}[{i}]") for i, v in enumerate(value))
        )
    if annotation in NESTED:
        check_fields(NESTED[annotation], value, where)
        return True
    if annotation == "int":
        return type(value) is int and 0 <= value <= MAX_FIELD
    if annotation == "float":  # a finite number (an int is a float here, as in JSON)
        return type(value) in (int, float) and math.isfinite(value)
    return type(value) is {"bool": bool, "str": str}[annotation]


def check_fields(cls, data, where: str) -> dict:
    """`data`, a stored config of the attrs class `cls`, with every field checked against the
    type it declares (ints 0..MAX_FIELD): a one-line TpcError naming `where` and the key."""
    if not isinstance(data, dict):
        raise TpcError(f"{where}: expected an object of fields, got {type(data).__name__}")
    fields = {f.name: f for f in attrs.fields(cls)}
    unknown = sorted(map(str, set(data) - set(fields)))
    if unknown:
        raise TpcError(f"{where}: unknown field {unknown[0]!r}")
    for name, field in fields.items():
        if name not in data:
            if field.default is attrs.NOTHING:
                raise TpcError(f"{where}: missing field {name!r}")
        elif not _fits(field.type, data[name], f"{where}.{name}"):
            raise TpcError(f"{where}.{name}: expected {field.type}, got {short(data[name])}")
    return data


def check_class_ids(cfg, where: str) -> None:
    """A config's masked classes must be among its classes."""
    if any(c >= cfg.n_classes for c in cfg.masked_classes):
        raise TpcError(f"{where}.masked_classes: a class id beyond the {cfg.n_classes} classes")


def short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# annotation text -> attrs class, for configs holding others (wired modules)
NESTED: dict[str, type] = {}


@attrs.frozen
class ModelConfig:
    """Sizes and switches; plain values only, so it round-trips through a checkpoint as a dict.

    Every categorical variable is stored in a slot of ``d_var`` dimensions (its true width may be
    smaller: tokens use ``vocab_size`` values, positions ``n_ctx``); the stacked layout keeps a
    whole batch to a few tensor ops.
    """

    vocab_size: int
    n_classes: int
    n_ctx: int
    d_var: int
    # The sizes have no defaults here: `tpc train` takes them from the task (tpc.tasks.registry),
    # a reference run and a compiled program carry their own.
    n_layers: int
    n_heads_cat: int
    n_heads_num: int
    n_cat_mlps: int
    n_num_mlps: int
    mlp_vars_in: int
    d_mlp: int
    one_hot_embed: bool = True
    n_vars_cat: int = 1  # learned categorical token embeddings, when not one-hot
    causal: bool = False
    # Classification (the paper's pool_outputs): position 0 reads the mean of every non-pad
    # position's class scores, and hard mode gives that class at every position.
    pool_outputs: bool = False
    # While training only: on MLP hidden units and new variables, as the paper's code.
    dropout: float = 0.0
    masked_classes: tuple[int, ...] = attrs.field(default=(), converter=tuple)
    # Names of numerical heads that average instead of summing, and predicates read as arbitrary
    # 0/1 matrices (logit > 0) instead of one match per row. The forward pass and the lifter
    # support both; `tpc train` and reference runs leave them off (compiled programs use the
    # wired architecture instead), so only hand-built models set them.
    mean_heads: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    general_predicates: bool = False

    def __attrs_post_init__(self):
        if self.one_hot_embed and self.d_var < self.vocab_size:
            raise TpcError(
                f"d_var {self.d_var} is narrower than the one-hot vocabulary "
                f"({self.vocab_size} tokens)"
            )
        if self.d_var < self.n_ctx:
            raise TpcError(
                f"d_var {self.d_var} is narrower than the one-hot positions ({self.n_ctx})"
            )
        counts = [
            self.n_layers,
            self.n_heads_cat,
            self.n_heads_num,
            self.n_cat_mlps,
            self.n_num_mlps,
        ]
        if min(counts) < 0 or self.n_layers < 1 or self.mlp_vars_in < 1 or self.d_mlp < 1:
            raise TpcError("layers must be >= 1; heads and MLPs >= 0; MLP sizes >= 1")
        if self.n_vars_cat < 1 or (self.one_hot_embed and self.n_vars_cat != 1):
            raise TpcError("a one-hot embedding is exactly one variable")

    # -- variable names, in residual-stream order -------------------------------------------
    def input_cat_vars(self) -> list[str]:
        tokens = (
            ["tokens"] if self.one_hot_embed else [f"embed.var{i}" for i in range(self.n_vars_cat)]
        )
        return tokens + ["positions"]

    def layer_cat_outputs(self, layer: int) -> list[str]:
        return (
            [f"L{layer}.cat_head{h}" for h in range(self.n_heads_cat)]
            + [f"L{layer}.cat_mlp{i}" for i in range(self.n_cat_mlps)]
            + [f"L{layer}.num_mlp{i}" for i in range(self.n_num_mlps)]
        )

    def cat_vars_before(self, layer: int) -> list[str]:
        """Categorical variables an attention head of ``layer`` may read."""
        names = self.input_cat_vars()
        for l in range(layer):
            names += self.layer_cat_outputs(l)
        return names

    def num_vars_before(self, layer: int) -> list[str]:
        names = ["ones"]
        for l in range(layer):
            names += [f"L{l}.num_head{h}" for h in range(self.n_heads_num)]
        return names

    def cat_vars(self) -> list[str]:
        return self.cat_vars_before(self.n_layers)

    def num_vars(self) -> list[str]:
        return self.num_vars_before(self.n_layers)

    def to_dict(self) -> dict:
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, d: dict, where: str = "config") -> "ModelConfig":
        cfg = cls(**check_fields(cls, d, where))
        check_class_ids(cfg, where)
        return cfg
