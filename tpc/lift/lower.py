"""Lower a discrete Transformer Program to the typed IR, exactly.

Every model variable becomes one IR node: heads become Select + Aggregate, MLPs become
tables computed by running the MLP itself on every input its inputs' value sets allow,
and the unembedding becomes a Readout of per-variable score tables. The program's `origin`
records the model variable (or "readout") each node came from.
"""

from __future__ import annotations

import itertools

from tpc.errors import TpcError
from tpc.ir import BOS, Builder, Domain, Predicate, Program, Table, numerical_row, sort_key
from tpc.ir.infer import ValueSetTooLarge
from tpc.ir.names import lifted_name
from tpc.lift.bounds import MAX_TABLE_ROWS, check_table_rows, run_in_chunks
from tpc.model.checkpoint import Model
from tpc.model.discrete import DiscreteProgram, discretize


class _Lowering:
    def __init__(self, dp: DiscreteProgram, tokens: tuple[str, ...], domain: Domain, max_rows: int):
        self.dp = dp
        self.max_rows = max_rows
        self.b = Builder(domain)
        self.node: dict[str, str] = {}  # model variable -> IR node
        self.decode: dict[str, list] = {}  # model variable -> IR value of each value index
        self.origin: dict[str, str] = {}  # IR node -> model variable

    def came_from(self, variable: str, start: int) -> None:
        """The nodes added since the builder held `start` nodes come from `variable`."""
        for node in self.b.nodes[start:]:
            self.origin[node.name] = variable

    def values(self, var: str) -> list[tuple[int, object]]:
        """(model index, IR value) of every value the variable's node can take."""
        index = {sort_key(v): i for i, v in enumerate(self.decode[var])}
        return [(index[sort_key(v)], v) for v in self.b.type_of(self.node[var]).values]

    def inputs(self, tokens: tuple[str, ...]) -> None:
        b = self.b
        start = len(b.nodes)
        b.tokens()
        self.came_from("tokens", start)
        for var, table in self.dp.embedding.items():
            start = len(b.nodes)
            if var == "tokens":
                self.node[var], self.decode[var] = b.tokens(), list(tokens)
            else:  # a learned embedding: a categorical map of the token
                by_token = Table([(t, table[i]) for i, t in enumerate(tokens) if i > 0])
                self.node[var] = b.map(by_token, b.tokens(), name=lifted_name(var))
                self.decode[var] = list(range(self.dp.variable(var).width))
            self.came_from(var, start)
        for var, add in (("positions", b.indices), ("ones", b.ones)):
            start = len(b.nodes)
            self.node[var] = add()
            self.came_from(var, start)
        self.decode["positions"] = list(range(self.dp.config.n_ctx))

    def select(self, head) -> str:
        pairs = [
            (qv, kv)
            for qi, qv in self.values(head.query)
            for ki, kv in self.values(head.key)
            if head.predicate[qi][ki]
        ]
        return self.b.select(
            self.node[head.key],
            self.node[head.query],
            Predicate(pairs),
            name=f"{lifted_name(head.output)}_select",
        )

    def cat_head(self, head) -> None:
        start = len(self.b.nodes)
        sel = self.select(head)
        self.node[head.output] = self.b.aggregate(
            sel, self.node[head.value], "nearest", name=lifted_name(head.output)
        )
        self.decode[head.output] = self.decode[head.value]
        self.came_from(head.output, start)

    def num_head(self, head) -> None:
        start = len(self.b.nodes)
        sel = self.select(head)
        try:
            self.node[head.output] = self.b.aggregate(
                sel, self.node[head.value], head.reduce, name=lifted_name(head.output)
            )
        except ValueSetTooLarge as e:
            raise TpcError(
                f"{head.output}: its {head.reduce} of {head.value} over up to "
                f"{self.b.domain.n_positions} positions takes {e}; a shorter --max-length "
                "or fewer numerical heads reading numerical heads avoids it"
            ) from None
        self.came_from(head.output, start)

    def mlp(self, mlp, numerical: bool) -> None:
        start = len(self.b.nodes)
        domains = [
            self.values(v)
            if not numerical
            else [(v, v) for v in self.b.type_of(self.node[v]).values]
            for v in mlp.inputs
        ]
        values = [[v for _, v in d] for d in domains]
        check_table_rows(mlp.output, mlp.inputs, values, self.max_rows)
        # Sizes are checked first; the MLP then runs on fixed-size chunks of its input rows.
        outputs = run_in_chunks(mlp.apply, [[float(i) for i, _ in d] for d in domains])
        keys = itertools.product(*values)
        nodes = [self.node[v] for v in mlp.inputs]
        name = lifted_name(mlp.output)
        if len(nodes) == 1:
            self.node[mlp.output] = self.b.map(
                Table([(k[0], o) for k, o in zip(keys, outputs)]), nodes[0], name=name
            )
        else:
            packed, code = self.pack(nodes[:-1], values[:-1], name)
            table = Table(
                [((code[tuple(map(sort_key, k[:-1]))], k[-1]), o) for k, o in zip(keys, outputs)]
            )
            self.node[mlp.output] = self.b.sequence_map(table, packed, nodes[-1], name=name)
        self.decode[mlp.output] = list(range(self.dp.variable(mlp.output).width))
        self.came_from(mlp.output, start)

    def pack(self, nodes: list[str], domains: list[list], name: str) -> tuple[str, dict]:
        """One node standing for the tuple of `nodes` (the IR's maps read one or two inputs):
        `nodes[0]` itself, or SequenceMaps numbering the tuples. Returns (node, {tuple of sort
        keys: its value})."""
        node, code = nodes[0], {(sort_key(v),): v for v in domains[0]}
        for j in range(1, len(nodes)):
            rows, numbered = [], {}
            for prefix, value in code.items():
                for v in domains[j]:
                    numbered[(*prefix, sort_key(v))] = len(numbered)
                    rows.append(((value, v), len(numbered) - 1))
            node = self.b.sequence_map(Table(rows), node, nodes[j], name=f"{name}_inputs{j + 1}")
            code = numbered
        return node, code

    def readout(self, labels: tuple[str, ...]) -> str:
        ro = self.dp.readout
        keep = [c for c in range(len(labels)) if c not in ro.masked]
        terms, scores = [], []
        for var, w, numerical in zip(ro.variables, ro.scores, ro.numerical):
            w = w.double()
            if numerical:
                # The model scores float32(float32(value) * w), as numerical_row does.
                weights = [float(w[0, c]) for c in keep]
                rows = [
                    (v, numerical_row(v, weights)) for v in self.b.type_of(self.node[var]).values
                ]
            else:
                rows = [(v, tuple(float(w[i, c]) for c in keep)) for i, v in self.values(var)]
            terms.append(self.node[var])
            scores.append(Table(rows))
        pooled = getattr(self.dp.config, "pool_outputs", False)  # wired models never pool
        return self.b.readout(
            terms,
            scores,
            [0.0] * len(keep),
            [labels[c] for c in keep],
            name="readout",
            pooled=pooled,
        )


