"""What an export's JSON files say: `vocab.json` (tokens, BOS, the pad token, output columns,
scored positions) and `labels.json` (variables -> residual dimensions, heads, MLPs, margins)."""

from __future__ import annotations

from tpc.errors import TpcError
from tpc.export.layout import number
from tpc.export.padding import PAD_ID
from tpc.export.weights import Weights
from tpc.ir import BOS
from tpc.ir.serialize import value_to_json
from tpc.model.checkpoint import LoadedModel

FORMAT = "tpc-export/1"


def _texts(values, what: str, where: str) -> list[str]:
    texts = [str(v) for v in values]
    if len(set(texts)) != len(texts):
        raise TpcError(
            f"{where}: two {what} print the same ({', '.join(texts)}); an export names them by text"
        )
    return texts


def vocab_json(loaded: LoadedModel, w: Weights) -> dict:
    tokens = _texts(loaded.tokens, "tokens", loaded.path)
    outputs = _texts([loaded.labels[c] for c in w.classes], "output classes", loaded.path)
    doc = {
        "format": FORMAT,
        "tokens": {t: i for i, t in enumerate(tokens)},
        "bos": str(BOS),
        "pad": tokens[PAD_ID],  # the models' own padding token (tpc.export.padding)
        "padding": "right",  # after an input's tokens; the logits at pad positions: ignore
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


def labels_json(loaded: LoadedModel, w: Weights) -> dict:
    """Every variable's dimensions and what each stands for (a one-hot `tokens`: the token's
    text; other categorical variables: the model's value index; numerical: the number; a
    scalar sum: its one dimension holds the number, one of `values`)."""
    variables = {}
    for name, place in w.stream.places.items():
        numbers = place.kind == "numerical"
        values = [number(v) for v in place.values] if numbers else list(place.values)
        variables[name] = {
            "kind": place.kind,
            "dims": list(range(place.start, place.start + place.width)),
            "values": values,
        }
        if place.scalar:  # its one dimension holds the number itself, one of `values`
            variables[name]["encoding"] = "scalar"
    return {
        "format": FORMAT,
        "source": loaded.path,
        "d_model": w.d_model,
        "variables": variables,
        "heads": {name: {"layer": b, "head": h} for name, (b, h) in w.heads.items()},
        "mlps": {name: {"layer": b} for name, b in w.mlps.items()},
        "model_layers": {str(l): blocks for l, blocks in w.layers.items()},
        "blocks": [b.role for b in w.blocks],
        "margins": w.margins,
    }
