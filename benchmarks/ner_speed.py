"""Seconds per training epoch for the paper's NER configuration: tpc against the paper's own
code, on the same files, back to back, in one run (best of N epochs each).

    python benchmarks/ner_speed.py REF_DIR REF_PYTHON [--data examples/nlp/conll] [--epochs 3]

REF_DIR is a checkout of princeton-nlp/TransformerPrograms (its src/ is imported, nothing of
it is copied here); REF_PYTHON a Python with torch, numpy, pandas, scikit-learn, einops, tqdm
and seqeval. The modules its data code imports at the top for downloading (datasets, gensim,
nltk, black) are stubbed: this benchmark hands it the same tokenized tensors tpc trains on.

Both sides time one epoch of optimisation steps (Gumbel samples, forward, loss, backward, Adam)
with the configuration of the paper's scripts/conll.sh: 2 layers, 4 word variables, d_var 32,
8 categorical heads, 1 categorical MLP, dropout 0.5, batch 32, lr 1e-2. The reference side
runs its own model and its loop's per-step code (set_temp, mask, forward, per-token loss); its
per-epoch evaluation of the training set (which its `run_training` always does) is left out
of both. Times are each process's CPU seconds (`time.process_time`, one thread): on a machine
shared with other work, wall time mostly measures the neighbours.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

import torch

from tpc.model.learned import TransformerProgram
from tpc.train.loop import run_epoch
from tpc.train.options import TrainOptions
from tpc.train.setup import build_config, load_data

NER = dict(
    task="conll",
    layers=2,
    embed_vars=4,
    d_var=32,
    cat_heads=8,
    num_heads=0,
    cat_mlps=1,
    num_mlps=0,
    dropout=0.5,
    batch_size=32,
    lr=1e-2,
)

REFERENCE = r"""
import sys, time, types, json
import numpy as np, torch
ref, data_path, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3])
for name in ("datasets", "gensim", "gensim.downloader", "nltk", "nltk.tokenize", "black"):
    sys.modules[name] = types.ModuleType(name)
sys.modules["gensim"].downloader = sys.modules["gensim.downloader"]
sys.modules["nltk.tokenize"].word_tokenize = None
sys.modules["black"].format_str = sys.modules["black"].FileMode = None
sys.path.insert(0, ref)
from src.models.programs import TransformerProgramModel, gumbel_soft
torch.set_num_threads(1)
d = torch.load(data_path, weights_only=True)
x, y = d["x"], d["y"]
torch.manual_seed(0)
model = TransformerProgramModel(
    d_vocab=d["vocab"], d_vocab_out=d["classes"], n_vars_cat=4, n_vars_num=1, d_var=32,
    n_heads_cat=8, n_heads_num=0, d_mlp=64, n_cat_mlps=1, n_num_mlps=0, mlp_vars_in=2, n_layers=2,
    n_ctx=x.shape[1], sample_fn=gumbel_soft, attention_type="cat", rel_pos_bias="fixed",
    dropout=0.5, pool_outputs=False, one_hot_embed=False, count_only=True, selector_width=0)
opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-2)
times = []
for epoch in range(epochs + 1):
    model.train()
    order = torch.randperm(len(x))
    temps = np.geomspace(3.0, 0.01, len(order) // 32 + 1)
    start = time.process_time()
    for step, i in enumerate(range(0, len(x), 32)):
        xb, yb = x[order[i:i + 32]], y[order[i:i + 32]]
        model.set_temp(temps[step])
        m = (xb != 0).float()
        mask = (m.unsqueeze(-1) @ m.unsqueeze(-2)).bool()
        log_probs = model(xb, mask=mask).log_softmax(-1)
        losses = -log_probs.gather(2, yb.unsqueeze(-1)).squeeze(-1)
        loss = (losses.masked_fill(yb == 0, 0.0).sum(-1) / (yb != 0).sum(-1)).mean()
        loss.backward()
        opt.step()
        opt.zero_grad()
        model.zero_grad()
    times.append(time.process_time() - start)
print(json.dumps(times[1:]))
"""


def tpc_epochs(opts: TrainOptions, data, epochs: int) -> list[float]:
    torch.manual_seed(0)
    model = TransformerProgram(build_config(opts, data))
    optimizer = torch.optim.Adam(model.parameters(), lr=opts.lr)
    times = []
    for epoch in range(epochs + 1):  # the first warms up
        start = time.process_time()
        run_epoch(model, optimizer, data.train.x, data.train.y, opts, epoch)
        times.append(time.process_time() - start)
    return times[1:]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("ref_dir")
    ap.add_argument("ref_python")
    ap.add_argument(
        "--data", default=str(Path(__file__).resolve().parents[1] / "examples" / "nlp" / "conll")
    )
    ap.add_argument("--epochs", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(1)
    opts = TrainOptions(data=args.data, epochs=50, **NER).with_task_defaults()
    data = load_data(opts)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.pt"
        torch.save(
            {
                "x": data.train.x,
                "y": data.train.y,
                "vocab": len(data.tokens),
                "classes": len(data.labels),
            },
            path,
        )
        ours = tpc_epochs(opts, data, args.epochs)
        ref = json.loads(
            subprocess.run(
                [args.ref_python, "-c", REFERENCE, args.ref_dir, str(path), str(args.epochs)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
    print(
        f"NER config, {len(data.train.x)} training sentences, batch 32, 1 thread, "
        f"best of {args.epochs} epochs:"
    )
    print(f"  tpc       {min(ours):.3f} s/epoch  (all: {', '.join(f'{t:.3f}' for t in ours)})")
    print(f"  reference {min(ref):.3f} s/epoch  (all: {', '.join(f'{t:.3f}' for t in ref)})")
    print(f"  ratio tpc / reference: {min(ours) / min(ref):.2f}")


if __name__ == "__main__":
    main()
