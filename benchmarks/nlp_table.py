"""The paper's NLP rows: NER on CoNLL-2003 and four classification sets, trained with the
paper's settings (scripts/conll.sh and classification.sh of its code) from local files.

    python benchmarks/nlp_table.py DATA_DIR GLOVE [--seeds 0] [--epochs-scale 1.0] [--device auto]

DATA_DIR holds one directory per data set, in the formats `tpc train --task conll|classify`
reads (docs/cli.md): conll2003/ (train.txt, valid.txt, test.txt), and any of trec/, mr/,
subj/, agnews/ (train.*, test.*, optional dev.*). GLOVE is glove.840B.300d.txt. Data sets
that are missing are skipped (and said so). Not run in CI: it needs the real data and hours.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from tpc.train import TrainOptions, train

NER = dict(
    task="conll",
    layers=2,
    cat_heads=8,
    num_heads=0,
    cat_mlps=1,
    num_mlps=0,
    dropout=0.5,
    batch_size=32,
    lr=1e-2,
    epochs=50,
)
CLASSIFY = dict(
    task="classify",
    layers=2,
    cat_heads=4,
    num_heads=0,
    cat_mlps=1,
    num_mlps=0,
    batch_size=128,
    lr=5e-2,
    epochs=10,
)
# directory -> (settings, the paper's Transformer Program figure)
ROWS = {
    "conll2003": (NER, "P/R/F1 81.0 / 71.8 / 76.1"),
    "trec": (CLASSIFY, "accuracy 85.6"),
    "mr": (CLASSIFY, "accuracy 77.9"),
    "subj": (CLASSIFY, "accuracy 93.0"),
    "agnews": (CLASSIFY, "accuracy 90.8"),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("glove")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument(
        "--epochs-scale", type=float, default=1.0, help="Fewer epochs for a quick look."
    )
    ap.add_argument("--device", default="auto")
    args = ap.parse_args()
    print("| data | seed | tpc test | paper |\n|---|---|---|---|")
    for name, (settings, paper) in ROWS.items():
        if not (args.data_dir / name).is_dir():
            print(f"| {name} | - | (no {args.data_dir / name}) | {paper} |")
            continue
        for seed in args.seeds:
            epochs = max(1, round(settings["epochs"] * args.epochs_scale))
            opts = TrainOptions(
                **{**settings, "epochs": epochs},
                data=str(args.data_dir / name),
                glove=args.glove,
                seed=seed,
                device=args.device,
            )
            with tempfile.TemporaryDirectory() as out:
                m = train(opts, out, progress=False)
            got = (
                f"P/R/F1 {100 * m['test_precision']:.1f} / {100 * m['test_recall']:.1f} / "
                f"{100 * m['test_f1']:.1f}"
                if settings is NER
                else f"accuracy {100 * m['test_acc']:.1f}"
            )
            print(f"| {name} | {seed} | {got} | {paper} |", flush=True)


if __name__ == "__main__":
    main()
