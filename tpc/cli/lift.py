"""`tpc lift`: a model's weights -> the program it computes."""

from __future__ import annotations

import click

from tpc.artifact import TARGETS, render
from tpc.artifact import lift as lift_model
from tpc.cli.runtime import NO_CACHE, THREADS
from tpc.cli.shared import LEVEL, TEXT_OUTPUT, write_output
from tpc.lift.bounds import MAX_TABLE_ROWS
from tpc.passes import PASSES


@click.command()
@click.argument("model", type=click.Path(exists=True))
@TEXT_OUTPUT
@click.option(
    "--to",
    "target",
    type=click.Choice(TARGETS),
    default="python",
    show_default=True,
    help="What to write (see `tpc emit --help`).",
)
@LEVEL
@click.option(
    "--print-after",
    multiple=True,
    metavar="PASS",
    help="Print the program as RASP text on stderr after each run of PASS "
    f"({', '.join(PASSES)}); repeatable.",
)
@click.option(
    "--max-table-rows",
    type=click.IntRange(1),
    default=None,
    help="Most rows of one MLP's lookup table (a row for every combination of its "
    "inputs' values; about 2 KB of memory each) "
    f"[default: {MAX_TABLE_ROWS:,}]. A model past it stops with an error naming "
    "the MLP before anything is built.",
)
@NO_CACHE
@THREADS
def lift(model, out, target, level, print_after, max_table_rows):
    """Lift MODEL's weights into a program that computes exactly what the model computes.

    \b
    MODEL is a checkpoint written by `tpc train` or `tpc compile`, or a run of the paper's
    reference code: its model.pt with args.json (and optionally vocab.json) beside it, or
    that directory. Files are loaded with torch.load(weights_only=True) only.

    \b
    The program takes the model's input with BOS first ("<s> 3 1 2 </s>") and returns the
    model's argmax label at every position, BOS included. Every attention head becomes a
    select + aggregate, every MLP a lookup table computed by running the MLP on each input
    its inputs can actually take, and the unembedding a sum of score tables. A summary line
    (modules kept / removed, lines written) goes to stderr.

    \b
    Examples:
      tpc lift runs/sort/model.pt -o sort.py
      python -c "import sort; print(sort.run(['<s>', '3', '1', '</s>']))"
      tpc lift ../shared/reference/hist --to rasp
    """
    unknown = [p for p in print_after if p not in PASSES]
    if unknown:
        raise click.BadParameter(
            f"unknown pass {unknown[0]!r} (passes: {', '.join(PASSES)})", param_hint="--print-after"
        )

    def printer(name, program):
        click.echo(f"# --- after {name} ---\n{render(program, 'rasp')}", err=True)

    announce = lambda name: click.echo(
        f"-O{level}: {name} (proofs over every input of the domain: "  # noqa: E731
        "minutes on a 3-layer model)",
        err=True,
    )
    lifted = lift_model(model, level, print_after, printer, announce, max_table_rows)
    text = render(lifted.program, target)
    write_output(out, text)
    where = "stdout" if out == "-" else out
    click.echo(f"{lifted.summary}; {len(text.splitlines())} lines -> {where}", err=True)
