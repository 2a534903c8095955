"""`tpc ablate`: the accuracy without each head, MLP and readout term; the modules that can go."""

from __future__ import annotations

import json

import click

from tpc.artifact import Choices, load
from tpc.cli.runtime import NO_CACHE, THREADS
from tpc.cli.shared import MAX_LEN, VOCAB, tokens_option
from tpc.cli.trace import ARTIFACT, LEVEL
from tpc.ir import to_plain


@click.command()
@ARTIFACT
@click.option("--task", metavar="TASK", help="Score on this task's test split (sort, hist, ...).")
@click.option("--inputs", "inputs_file", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="Score on these inputs: one per line, split like --input; optionally a tab and the "
                   "expected outputs (else the intact program's outputs are the reference).")
@click.option("--vocab-size", type=int, default=None, help="Task data: as `tpc train`. [task default]")
@click.option("--max-length", type=int, default=None, help="Task data: as `tpc train`. [task default]")
@click.option("--min-length", type=int, default=None, help="Task data: as `tpc train`. [task default]")
@click.option("--dataset-size", type=click.IntRange(min=10), default=10000, show_default=True,
              help="Task data: examples before the split (the paper's runs used 10000).")
@click.option("--seed", type=int, default=0, show_default=True, help="Task data: its seed.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--png", "png_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also write a bar chart of the accuracies (needs matplotlib).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@LEVEL
@VOCAB
@MAX_LEN
@NO_CACHE
@THREADS
def ablate(artifact, task, inputs_file, vocab_size, max_length, min_length, dataset_size, seed, as_json,
           png_file, quiet, level, vocab, max_len):
    """Find the circuit of ARTIFACT: what each module contributes to its accuracy on a data set.

    \b
    ARTIFACT: a model (checkpoint or run directory of the paper's code), .rasp, IR .json or a
    tracr .py.
    For every attention head and MLP, its output is replaced by the value it takes most often
    on the data (the categorical analogue of mean ablation); for every readout term, the term
    is dropped. Printed: each module's accuracy with it ablated and the drop from the intact
    accuracy, worst first; the modules whose ablation costs nothing (removable) and the
    accuracy with all of them ablated at once; then a coverage report: how many rows of each
    MLP table and how many pairs of each predicate the data ever uses.

    \b
    Accuracy is over labelled positions (the task's non-padding labels, or the labels given
    in --inputs); without labels, agreement with the intact program's output.

    \b
    Examples:
      tpc ablate ../shared/reference/sort --task sort --png sort-ablation.png
      tpc ablate examples/rasp/sort.rasp --inputs inputs.txt --json
    """
    from tpc.errors import TpcError
    from tpc.inspect.ablate import Scorer, ablate as run_ablation, units
    from tpc.inspect.coverage import coverage
    from tpc.inspect.data import file_examples, task_examples
    from tpc.inspect.text import show, table
    from tpc.train.progress import Progress

    if (task is None) == (inputs_file is None):
        raise TpcError("give exactly one of --task TASK and --inputs FILE")
    program = load(artifact, Choices(tokens_option(vocab), max_len, level=level))
    if task is not None:
        examples = task_examples(program, task, vocab_size, max_length, min_length, dataset_size, seed)
    else:
        examples = file_examples(program, inputs_file)
    scorer = Scorer(program, examples)
    bar = Progress(len(units(program)), enabled=not quiet and not as_json, unit="ablation")
    result = run_ablation(program, scorer, lambda done: bar.update(done))
    bar.close()
    result["coverage"] = coverage(program, scorer.env, scorer.valid)
    if png_file:
        from tpc.inspect.pictures import ablation_bars

        ablation_bars(result["modules"], result["accuracy"], png_file)
    if as_json:
        click.echo(json.dumps(to_plain(result)))
        return
    click.echo(f"{result['examples']} inputs, {result['positions']} positions scored against "
               f"{result['against']}; intact accuracy {result['accuracy']:.4f}")
    rows = [[r["module"], r["kind"], show(r["value"]) if r["kind"] != "term" else "(dropped)",
             f"{r['accuracy']:.4f}", f"{r['drop']:+.4f}"] for r in result["modules"]]
    click.echo("\n".join(table(["module", "kind", "replaced by", "accuracy", "drop"], rows)))
    click.echo(f"removable ({len(result['removable'])}): {' '.join(result['removable']) or 'none'}")
    if result["removable"]:
        click.echo(f"accuracy with all removable modules ablated together: "
                   f"{result['removable_together_accuracy']:.4f}")
    click.echo("coverage:")
    for c in result["coverage"]:
        click.echo(f"  {c['name']}: {c['used']}/{c['total']} {c['what']} used")
    if png_file:
        click.echo(f"wrote {png_file}", err=True)
