"""What an export's JSON files say: `vocab.json` (tokens, BOS, output columns, scored
positions) and `labels.json` (variables -> residual dimensions, heads, MLPs, margins)."""

from __future__ import annotations

from tpc.errors import TpcError
from tpc.export.weights import Weights
from tpc.ir import BOS
from tpc.ir.serialize import value_to_json
from tpc.model.checkpoint import LoadedModel

FORMAT = "tpc-export/1"


def _texts(values, what: str, where: str) -> list[str]:
    texts = [str(v) for v in values]
    if len(set(texts)) != len(texts):
        raise TpcError(f"{where}: two {what} print the same ({', '.join(texts)}); an export names "
                       "them by text")
    return texts


def vocab_json(loaded: LoadedModel, w: Weights) -> dict:
    tokens = _texts(loaded.tokens, "tokens", loaded.path)
    outputs = _texts([loaded.labels[c] for c in w.classes], "output classes", loaded.path)
    doc = {
        "format": FORMAT,
        "tokens": {t: i for i, t in enumerate(tokens)},
        "bos": str(BOS),
        "pad": {"id": 0, "text": tokens[0], "note": "reserved by the model; never fed: run "
                "inputs of one length per batch"},
        "outputs": outputs,
        "classes": list(w.classes),
        "scored": "after_bos" if loaded.implicit_bos else "all",
        "max_len": w.n_ctx - 1,
        "causal": w.causal,
    }
    if loaded.typed:  # a compiled program's own values, as its IR JSON writes them
        doc["token_values"] = [value_to_json(t) for t in loaded.tokens]
        doc["output_values"] = [value_to_json(loaded.labels[c]) for c in w.classes]
    return doc


def labels_json(loaded: LoadedModel, w: Weights, token_of_value) -> dict:
    """`token_of_value`: variable -> (value index -> what it means), for input variables."""
    variables = {}
    for name, place in w.layout.places.items():
        entry = {"kind": place.kind, "dims": list(range(place.start, place.start + place.width))}
        if place.bos_start is not None:
            entry["bos_dims"] = list(range(place.bos_start, place.bos_start + place.width))
        if place.kind == "categorical":
            meaning = token_of_value.get(name)
            entry["values"] = [meaning(i) if meaning else i for i in range(place.width)]
        variables[name] = entry
    return {
        "format": FORMAT,
        "source": loaded.path,
        "d_model": w.layout.d_model,
        "variables": variables,
        "heads": {name: {"layer": l, "head": h} for name, (l, h) in w.heads.items()},
        "mlps": {name: {"layer": l} for name, l in w.mlps.items()},
        "margins": w.margins,
    }
