"""Lift a text model at the paper's scale and check the lift on every test sentence: prints the
lift's seconds (wall and CPU), the process's peak memory, and how many test sentences the
lifted program (interpreted, -O1) labels exactly as the model does.

    python benchmarks/lift_text_scale.py MODEL DATA_DIR [--untrained conll|classify [--paper-ner]]
        [--python MODULE.py]

MODEL is a checkpoint `tpc train --task conll|classify --data DATA_DIR` wrote. With
--untrained TASK, MODEL is written first: a model of the task's default architecture and of
the data's full vocabulary and length, with its initial (random) weights, whose lift costs
what a trained one's does (the tables' sizes depend on the vocabulary, the lengths and which
variables each module reads, not on training). Data: benchmarks/make_conll_scale.py writes a
CoNLL-2003-sized set. --python: also run the module `tpc lift MODEL -o MODULE.py` wrote on
every test sentence and count those it labels exactly as the model does.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import torch
from tpc.passes import optimize

from tpc.backends.python import load_module
from tpc.interp import Interpreter
from tpc.lift import lift_checkpoint, load_model
from tpc.model.checkpoint import save_checkpoint
from tpc.model.learned import TransformerProgram
from tpc.train.options import TrainOptions
from tpc.train.setup import build_config, load_data

# The paper's scripts/conll.sh architecture (its sizes, as `tpc train` options).
PAPER_NER = dict(layers=2, cat_heads=8, num_heads=0, cat_mlps=1, num_mlps=0, embed_vars=4)


def write_untrained(task: str, data_dir: str, path: str, paper: bool) -> None:
    sizes = PAPER_NER if paper else {}
    opts = TrainOptions(task=task, data=data_dir, max_length=64, **sizes).with_task_defaults()
    data = load_data(opts)
    torch.manual_seed(0)
    model = TransformerProgram(build_config(opts, data)).eval()
    save_checkpoint(path, model, tokens=data.tokens, labels=data.labels, task=task)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("data")
    parser.add_argument("--untrained", choices=["conll", "classify"])
    parser.add_argument(
        "--paper-ner", action="store_true", help="--untrained: the paper's NER sizes"
    )
    parser.add_argument("--python", metavar="MODULE.py", help="also check this emitted module")
    args = parser.parse_args()
    if args.untrained:
        write_untrained(args.untrained, args.data, args.model, args.paper_ner)
    loaded = load_model(args.model)
    wall, cpu = time.perf_counter(), time.process_time()
    program = optimize(lift_checkpoint(args.model), 1)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"lift -O1: {wall:.1f} s wall, {cpu:.1f} s CPU; peak memory {peak:.0f} MB; "
        f"{len(program.nodes)} nodes"
    )
    words = loaded.model.cfg.n_ctx - 2  # BOS and EOS
    opts = TrainOptions(task=loaded.task, data=args.data, max_length=words)
    data = load_data(opts.with_task_defaults())
    x = data.test.x
    lengths = (x != 0).sum(1).tolist()
    sentences = [[data.tokens[i] for i in row[:n]] for row, n in zip(x.tolist(), lengths)]
    predicted = [row for batch in x.split(256) for row in loaded.model.predict(batch).tolist()]
    want = [[loaded.labels[c] for c in row[:n]] for row, n in zip(predicted, lengths)]
    got = Interpreter(program).run(sentences)["output"]
    same = sum(g == w for g, w in zip(got, want))
    print(f"test sentences: {same} of {len(want)} labelled exactly as the model labels them")
    if args.python:
        wall, cpu = time.perf_counter(), time.process_time()
        module = load_module(Path(args.python).read_text(), "lifted")
        same = sum(module.run(s) == w for s, w in zip(sentences, want))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"{args.python}: {same} of {len(want)} test sentences labelled exactly as the model "
            f"labels them ({wall:.1f} s wall, {cpu:.1f} s CPU, import included)"
        )


if __name__ == "__main__":
    main()
