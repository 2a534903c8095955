"""Hypothesis strategies shared by the whole suite: domains, inputs, well-typed programs.

`programs()` builds random well-typed IR programs Csmith-style: it grows a DAG one node at a
time, choosing among the node kinds whose inputs already exist, with small random tables.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from tpc.ir import COMPARISONS, Builder, Domain, Predicate, Table

TOKEN_POOL = ("a", "b", "c", "d", 0, 1, 2, 3)
CAT_POOL = (None, True, False, 0, 1, 2, 3, "x", "y")
NUM_POOL = (0, 1, 2, -1, Fraction(1, 2))
MAX_VALUES = 40  # keep numerical value sets (and so tables downstream) small


@st.composite
def domains(draw, max_len: int = 5, implicit_bos: bool | None = None, causal: bool | None = None):
    vocab = draw(st.lists(st.sampled_from(TOKEN_POOL), min_size=1, max_size=4, unique=True))
    return Domain(
        vocab=vocab,
        max_len=draw(st.integers(1, max_len)),
        causal=draw(st.booleans()) if causal is None else causal,
        implicit_bos=draw(st.booleans()) if implicit_bos is None else implicit_bos,
    )


@st.composite
def inputs(draw, domain: Domain, min_size: int = 0, max_size: int = 20):
    """A batch of token lists as `run` takes them (BOS first when the domain wants it)."""
    longest = domain.max_len - (0 if domain.implicit_bos else 1)
    seqs = draw(
        st.lists(
            st.lists(st.sampled_from(domain.vocab), min_size=0, max_size=longest),
            min_size=max(min_size, 1),
            max_size=max_size,
        )
    )
    return seqs if domain.implicit_bos else [[domain.bos, *s] for s in seqs]


def _table(draw, keys, pool):
    return Table([(k, draw(st.sampled_from(pool))) for k in keys])


@st.composite
def programs(draw, domain: Domain | None = None, max_nodes: int = 8, readout: bool | None = None):
    domain = domain if domain is not None else draw(domains())
    b = Builder(domain)
    cats, nums, sels = [b.tokens(), b.indices()], [b.ones()], []
    kinds = [
        "map",
        "sequence_map",
        "select",
        "aggregate",
        "selector_width",
        "constant",
        "selector_op",
    ]
    for _ in range(draw(st.integers(1, max_nodes))):
        kind = draw(st.sampled_from(kinds))
        if kind in ("aggregate", "selector_width", "selector_op") and not sels:
            kind = "select"
        if kind == "map":
            x = draw(st.sampled_from(cats + nums))
            out = draw(st.sampled_from(["categorical", "numerical"]))
            pool = NUM_POOL if out == "numerical" else CAT_POOL
            node = b.map(_table(draw, b.type_of(x).values, pool), x, kind=out)
        elif kind == "sequence_map":
            x, y = draw(st.sampled_from(cats + nums)), draw(st.sampled_from(cats + nums))
            if len(b.type_of(x)) * len(b.type_of(y)) > 80:
                continue
            out = draw(st.sampled_from(["categorical", "numerical"]))
            pool = NUM_POOL if out == "numerical" else CAT_POOL
            keys = [(u, v) for u in b.type_of(x).values for v in b.type_of(y).values]
            node = b.sequence_map(_table(draw, keys, pool), x, y, kind=out)
        elif kind == "select":
            keys, queries = draw(st.sampled_from(cats)), draw(st.sampled_from(cats))
            if draw(st.booleans()):
                pred = draw(st.sampled_from(sorted(COMPARISONS)))
            else:
                kv, qv = b.type_of(keys).values, b.type_of(queries).values
                pairs = [(q, k) for q in qv for k in kv]
                pred = Predicate(
                    draw(st.lists(st.sampled_from(pairs), max_size=len(pairs), unique=True))
                    if pairs
                    else []
                )
            sels.append(b.select(keys, queries, pred))
            continue
        elif kind == "selector_op":
            op = draw(st.sampled_from(["and", "or", "not"]))
            a, c = draw(st.sampled_from(sels)), draw(st.sampled_from(sels))
            sels.append(b.select_not(a) if op == "not" else getattr(b, f"select_{op}")(a, c))
            continue
        elif kind == "aggregate":
            sel = draw(st.sampled_from(sels))
            if draw(st.booleans()):
                values = draw(st.sampled_from(cats))
                default = draw(st.sampled_from([None, None, "x", 0]))
                node = b.aggregate(sel, values, "nearest", default=default)
            else:
                values = draw(st.sampled_from(nums))
                if len(b.type_of(values)) > 3:
                    continue
                reduce = draw(st.sampled_from(["sum", "mean"]))
                default = draw(st.sampled_from([None, 1])) if reduce == "mean" else None
                node = b.aggregate(sel, values, reduce, default=default)
        elif kind == "selector_width":
            node = b.selector_width(draw(st.sampled_from(sels)))
        else:
            out = draw(st.sampled_from(["categorical", "numerical"]))
            node = b.constant(
                draw(st.sampled_from(NUM_POOL if out == "numerical" else CAT_POOL)), kind=out
            )
        if len(b.type_of(node)) > MAX_VALUES:
            continue
        (nums if b.type_of(node).kind == "numerical" else cats).append(node)
    sops = cats[2:] + nums[1:] or cats
    b.output("out", sops[-1])
    if len(sops) > 1 and draw(st.booleans()):
        b.output("other", draw(st.sampled_from(sops)))
    if readout if readout is not None else draw(st.booleans()):
        # A node may be read twice (it then adds twice), as after cse merges two heads.
        terms = draw(st.lists(st.sampled_from(cats + nums), min_size=1, max_size=3))
        classes = draw(
            st.lists(st.sampled_from(["p", "q", "r", 0]), min_size=1, max_size=3, unique=True)
        )
        # Small integers make real ties; 2**-24 and 1 + 2**-23 make float32 near-ties, where
        # the order and rounding of the sum decide the class.
        score = st.one_of(
            st.integers(-3, 3).map(float), st.sampled_from([2.0**-24, -(2.0**-24), 1.0 + 2.0**-23])
        )
        scores = [
            Table([(v, tuple(draw(score) for _ in classes)) for v in b.type_of(t).values])
            for t in terms
        ]
        b.output("label", b.readout(terms, scores, [draw(score) for _ in classes], classes))
    return b.build()


@st.composite
def programs_with_inputs(draw, max_nodes: int = 8, **kw):
    domain = draw(domains(**kw))
    program = draw(programs(domain, max_nodes))
    return program, draw(inputs(domain))
