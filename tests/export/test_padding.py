"""Right padding (tpc/export/padding.py): a batch of inputs of mixed lengths, right-padded with
vocab.json's pad token, gives every real position the logits of its input run alone, bit for
bit, in TransformerLens and in onnxruntime; every head gives a pad key exactly zero weight."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from tpc.export import load_tl
from tpc.export.onnx import OnnxSession
from tpc.export.padding import score_bounds
from tpc.export.write import export, load_source, weights_of
from tpc.verify import verify

ROOT = Path(__file__).resolve().parents[2]
#: (path, compile options): compiled programs (sort: a categorical and a counting head, prep
#: blocks; frac_prevs, causal: a counting and an averaging head), trained ones (hist:
#: categorical and numerical heads; induction: causal), the repaired sort (heads summing
#: counts) and a reference run
ARTIFACTS = {
    "rasp/sort": (
        ROOT / "examples" / "rasp" / "sort.rasp",
        {"vocab": ["a", "b", "c"], "max_len": 5},
    ),
    "rasp/frac_prevs-causal": (
        ROOT / "examples" / "rasp" / "frac_prevs.rasp",
        {"vocab": ["x", "a", "b"], "max_len": 6, "causal": True},
    ),
    "models/hist": (ROOT / "examples" / "models" / "hist" / "model.pt", {}),
    "models/induction": (ROOT / "examples" / "models" / "induction" / "model.pt", {}),
    "models/sort": (ROOT / "examples" / "models" / "sort" / "model.pt", {}),
    "reference/hist": (ROOT.parent / "shared" / "reference" / "hist", {}),
}


def _inputs(vocab: dict, seed: int) -> list[list[int]]:
    """Token ids, BOS first: three random inputs of every length 0..max_len, shuffled."""
    rng = np.random.RandomState(seed)
    words = [i for t, i in vocab["tokens"].items() if t not in (vocab["bos"], vocab["pad"])]
    bos = vocab["tokens"][vocab["bos"]]
    rows = [
        [bos, *rng.choice(words, n).tolist()] for n in range(vocab["max_len"] + 1) for _ in range(3)
    ]
    return [rows[i] for i in rng.permutation(len(rows))]


def _padded(rows: list[list[int]], pad: int) -> np.ndarray:
    width = max(len(r) for r in rows)
    return np.array([r + [pad] * (width - len(r)) for r in rows], dtype=np.int64)


@pytest.fixture(scope="module", params=list(ARTIFACTS), ids=list(ARTIFACTS))
def exported(request, tmp_path_factory):
    """(source path, compile options, loaded model, weights, export directory)."""
    path, options = ARTIFACTS[request.param]
    loaded = load_source(str(path), **options)
    out = tmp_path_factory.mktemp("pad")
    w = weights_of(loaded)
    export(loaded, "tl", out / "tl", w)
    export(loaded, "onnx", out / "onnx", w)
    return str(path), options, loaded, w, out


def test_a_padded_batch_gives_each_input_its_own_logits(exported):
    _, _, loaded, w, out = exported
    vocab = json.loads((out / "tl" / "vocab.json").read_text())
    rows = _inputs(vocab, seed=0)
    pad = vocab["tokens"][vocab["pad"]]
    ids = _padded(rows, pad)
    tl, session = load_tl(out / "tl"), OnnxSession(out / "onnx" / "model.onnx")

    def by_tl(x: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return tl(torch.from_numpy(x), return_type="logits").numpy()

    for run in (by_tl, session.logits):
        batch = run(ids)
        for b, row in enumerate(rows):
            alone = run(np.array([row], dtype=np.int64))[0]
            assert np.array_equal(batch[b, : len(row)], alone), (run, row)
    # tpc's models mask their padding themselves: the export's argmax is their prediction
    with torch.inference_mode():
        want = loaded.model.predict(torch.from_numpy(ids)).numpy()
    got = np.array(w.classes)[by_tl(ids).argmax(-1)]
    assert np.array_equal(got[ids != pad], want[ids != pad])


def test_pad_keys_score_far_below_and_get_exactly_zero_weight(exported):
    """Every head's scores between real positions lie in its `score_bounds`; a pad key
    scores at least 128 below its row's best key (exp(-128) is 0 in float32) and gets
    weight exactly 0 from every real query."""
    _, _, _, w, out = exported
    vocab = json.loads((out / "tl" / "vocab.json").read_text())
    pad = vocab["tokens"][vocab["pad"]]
    ids = torch.from_numpy(_padded(_inputs(vocab, seed=1), pad))
    model = load_tl(out / "tl")
    with torch.inference_mode():
        _, cache = model.run_with_cache(ids)
    real = ids != pad
    real_pair = real[:, :, None] & real[:, None, :]  # [batch, query, key]
    pad_key = real[:, :, None] & ~real[:, None, :]
    assert pad_key.any()
    for b, block in enumerate(w.blocks):
        scores, pattern = cache["attn_scores", b], cache["pattern", b]  # [batch, head, q, k]
        for h, head in enumerate(block.heads):
            lo, hi = score_bounds(head, w.stream)
            s = scores[:, h]
            seen = real_pair & (s > float("-inf"))  # a causal model's mask aside
            assert ((s[seen] >= lo) & (s[seen] <= hi)).all(), head.name
            best = s.masked_fill(~real_pair, float("-inf")).amax(-1, keepdim=True)
            assert (s - best)[pad_key].max() <= -128, head.name
            assert (pattern[:, h][pad_key] == 0).all(), head.name


def test_verify_still_passes(exported):
    path, options, _, _, out = exported
    for side in (out / "tl", out / "onnx" / "model.onnx"):
        result = verify(path, side, max_len=3, vocab=options.get("vocab"))
        assert result.equivalent and result.mode == "exhaustive"
