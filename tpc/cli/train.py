"""`tpc train`: train a Transformer Program on a task."""

from __future__ import annotations

import click


@click.command()
@click.option("--task", required=True,
              help="reverse, hist, double_hist, sort, most_freq, dyck1, dyck2, induction (generated); "
                   "conll, classify (text files: --data)")
@click.option("--data", type=click.Path(file_okay=False), default=None,
              help="conll: DIR with train.txt, valid.txt (or dev.txt), test.txt in CoNLL-2003 columns. "
                   "classify: DIR with train.*, test.* and optionally valid.* / dev.* (.tsv, .csv or .jsonl).")
@click.option("--glove", type=click.Path(dir_okay=False), default=None,
              help="Text tasks: initialise the word embeddings from these GloVe vectors (text format).")
@click.option("--vocab-size", type=int, default=None,
              help="Including special tokens [task default: 8]; text tasks: the most frequent training words kept [10000].")
@click.option("--max-length", type=int, default=None,
              help="[task default: 8; Dyck 16]; text tasks: most words per sentence, longer ones left out [conll 30, classify 62]")
@click.option("--min-length", type=int, default=None, help="[task default: 1; Dyck 16]")
@click.option("--layers", type=int, default=3, show_default=True)
@click.option("--cat-heads", type=int, default=4, show_default=True)
@click.option("--num-heads", type=int, default=4, show_default=True)
@click.option("--cat-mlps", type=int, default=2, show_default=True)
@click.option("--num-mlps", type=int, default=2, show_default=True)
@click.option("--mlp-vars-in", type=int, default=2, show_default=True)
@click.option("--d-var", type=int, default=None, help="[default: max(vocabulary, context)]")
@click.option("--mlp-width", type=int, default=64, show_default=True)
@click.option("--embed-vars", type=int, default=None,
              help="Learned categorical token embeddings with this many variables (the paper's NLP "
                   "setting) instead of the one-hot token variable (0). [text tasks 4, else 0]")
@click.option("--dropout", type=float, default=0.0, show_default=True,
              help="Dropout on MLP hidden units while training (the paper's NER: 0.5).")
@click.option("--causal/--no-causal", default=None, help="[task default]")
@click.option("--epochs", type=int, default=250, show_default=True)
@click.option("--batch-size", type=int, default=512, show_default=True)
@click.option("--lr", type=float, default=5e-2, show_default=True)
@click.option("--tau-init", type=float, default=3.0, show_default=True)
@click.option("--tau-end", type=float, default=0.01, show_default=True)
@click.option("--dataset-size", type=int, default=20000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--init", type=click.Path(dir_okay=False), default=None,
              help="Start from this checkpoint (its weights and architecture, e.g. one written by "
                   "`tpc compile`; the size options are then ignored). Its tokens and labels must be the task's.")
@click.option("--checkpoint-every", type=int, default=10, show_default=True, help="Epochs.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True,
              help="Where to train: auto is cuda when torch sees a GPU, else cpu.")
@click.option("--threads", type=int, default=1, show_default=True,
              help="Torch threads per process (results are bit-identical only at equal threads).")
@click.option("--resume", is_flag=True, help="Continue the run in -o from its last checkpoint.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Run directory.")
def train(output, resume, quiet, threads, **options):
    """Train a Transformer Program; writes model.pt and metrics.json to -o.

    \b
    Synthetic tasks are generated as the paper's reference code does; conll and classify read
    the files in --data (docs/cli.md: formats, tokenization, the paper's NLP settings). The
    defaults are the paper's for the synthetic tasks.
    -o also gets resume.pt every --checkpoint-every epochs (see --resume). Several processes:
    torchrun --nproc_per_node 2 -m tpc.cli train ...

    \b
    Examples:
      tpc train --task sort --layers 3 --epochs 250 -o runs/sort
      tpc train --task conll --data examples/nlp/conll --epochs 5 -o runs/ner
    """
    from tpc.train import TrainOptions, train as run  # lazy: torch, only commands that run a model load it

    metrics = run(TrainOptions(**options), output, resume=resume, progress=not quiet, threads=threads)
    click.echo(" ".join(f"{k}={v:.4f}" for k, v in metrics.items() if k.endswith(("_acc", "_f1"))))
