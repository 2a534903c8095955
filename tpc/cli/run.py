"""`tpc run`: one input through a program, its output values printed."""

from __future__ import annotations

import json

import click

from tpc.artifact import run_input
from tpc.cli.shared import OUTPUT_NAME, RUN_MAX_LEN, PROGRAM, VOCAB, tokens_option
from tpc.errors import TpcError
from tpc.ir import show, to_plain


@click.command()
@PROGRAM
@click.option("--input", "-i", "text", required=True, metavar="TOKENS",
              help='The input, e.g. "3 1 2" (split on spaces) or "abc" (one token per character).')
@OUTPUT_NAME
@click.option("--json", "as_json", is_flag=True, help="Print the values as JSON instead of text.")
@VOCAB
@RUN_MAX_LEN
def run(program, text, output_name, as_json, vocab, max_len):
    """Run PROGRAM (a .rasp file, IR .json, or a tracr .py) on one input and print its output.

    \b
    Tokens are split on spaces when the input has any, else one per character (like RASP's
    REPL). Tokens are strings, as RASP's `tokens` sees them ("10 9 8" sorts as text; use
    `tokens_int` for numbers), unless the program's vocabulary holds them as numbers. BOS is
    added for you and its value is not shown: there is one value per input token. (A lifted
    model's program reads BOS first, added when the input does not start with it, and shows
    every position, BOS included.) A program that declares its domain (`#!tpc vocab`, as
    lifted RASP text does) needs no --vocab or --max-len.

    \b
    Text output: the values separated by spaces (fractions as n/d, no value as None); when the
    program has several outputs and --output-name is not given, one "name: values" line each.
    With --json: a JSON list (numbers as numbers, fractions as floats, strings as strings,
    booleans as true/false, no value as null), or an object by output name.

    \b
    Examples:
      tpc run examples/rasp/sort.rasp --input "3 1 2"        # 1 2 3
      tpc run examples/rasp/reverse.rasp --input abc --json  # ["c", "b", "a"]
    """
    outputs = run_input(program, text, tokens_option(vocab), max_len)
    if output_name is not None and output_name not in outputs:
        raise TpcError(f"no output named {output_name!r} (outputs: {', '.join(outputs)})")
    result = {o: values for o, values in outputs.items() if output_name in (None, o)}
    if as_json:
        data = to_plain(result)
        click.echo(json.dumps(next(iter(data.values())) if len(data) == 1 else data))
    elif len(result) == 1:
        click.echo(_line(next(iter(result.values()))))
    else:
        for o, vals in result.items():
            click.echo(f"{o}: {_line(vals)}")


def _line(values: list) -> str:
    return " ".join(show(v, quote=False) for v in values)
