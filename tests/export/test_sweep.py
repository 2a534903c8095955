"""The full sweep (slow): every RASP example compiled at its vocabulary with max length 6,
every shipped checkpoint and the shared reference runs, exported to TransformerLens and to
ONNX, each equal to its source on every input up to length 6."""

from __future__ import annotations

from pathlib import Path

import pytest

from tpc.export.write import export, load_source
from tpc.verify import verify

ROOT = Path(__file__).resolve().parents[2]
RASP = ROOT / "examples" / "rasp"
ABC, PARENS = ("a", "b", "c"), ("(", ")")
#: each example's vocabulary (tracr's: benchmarks/compile_vs_tracr.py's)
VOCABS = {
    "reverse": ABC,
    "hist": ABC,
    "double_hist": ABC,
    "sort": ABC,
    "most_freq": ABC,
    "length": ABC,
    "frac_prevs": ("x", "a", "b"),
    "dyck1": PARENS,
    "dyck2": PARENS + ("{", "}"),
    "tracr/make_length": (1, 2, 3, 4, 5),
    "tracr/make_reverse": (1, 2, 3, 4, 5),
    "tracr/make_hist": (1, 2, 3, 4, 5),
    "tracr/make_sort_freq": (1, 2, 3, 4, 5),
    "tracr/make_frac_prevs": ("l", "a", "b"),
    "tracr/make_pair_balance": PARENS,
    "tracr/make_shuffle_dyck1": PARENS,
    "tracr/make_shuffle_dyck2": PARENS + ("{", "}"),
    # a numerical MLP reading five averages: decoded along its one input direction
    "tracr/make_sort": (1, 2, 3, 4, 5),
    "tracr/make_sort_unique": (1, 2, 3, 4, 5),
}
MODELS = [
    *sorted((ROOT / "examples" / "models").glob("*/model.pt")),
    *sorted(p for p in (ROOT.parent / "shared" / "reference").glob("*") if p.is_dir()),
]


def test_every_example_is_listed():
    files = {str(p.relative_to(RASP).with_suffix("")) for p in RASP.rglob("*.rasp")}
    assert files == set(VOCABS)


@pytest.mark.slow
@pytest.mark.parametrize("to", ["tl", "onnx"])
@pytest.mark.parametrize("name", sorted(VOCABS))
def test_example_exports_equal_the_program(name, to, tmp_path):
    rasp, vocab = str(RASP / f"{name}.rasp"), list(VOCABS[name])
    export(load_source(rasp, vocab=vocab, max_len=6), to, tmp_path / "out")
    side = tmp_path / "out" / ("model.onnx" if to == "onnx" else "")
    result = verify(rasp, side, vocab=vocab, max_len=6)
    assert result.equivalent and result.mode == "exhaustive", result.summary()


@pytest.mark.slow
@pytest.mark.parametrize("to", ["tl", "onnx"])
@pytest.mark.parametrize(
    "path",
    MODELS,
    ids=lambda p: (
        f"{p.parent.parent.name}/{p.parent.name}" if p.name == "model.pt" else f"reference/{p.name}"
    ),
)
def test_model_exports_equal_the_model(path, to, tmp_path):
    export(load_source(str(path)), to, tmp_path / "out")
    side = tmp_path / "out" / ("model.onnx" if to == "onnx" else "")
    result = verify(path, side, max_len=6)
    assert result.equivalent and result.mode == "exhaustive", result.summary()
