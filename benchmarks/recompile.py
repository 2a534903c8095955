"""compile(lift(M)) against M: parameters, time, and agreement, for the checkpoints given.

    python benchmarks/recompile.py ../shared/reference/sort ../shared/reference/hist \
        examples/models/sort/model.pt examples/models/hist/model.pt RUN_DIR/model.pt ...

For each model M: lift it (-O1), write the program as RASP text, compile that text back (no
options: the text declares its domain), and compare M with the recompiled model on every
input up to --max-len tokens (exhaustive) and on --samples random inputs of M's full length.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import torch
from tpc.passes import optimize

from tpc.assemble import assemble, save_compiled
from tpc.backends.rasp import to_rasp
from tpc.frontend import rasp_file_to_ir
from tpc.lift import lift_checkpoint, load_model
from tpc.verify import verify


def params(model) -> int:
    return sum(p.numel() for p in model.parameters())


def answers(loaded, seqs):
    ids = {t: i for i, t in enumerate(loaded.tokens)}
    n = max(map(len, seqs))
    batch = torch.tensor([[ids[t] for t in s] + [0] * (n - len(s)) for s in seqs])
    pred = loaded.model.predict(batch).tolist()
    return [[str(loaded.labels[c]) for c in row[: len(s)]] for row, s in zip(pred, seqs)]


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("models", nargs="+")
    ap.add_argument("--max-len", type=int, default=5)
    ap.add_argument("--samples", type=int, default=5000)
    args = ap.parse_args()
    print(
        "| model | M params | compile(lift(M)) params | ratio | lift + compile s | exhaustive | "
        "sampled at full length |"
    )
    print("|---|---|---|---|---|---|---|")
    for path in args.models:
        loaded = load_model(path)
        t0 = time.perf_counter()
        text = Path(tempfile.mkdtemp()) / "prog.rasp"
        text.write_text(to_rasp(optimize(lift_checkpoint(path))))
        compiled = assemble(optimize(rasp_file_to_ir(text)))
        seconds = time.perf_counter() - t0
        out = text.with_suffix(".pt")
        save_compiled(compiled, out)
        n_ctx = loaded.model.cfg.n_ctx
        result = verify(path, out, max_len=min(args.max_len, n_ctx - 1))
        recompiled = load_model(out)
        vocab = [t for t in loaded.tokens if t not in ("<pad>", "<s>")]
        rng = random.Random(0)
        seqs = [["<s>", *rng.choices(vocab, k=n_ctx - 1)] for _ in range(args.samples)]
        same = sum(a == b for a, b in zip(answers(loaded, seqs), answers(recompiled, seqs)))
        m, c = params(loaded.model), params(compiled.model)
        print(
            f"| {path} | {m:,} | {c:,} | {c / m:.2f}x | {seconds:.2f} | "
            f"{'equivalent' if result.equivalent else 'DIFFERS'} ({result.inputs:,}) | "
            f"{same:,} / {len(seqs):,} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
