"""`tpc repair`: fine-tune a model on its spec's counterexamples until it is correct."""

from __future__ import annotations

import click

from tpc.cli.runtime import NO_CACHE, THREADS
from tpc.cli.shared import EXHAUSTIVE_LIMIT, WORKERS, Float, Int, samples_option
from tpc.tasks.registry import task_names


@click.command()
@click.argument("model", type=click.Path(exists=True))
@click.argument("spec", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--task",
    metavar="TASK",
    help="The model's task (its input convention and training data): "
    f"{', '.join(task_names(spec=True))}, or spec:FILE.rasp / data:FILE.jsonl. "
    "[the checkpoint's own]",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False),
    help="Directory for model.pt, program.py and metrics.json.",
)
@click.option(
    "--rounds",
    type=Int(0, 1000),
    default=10,
    show_default=True,
    help="Fine-tuning rounds at most, each followed by a check of the whole domain.",
)
@click.option(
    "--epochs",
    type=Int(1, 100_000),
    default=10,
    show_default=True,
    help="Epochs of fine-tuning per round at most; each is checked, the round keeps its best "
    "and ends at the first worse one (not in a round that grew the model).",
)
@click.option("--lr", type=Float(0, 100, min_open=True), default=1e-2, show_default=True)
@click.option("--tau-init", type=Float(0, 1000, min_open=True), default=0.5, show_default=True)
@click.option("--tau-end", type=Float(0, 1000, min_open=True), default=0.01, show_default=True)
@click.option("--batch-size", type=Int(1, 1_000_000), default=512, show_default=True)
@click.option(
    "--oversample",
    type=Int(1, 1000),
    default=4,
    show_default=True,
    help="Copies of each counterexample per epoch, beside the task's training data.",
)
@click.option(
    "--focus",
    type=Float(0, 0.9),
    default=0.1,
    show_default=True,
    help="The inputs the best model so far fails are repeated until they are at least "
    "this share of an epoch.",
)
@click.option(
    "--readout-steps",
    type=Int(0, 1_000_000),
    default=500,
    show_default=True,
    help="Full-batch steps refitting the readout alone on the model's exact variables after "
    "each fine-tune (round 1: the readout alone, no fine-tune); 0: fine-tuning only.",
)
@click.option(
    "--readout-lr",
    type=Float(0, 100, min_open=True),
    default=0.05,
    show_default=True,
    help="Adam's learning rate for the readout refit.",
)
@click.option(
    "--exact-readout/--no-exact-readout",
    default=True,
    show_default=True,
    help="Where the check is exhaustive, finish each readout refit with a linear program "
    "over every position of the domain (HiGHS): right wherever the variables allow.",
)
@click.option(
    "--dataset-size",
    type=Int(10, 1_000_000),
    default=20000,
    show_default=True,
    help="Examples generated for the task's training data (81% train).",
)
@click.option("--seed", type=Int(0, 2**32 - 1), default=0, show_default=True)
@click.option(
    "--freeze",
    multiple=True,
    metavar="MODULE",
    help="Keep this module's weights (L0, L1.cat_head2, readout, ...); repeatable.",
)
@click.option(
    "--grow",
    is_flag=True,
    help="When --patience rounds bring no better check, add modules that keep the "
    "program (numerical heads and an MLP per layer, then a layer) and go on.",
)
@click.option("--patience", type=Int(1, 1000), default=2, show_default=True)
@click.option(
    "--max-len",
    type=Int(0, 256),
    default=None,
    metavar="N",
    help="Check inputs up to N tokens. [the model's whole domain]",
)
@EXHAUSTIVE_LIMIT
@samples_option(100_000)
@WORKERS
@click.option(
    "--smt-len",
    type=Int(0, 256),
    default=None,
    metavar="N",
    help="Finally prove the result with --method smt on lengths up to N (needs z3-solver).",
)
@NO_CACHE
@THREADS
def repair(model, spec, output, **options):
    """Repair MODEL against SPEC until it is correct on every input of its domain.

    \b
    Rounds of: check the model against SPEC (a RASP program over the task's plain input, as
    `tpc verify --task` reads it) on every input up to the model's longest; fine-tune it
    (tpc's discrete training, from its own weights) on the task's training data plus every
    failing input so far, labelled by SPEC; check again. Stops when no input fails or after
    --rounds. One line per round. -o gets model.pt (the best round: never worse than any
    round, the original included), program.py (its lifted program, checked equal to it on
    every input) and metrics.json (the per-round history, the modules whose tables changed).

    \b
    Examples:
      tpc repair ../shared/reference/sort examples/specs/sort.rasp -o runs/sort-repaired
      tpc repair runs/mine/model.pt examples/specs/sort.rasp -o runs/fixed
    """
    from tpc.repair import RepairOptions  # lazy: torch
    from tpc.repair import repair as run

    log = lambda line: click.echo(line, err=True)  # noqa: E731
    metrics = run(model, spec, RepairOptions(**options), output, log=log)
    verdict = (
        "correct on all"
        if metrics["failing_inputs"] == 0
        else f"{metrics['failing_inputs']} failing of"
    )
    click.echo(
        f"{verdict} {metrics['inputs']} inputs (was {metrics['original_failing_inputs']} "
        f"failing); best round {metrics['best_round']}; {output}/model.pt"
    )