def lift_model(
    model: Model,
    tokens: tuple,
    labels: tuple,
    implicit_bos: bool = False,
    unk: str | None = None,
    max_table_rows: int = MAX_TABLE_ROWS,
    **meta,
) -> Program:
    """The IR program equal to `model`'s hard mode on every input (`<s>` first, all positions;
    with `implicit_bos`, as compiled RASP programs are used: BOS added and its output hidden).
    `unk`: the token a text model reads for a word outside its vocabulary. An MLP whose table
    would have more than `max_table_rows` rows is a TpcError before anything is built."""
    dp = discretize(model)
    cfg = dp.config
    if BOS not in tokens:
        raise TpcError(f"the model's vocabulary has no {BOS!r} token")
    if len(tokens) != cfg.vocab_size or len(labels) != cfg.n_classes:
        raise TpcError(
            f"vocabulary ({len(tokens)} tokens, {len(labels)} labels) does not fit the model "
            f"({cfg.vocab_size} tokens, {cfg.n_classes} classes)"
        )
    domain = Domain(
        vocab=[t for t in tokens[1:] if t != BOS],
        max_len=cfg.n_ctx - implicit_bos,
        causal=cfg.causal,
        implicit_bos=implicit_bos,
        bos=BOS,
        unk=unk,
    )
    low = _Lowering(dp, tokens, domain, max_table_rows)
    low.inputs(tokens)
    for layer in range(cfg.n_layers):
        for head in dp.cat_heads:
            if head.layer == layer:
                low.cat_head(head)
        for head in dp.num_heads:
            if head.layer == layer:
                low.num_head(head)
        for mlp in dp.cat_mlps:
            if mlp.layer == layer:
                low.mlp(mlp, numerical=False)
        for mlp in dp.num_mlps:
            if mlp.layer == layer:
                low.mlp(mlp, numerical=True)
    start = len(low.b.nodes)
    low.b.output("output", low.readout(labels))
    low.came_from("readout", start)
    program = low.b.build(**{k: str(v) for k, v in meta.items() if v is not None})
    return program.evolve(origin=low.origin)
