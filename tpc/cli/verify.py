"""`tpc verify`: do two artifacts (models, programs, emitted modules) compute the same outputs?"""

from __future__ import annotations

import json
import sys

import click

from tpc.cli.shared import Int, tokens_option
from tpc.verify import verify as check


@click.command()
@click.argument("a", type=click.Path())
@click.argument("b", type=click.Path())
@click.option("--max-len", type=Int(min=0), metavar="N",
              help="Longest input checked, in tokens after BOS. [the shorter side's maximum]")
@click.option("--min-len", type=Int(min=0), default=0, show_default=True, metavar="N",
              help="Shortest input checked.")
@click.option("--vocab", metavar="TOKENS",
              help="Tokens to check over, split like `tpc run --input`. [a checkpoint's, else the sides' own]")
@click.option("--samples", type=Int(min=1), default=2000, show_default=True,
              help="Random inputs to check when exhaustive checking is too big.")
@click.option("--seed", type=Int(), default=0, show_default=True, help="Seed of the random inputs.")
@click.option("--exhaustive-limit", type=Int(min=0), default=2_000_000, show_default=True,
              help="Check every input when there are at most this many.")
@click.option("--output-name", "output", metavar="NAME",
              help="The output to compare. [all shared outputs, else the main ones]")
@click.option("--json", "as_json", is_flag=True, help="Print the result as a JSON object.")
def verify(a, b, max_len, min_len, vocab, samples, seed, exhaustive_limit, output, as_json):
    """Check that A and B compute the same outputs; exit 0 if they do, 1 if not.

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
    Example:
      tpc verify examples/rasp/sort.rasp sort.py --vocab "0 1 2 3 4" --max-len 6
    """
    result = check(a, b, max_len=max_len, min_len=min_len, vocab=tokens_option(vocab), samples=samples,
                   seed=seed, exhaustive_limit=exhaustive_limit, output=output)
    click.echo(json.dumps(result.to_dict()) if as_json else result.summary())
    sys.exit(0 if result.equivalent else 1)
