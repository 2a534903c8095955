"""Sequences per second of `tpc verify`'s exhaustive checks (CPU, the machine's torch threads).

    python benchmarks/verify_speed.py [--max-len 8] [--vocab "0 1 2 3 4"] [--checkpoint PATH]

1. interpreter vs interpreter: examples/rasp/sort.rasp against its own IR JSON, vocabulary
   0..4, lengths 0..8 (488,281 inputs), both sides through `tpc.interp`;
2. interpreter vs emitted Python on a smaller range (lengths 0..6), for scale;
3. checkpoint vs program: a checkpoint (--checkpoint, else examples/models/sort/model.pt, else
   a random model of the paper's `sort` shape: 3 layers, 4+4 heads, 2+2 MLPs of width 64) with
   8 positions (6 tokens, up to 7 after BOS: 335,923 inputs) against its lifted program
   (`tpc.lift.lift_checkpoint`, unoptimized) when it exists, else against itself.

Rates count each input once (both sides evaluated).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import torch

from tpc.verify import verify

ROOT = Path(__file__).resolve().parent.parent


def _report(name: str, result) -> None:
    state = "equivalent" if result.equivalent else "DIFFER"
    print(f"{name:<40} {result.inputs:>9} inputs {result.seconds:8.2f} s "
          f"{result.rate:>10,.0f} sequences/s  ({result.mode}, {state})")


def _random_sort_model(path: Path) -> Path:
    from tpc.model.checkpoint import save_checkpoint
    from tpc.model.config import ModelConfig
    from tpc.model.learned import TransformerProgram

    tokens = ("<pad>", "0", "1", "2", "3", "4", "</s>", "<s>")
    labels = ("<pad>", "0", "1", "2", "3", "4")
    torch.manual_seed(0)
    cfg = ModelConfig(vocab_size=len(tokens), n_classes=len(labels), n_ctx=8, d_var=8, n_layers=3,
                      n_heads_cat=4, n_heads_num=4, n_cat_mlps=2, n_num_mlps=2, d_mlp=64,
                      masked_classes=(0,))
    save_checkpoint(path, TransformerProgram(cfg), tokens=tokens, labels=labels, task="sort")
    return path


def _lifted(checkpoint: Path, tmp: Path):
    try:
        from tpc.lift import lift_checkpoint as lift
    except ImportError:
        return None
    from tpc.ir import to_json

    out = tmp / "lifted.json"
    out.write_text(to_json(lift(checkpoint)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-len", type=int, default=8)
    ap.add_argument("--vocab", default="0 1 2 3 4")
    ap.add_argument("--checkpoint", type=Path, default=None)
    args = ap.parse_args()
    from tpc.backends.python import to_python
    from tpc.load import parse_tokens
    from tpc.frontend import rasp_file_to_ir
    from tpc.ir import to_json

    print(f"torch threads: {torch.get_num_threads()}")
    vocab = parse_tokens(args.vocab)
    sort = ROOT / "examples" / "rasp" / "sort.rasp"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        program = rasp_file_to_ir(sort, vocab=vocab, max_len=args.max_len)
        (tmp / "sort.json").write_text(to_json(program))
        (tmp / "sort.py").write_text(to_python(program))
        _report(f"sort.rasp vs sort.json (V={len(vocab)}, L<={args.max_len})",
                verify(sort, tmp / "sort.json"))
        short = min(args.max_len, 6)
        _report(f"sort.json vs sort.py (L<={short})", verify(tmp / "sort.json", tmp / "sort.py", max_len=short))

        trained = ROOT / "examples" / "models" / "sort" / "model.pt"
        ckpt = args.checkpoint or (trained if trained.is_file() else None)
        ckpt = ckpt or _random_sort_model(tmp / "random_sort.pt")
        other = _lifted(ckpt, tmp)
        name = "lifted program" if other is not None else "itself"
        label = f"{ckpt.parent.name}/{ckpt.name}"
        _report(f"{label} vs {name}", verify(ckpt, other or ckpt))
    return 0


if __name__ == "__main__":
    sys.exit(main())
