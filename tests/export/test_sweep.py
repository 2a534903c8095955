"""The sweep: every RASP example compiled at its vocabulary with max length 6, every shipped
checkpoint and the shared reference runs, exported to TransformerLens and to ONNX; on every
input up to length 6 each export's argmax equals tpc's prediction (the model's hard mode),
in TransformerLens and in onnxruntime.

One test per artifact: its weights are built once and written in both formats, each loaded
back from its files; all inputs of one length run as one token-id tensor (in chunks), and
tpc's prediction is computed once for both runtimes, onnxruntime in a second thread. The
exports whose dense forwards cost the most are marked slow (`SLOW`); docs/results.md lists
each artifact's inputs and time.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import torch

from tpc.errors import TpcError
from tpc.export import load_tl
from tpc.export.onnx import OnnxSession
from tpc.export.write import export, load_source, weights_of
from tpc.ir import BOS
from tpc.verify.hard_forward import HardForward
from tpc.verify.search import enumerate_inputs

ROOT = Path(__file__).resolve().parents[2]
RASP = ROOT / "examples" / "rasp"
MAX_LEN = 6
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
#: the exports whose dense forwards over every input cost the most (docs/results.md: each
#: artifact's time): the rest fit the default suite's share
SLOW = {"models/sort"}
MODELS = {
    **{
        f"models/{p.parent.name}": p
        for p in sorted((ROOT / "examples" / "models").glob("*/model.pt"))
    },
    **{
        f"reference/{p.name}": p
        for p in sorted((ROOT.parent / "shared" / "reference").glob("*"))
        if p.is_dir()
    },
}
#: shipped models the export refuses, with the one-line error it gives (none now: issue 27's
#: repaired sort, whose heads sum counts and sums of counts, exports)
REFUSED: dict[str, str] = {}
#: positions per forward: bounds the activations of the widest export (d_model ~1,200)
CHUNK_POSITIONS = 1 << 14


def test_every_example_is_listed():
    files = {str(p.relative_to(RASP).with_suffix("")) for p in RASP.rglob("*.rasp")}
    assert files == set(VOCABS)
    assert len(MODELS) == 5


def _artifacts():
    for name in sorted(VOCABS):
        marks = [pytest.mark.slow] if name in SLOW else []
        yield pytest.param(str(RASP / f"{name}.rasp"), VOCABS[name], None, id=name, marks=marks)
    for name, path in MODELS.items():
        marks = [pytest.mark.slow] if name in SLOW else []
        yield pytest.param(str(path), None, REFUSED.get(name), id=name, marks=marks)


def _tpc_predict(model):
    """tpc's prediction [batch, positions] (class ids): the model's hard mode, by the index
    forward where it applies (bit-identical logits; tests/verify check it) else its own."""
    fast = HardForward(model)

    def predict(ids: torch.Tensor) -> torch.Tensor:
        with torch.inference_mode():
            return (fast if fast.usable(ids.shape[1]) else model).predict(ids)

    return predict


@pytest.mark.parametrize(("path", "vocab", "refused"), list(_artifacts()))
def test_both_exports_equal_tpc_on_every_input(path, vocab, refused, tmp_path):
    if vocab is None:  # a model: its own vocabulary and length
        loaded = load_source(path)
    else:  # a program, compiled at its vocabulary
        loaded = load_source(path, vocab=list(vocab), max_len=MAX_LEN)
    if refused is not None:
        with pytest.raises(TpcError) as caught:
            weights_of(loaded)
        assert str(caught.value) == refused
        return
    w = weights_of(loaded)
    export(loaded, "tl", tmp_path / "tl", w)
    export(loaded, "onnx", tmp_path / "onnx", w)
    tl, session = load_tl(tmp_path / "tl"), OnnxSession(tmp_path / "onnx" / "model.onnx")
    predict = _tpc_predict(loaded.model)
    bos = next(i for i, t in enumerate(loaded.tokens) if str(t) == str(BOS))
    real = torch.tensor([i for i in range(len(loaded.tokens)) if i not in (0, bos)])
    column_class = torch.tensor(w.classes)  # export column -> the model's class id
    first = 1 if loaded.implicit_bos else 0  # scored positions
    with ThreadPoolExecutor(1) as pool:
        checked = 0
        for length in range(MAX_LEN + 1):
            count = len(real) ** length
            step = max(1, CHUNK_POSITIONS // (length + 1))
            for lo in range(0, count, step):
                idx = torch.from_numpy(
                    enumerate_inputs(len(real), length, lo, min(count, lo + step))
                )
                ids = torch.cat([torch.full((len(idx), 1), bos), real[idx]], 1)
                # onnxruntime in a second thread while torch runs here: both release the GIL
                by_onnx = pool.submit(lambda ids=ids: session.logits(ids.numpy()).argmax(-1))
                want = predict(ids)[:, first:]
                with torch.inference_mode():
                    by_tl = column_class[tl(ids, return_type="logits").argmax(-1)][:, first:]
                by_onnx = column_class[torch.from_numpy(by_onnx.result())][:, first:]
                for runtime, got in (("TransformerLens", by_tl), ("onnxruntime", by_onnx)):
                    bad = (got != want).any(-1).nonzero()
                    assert not len(bad), f"{runtime} differs on {ids[bad[0, 0]].tolist()}"
                checked += len(idx)
    assert checked == sum(len(real) ** n for n in range(MAX_LEN + 1))
