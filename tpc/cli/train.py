"""`tpc train`: train a Transformer Program on a task."""

from __future__ import annotations

import click

from tpc.cli.shared import Float, Int
from tpc.tasks.registry import describe_default, task_names

# Upper bounds keep one run within a few GB of memory; each error names the limit it hit.
SIZE = Int(1, 64)
COUNT = Int(0, 64)


def default(option: str, text: str = "") -> str:
    """`text` and the tasks' defaults for `option` (tpc.tasks.registry)."""
    return f"{text} [default: {describe_default(option)}]".strip()


@click.command()
@click.option(
    "--task",
    required=True,
    help=f"{', '.join(task_names(text=False))} (generated); "
    f"{', '.join(task_names(text=True))} (text files: --data). Or your own: "
    "spec:FILE.rasp (inputs labelled by a RASP spec) or data:FILE.jsonl (your "
    "examples).",
)
@click.option(
    "--data",
    type=click.Path(file_okay=False),
    default=None,
    help="conll: DIR with train.txt, valid.txt (or dev.txt), test.txt in CoNLL-2003 columns. "
    "classify: DIR with train.*, test.* and optionally valid.* / dev.* (.tsv, .csv or .jsonl). "
    "hf:NAME: the Hugging Face hub's data set NAME (needs `datasets` and the network).",
)
@click.option(
    "--glove",
    type=click.Path(dir_okay=False),
    default=None,
    help="Text tasks: initialise the word embeddings from these GloVe vectors (text format).",
)
@click.option(
    "--vocab-size",
    type=Int(1, 100_000),
    default=None,
    help=default(
        "vocab_size", "Including special tokens; text tasks: the most frequent training words kept."
    ),
)
@click.option(
    "--max-len",
    "--max-length",
    "max_length",
    type=Int(2, 256),
    default=None,
    help=default(
        "max_length",
        "The longest input, in tokens (--max-length: the old "
        "spelling); text tasks: most words per sentence, longer ones left out.",
    ),
)
@click.option(
    "--min-len",
    "--min-length",
    "min_length",
    type=Int(1, 256),
    default=None,
    help=default("min_length", "The shortest input (--min-length: the old spelling)."),
)
@click.option("--layers", type=SIZE, help=default("layers"))
@click.option("--cat-heads", type=COUNT, help=default("cat_heads"))
@click.option("--num-heads", type=COUNT, help=default("num_heads"))
@click.option("--cat-mlps", type=COUNT, help=default("cat_mlps"))
@click.option("--num-mlps", type=COUNT, help=default("num_mlps"))
@click.option("--mlp-vars-in", type=Int(1, 8), help=default("mlp_vars_in"))
@click.option("--d-var", type=Int(1, 1024), help=default("d_var"))
@click.option("--mlp-width", type=Int(1, 4096), help=default("mlp_width"))
@click.option(
    "--embed-vars",
    type=COUNT,
    default=None,
    help=default(
        "embed_vars",
        "Learned categorical token embeddings with this many "
        "variables (the paper's NLP setting) instead of the one-hot token "
        "variable (0).",
    ),
)
@click.option(
    "--dropout",
    type=Float(0, 1, max_open=True),
    help=default("dropout", "Dropout on MLP hidden units while training (the paper's NER: 0.5)."),
)
@click.option("--causal/--no-causal", default=None, help=default("causal"))
@click.option("--epochs", type=Int(1, 1_000_000), help=default("epochs"))
@click.option("--batch-size", type=Int(1, 1_000_000), help=default("batch_size"))
@click.option("--lr", type=Float(0, 100, min_open=True), help=default("lr"))
@click.option("--tau-init", type=Float(0, 1000, min_open=True), help=default("tau_init"))
@click.option("--tau-end", type=Float(0, 1000, min_open=True), help=default("tau_end"))
@click.option("--dataset-size", type=Int(10, 1_000_000), help=default("dataset_size"))
@click.option("--seed", type=Int(0, 2**32 - 1), default=0, show_default=True)
@click.option(
    "--init",
    type=click.Path(dir_okay=False),
    default=None,
    help="Start from this checkpoint (its weights and architecture, e.g. one written by "
    "`tpc compile`; the size options are then ignored). Its tokens and labels must be the task's.",
)
@click.option(
    "--checkpoint-every",
    type=Int(1, 1_000_000),
    default=1,
    show_default=True,
    help="Epochs between resumable checkpoints (a killed run loses at most these).",
)
@click.option(
    "--device",
    type=click.Choice(["auto", "cpu", "cuda"]),
    default="auto",
    show_default=True,
    help="Where to train: auto is cuda when torch sees a GPU, else cpu.",
)
@click.option(
    "--threads",
    type=Int(1, 256),
    default=1,
    show_default=True,
    help="Torch threads per process (results are bit-identical only at equal threads).",
)
@click.option("--resume", is_flag=True, help="Continue the run in -o from its last checkpoint.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "-o", "--output", required=True, type=click.Path(file_okay=False), help="Run directory."
)
def train(output, resume, quiet, threads, **options):
    """Train a Transformer Program; writes model.pt and metrics.json to -o.

    \b
    Synthetic tasks are generated as the paper's reference code does; conll and classify read
    the files in --data (docs/cli.md: formats, tokenization, the paper's NLP settings). A
    default that differs between tasks lists those that differ; the synthetic tasks' are the
    paper's.
    -o also gets resume.pt after every --checkpoint-every epochs, written atomically (a run
    killed at any point continues with --resume, losing at most the epochs since). Several
    processes (--standalone picks a free port):
    torchrun --standalone --nproc_per_node 2 -m tpc.cli train ...

    \b
    Examples:
      tpc train --task sort --layers 3 --epochs 250 -o runs/sort
      tpc train --task conll --data examples/nlp/conll --epochs 5 -o runs/ner
    """
    from tpc.train import (
        TrainOptions,
    )  # lazy: torch, only commands that run a model load it
    from tpc.train import (
        train as run,
    )

    metrics = run(
        TrainOptions(**options), output, resume=resume, progress=not quiet, threads=threads
    )
    click.echo(" ".join(f"{k}={v:.4f}" for k, v in metrics.items() if k.endswith(("_acc", "_f1"))))
