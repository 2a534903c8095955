"""IR <-> JSON, exactly: values keep their kind (1, true, "1", 1/3 and null stay distinct)."""

from __future__ import annotations

import json
from fractions import Fraction

import attrs

from .nodes import ALL_NODES
from .program import IRError, Program
from .tables import Predicate, Table
from .types import SELECTOR, Categorical, Domain, Numerical
from .values import normalize

FORMAT = "tpc-ir"
VERSION = 1
_NODE_CLASSES = {cls.__name__: cls for cls in ALL_NODES}


def value_to_json(v):
    """An IR value as JSON: a Fraction as {"fraction": "n/d"}, anything else as itself."""
    return {"fraction": f"{v.numerator}/{v.denominator}"} if isinstance(v, Fraction) else v


def value_from_json(v):
    """The IR value `value_to_json` wrote (IRError for anything that is not one)."""
    if isinstance(v, dict) and set(v) == {"fraction"} and isinstance(v["fraction"], str):
        try:
            return normalize(Fraction(v["fraction"]))
        except (ValueError, ZeroDivisionError):
            pass
    elif v is None or type(v) in (bool, int, str):
        return v
    raise IRError(f"not an IR value: {v!r:.60}")


def _key_out(k):
    return [value_to_json(x) for x in k] if isinstance(k, tuple) else value_to_json(k)


def _key_in(k):
    return tuple(value_from_json(x) for x in k) if isinstance(k, list) else value_from_json(k)


def _type_out(t):
    if t is SELECTOR or t.kind == "selector":
        return {"kind": "selector"}
    return {"kind": t.kind, "values": [value_to_json(v) for v in t.values]}


def _type_in(d):
    kind = d["kind"]
    if kind == "selector":
        return SELECTOR
    cls = {"categorical": Categorical, "numerical": Numerical}.get(kind)
    if cls is None:
        raise IRError(f"unknown type kind {kind!r}")
    return cls([value_from_json(v) for v in d["values"]])


def _table_out(table: Table) -> list:
    # Readout score rows are float tuples; other outputs are values.
    return [
        [_key_out(k), list(o) if isinstance(o, tuple) else value_to_json(o)] for k, o in table.rows
    ]


def _table_in(rows) -> Table:
    return Table(
        [(_key_in(k), tuple(o) if isinstance(o, list) else value_from_json(o)) for k, o in rows]
    )


def _predicate_out(pred: Predicate) -> dict:
    if pred.is_comparison:
        views = {
            side: None if view is None else _table_out(view)
            for side, view in (("query_view", pred.query_view), ("key_view", pred.key_view))
        }
        return {"op": pred.op, **views}
    pairs = sorted(([value_to_json(q), value_to_json(k)] for q, k in pred.pairs), key=json.dumps)
    return {"op": pred.op, "pairs": pairs}


def _predicate_in(d: dict) -> Predicate:
    if "pairs" in d:
        return Predicate([(value_from_json(q), value_from_json(k)) for q, k in d["pairs"]], d["op"])
    views = (
        None if d.get(side) is None else _table_in(d[side]) for side in ("query_view", "key_view")
    )
    return Predicate.comparison(d["op"], *views)


def _exactly(kind: type):
    """A decoder that takes JSON values of exactly `kind` (TypeError for others)."""

    def decode(v):
        if type(v) is not kind:
            raise TypeError(f"expected a {kind.__name__}, got {v!r:.60}")
        return v

    return decode


# Field kind (nodes.FIELD_KINDS) -> (to JSON, from JSON).
CODECS = {
    "value": (value_to_json, value_from_json),
    "values": (
        lambda vs: [value_to_json(v) for v in vs],
        lambda vs: tuple(map(value_from_json, vs)),
    ),
    "floats": (list, tuple),
    "word": (str, _exactly(str)),
    "flag": (bool, _exactly(bool)),
    "table": (_table_out, _table_in),
    "tables": (lambda ts: [_table_out(t) for t in ts], lambda ts: tuple(map(_table_in, ts))),
    "predicate": (_predicate_out, _predicate_in),
}
# An input field: one node name, or a tuple of them.
_NAMES = (
    lambda names: names if isinstance(names, str) else list(names),
    lambda names: names if isinstance(names, str) else tuple(names),
)


def _codec(f):
    return _NAMES if "reads" in f.metadata else CODECS[f.metadata["holds"]]


def _schema_fields(cls) -> tuple:
    return tuple(f for f in attrs.fields(cls) if f.name not in ("name", "type"))


def program_to_dict(program: Program) -> dict:
    nodes = []
    for node in program.nodes:
        d = {"op": type(node).__name__, "name": node.name, "type": _type_out(node.type)}
        for f in _schema_fields(type(node)):
            value = getattr(node, f.name)
            # A flag is written only when set: documents from before it existed stay as they were.
            if value or f.metadata.get("holds") != "flag":
                d[f.name] = _codec(f)[0](value)
        nodes.append(d)
    dom = program.domain
    return {
        "format": FORMAT,
        "version": VERSION,
        "domain": {
            "vocab": [value_to_json(v) for v in dom.vocab],
            "max_len": dom.max_len,
            "causal": dom.causal,
            "implicit_bos": dom.implicit_bos,
            "bos": dom.bos,
            **({"unk": dom.unk} if dom.unk is not None else {}),
        },
        "nodes": nodes,
        "outputs": dict(program.outputs),
        "meta": dict(program.meta),
        # Only lifted programs have provenance; others' documents stay as they were.
        **({"origin": dict(program.origin)} if program.origin else {}),
    }


def program_from_dict(d: dict) -> Program:
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise IRError(f'not a tpc IR document (expected "format": "{FORMAT}")')
    if d.get("version") != VERSION:
        raise IRError(f"unsupported IR version {d.get('version')!r} (this tpc reads {VERSION})")
    try:
        dom = d["domain"]
        domain = Domain(
            vocab=[value_from_json(v) for v in dom["vocab"]],
            max_len=dom["max_len"],
            causal=dom["causal"],
            implicit_bos=dom["implicit_bos"],
            bos=dom["bos"],
            unk=dom.get("unk"),
        )
        nodes = []
        for nd in d["nodes"]:
            cls = _NODE_CLASSES.get(nd["op"])
            if cls is None:
                raise IRError(f"node {nd.get('name')!r}: unknown op {nd['op']!r}")
            fields = {f.name: _codec(f)[1](nd[f.name]) for f in _schema_fields(cls) if f.name in nd}
            nodes.append(cls(name=nd["name"], type=_type_in(nd["type"]), **fields))
        return Program(nodes, d["outputs"], domain, d.get("meta", {}), d.get("origin", {}))
    except (KeyError, TypeError, ValueError) as e:
        raise IRError(f"malformed IR document: {type(e).__name__}: {e}") from None


def to_json(program: Program, indent: int | None = 1) -> str:
    return json.dumps(program_to_dict(program), indent=indent)


def from_json(text: str) -> Program:
    from .program import validate

    try:
        d = json.loads(text)
    except json.JSONDecodeError as e:
        raise IRError(f"not JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    return validate(program_from_dict(d))
