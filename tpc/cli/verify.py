"""`tpc verify`: do two artifacts (models, programs, emitted modules) compute the same outputs?"""

from __future__ import annotations

import json
import sys

import click

from tpc.cli.runtime import THREADS
from tpc.cli.shared import EXHAUSTIVE_LIMIT, WORKERS, Float, Int, samples_option, tokens_option
from tpc.tasks.registry import task_names
from tpc.verify import verify as check
from tpc.verify.progress import PROGRESS_INPUTS

SMT_TIMEOUT = 600  # seconds: an SMT check ends with `unknown` (exit 3), never runs unseen for hours


@click.command()
@click.argument("a", type=click.Path())
@click.argument("b", type=click.Path())
@click.option(
    "--max-len",
    type=Int(min=0),
    metavar="N",
    help="Longest input checked, in tokens after BOS. [the shorter side's maximum]",
)
@click.option(
    "--min-len",
    type=Int(min=0),
    default=0,
    show_default=True,
    metavar="N",
    help="Shortest input checked.",
)
@click.option(
    "--vocab",
    metavar="TOKENS",
    help="Tokens to check over, split like `tpc run --input`. "
    "[a checkpoint's, else the sides' own]",
)
@samples_option(2000)
@click.option(
    "--seed",
    type=Int(0, 2**32 - 1),
    default=0,
    show_default=True,
    help="Seed of the random inputs (0..2^32-1).",
)
@EXHAUSTIVE_LIMIT
@click.option(
    "--output-name",
    "output",
    metavar="NAME",
    help="The output to compare. [all shared outputs, else the main ones]",
)
@click.option(
    "--task",
    metavar="TASK",
    help="Check model A against B, a spec of TASK: a RASP program over the task's plain "
    f"input ({', '.join(task_names(spec=True))}), or a convention for other "
    "models: bos (<s> first), bos-eos (and </s> last).",
)
@WORKERS
@click.option(
    "--method",
    type=click.Choice(["search", "smt"]),
    default="search",
    show_default=True,
    help="search: run every input (or --samples when too many); smt: ask Z3, length by "
    "length, for an input where they differ (needs z3-solver): a proof or a replayed "
    "counterexample.",
)
@click.option(
    "--timeout",
    type=Float(0, 1e6, min_open=True),
    metavar="SECONDS",
    help=f"--method smt: stop with `unknown` (exit 3) after this long. [{SMT_TIMEOUT}]",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="A line per length on stderr. [on a terminal, for checks of more than "
    f"{PROGRESS_INPUTS:,} inputs and for --method smt]",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as a JSON object.")
@THREADS
def verify(
    a,
    b,
    max_len,
    min_len,
    vocab,
    samples,
    seed,
    exhaustive_limit,
    output,
    task,
    workers,
    method,
    timeout,
    progress,
    as_json,
):
    """Check that A and B compute the same outputs; exit 0 if they do, 1 if not (3: unknown).

    \b
    A and B are each a model (a checkpoint .pt, or a run of the paper's code: its directory, or
    its model.pt with args.json beside it, as `tpc lift` reads them), a RASP program (.rasp), an
    emitted Python module (.py) or IR JSON (.json). Every input of lengths --min-len..--max-len
    is checked when there are at most --exhaustive-limit of them, else --samples random ones
    (shrunk to a small counterexample). Prints the inputs checked and `equivalent`, or the
    smallest differing input with both outputs. A compiled checkpoint compares its program's
    typed values; against a trained model values compare by str(). A RASP-style side's outputs
    line up with the model's positions after BOS (see docs/cli.md).

    \b
    With --task, A is a model of that task and B its spec (examples/specs/): the spec sees
    the plain input (no <s>, no </s>) and every input is counted; prints `correct on all N
    inputs up to length L`, or the number of failing inputs and positions and the shortest
    failing input (then the first in vocabulary order), replayed through the model, with
    both outputs and ^ under each differing position.

    \b
    Examples:
      tpc verify examples/rasp/sort.rasp sort.py --vocab "0 1 2 3 4" --max-len 6
      tpc verify ../shared/reference/sort examples/specs/sort.rasp --task sort
    """
    if method == "smt":
        from tpc.verify.smt import smt_verify

        result = smt_verify(
            a,
            b,
            max_len=max_len,
            min_len=min_len,
            vocab=tokens_option(vocab),
            output=output,
            task=task,
            progress=progress,
            timeout=SMT_TIMEOUT if timeout is None else timeout,
        )
        click.echo(json.dumps(result.to_dict()) if as_json else result.summary())
        sys.exit({"equivalent": 0, "differ": 1}.get(result.verdict, 3))
    result = check(
        a,
        b,
        max_len=max_len,
        min_len=min_len,
        vocab=tokens_option(vocab),
        samples=samples,
        seed=seed,
        exhaustive_limit=exhaustive_limit,
        output=output,
        task=task,
        workers=workers,
        progress=progress,
    )
    click.echo(json.dumps(result.to_dict()) if as_json else result.summary())
    sys.exit(0 if result.equivalent else 1)
