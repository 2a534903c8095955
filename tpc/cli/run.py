"""`tpc run`: one input through a program, its output values printed."""

from __future__ import annotations

import json

import click

from tpc.cli.shared import MAX_LEN, OUTPUT_NAME, PROGRAM, VOCAB, jsonable, show, tokens_option
from tpc.errors import TpcError
from tpc.interp import Interpreter
from tpc.ir import BOS, DEFAULT_MAX_LEN
from tpc.load import MAX_LEN_LIMIT, load_program, parse_tokens, typed_tokens


@click.command()
@PROGRAM
@click.option("--input", "-i", "text", required=True, metavar="TOKENS",
              help='The input, e.g. "3 1 2" (split on spaces) or "abc" (one token per character).')
@OUTPUT_NAME
@click.option("--json", "as_json", is_flag=True, help="Print the values as JSON instead of text.")
@VOCAB
@MAX_LEN
def run(program, text, output_name, as_json, vocab, max_len):
    """Run PROGRAM (a .rasp file, or IR .json) on one input and print its output.

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
    tokens = parse_tokens(text)
    if max_len is None and len(tokens) > MAX_LEN_LIMIT:
        raise TpcError(f"the input has {len(tokens)} tokens; tpc run supports at most {MAX_LEN_LIMIT}")
    seen = list(dict.fromkeys(t for t in tokens if t != BOS))  # the default vocabulary: the input's
    prog, checks = load_program(program, tokens_option(vocab), max_len, checked=True,
                                default_vocab=seen, default_max_len=max(DEFAULT_MAX_LEN, len(tokens)))
    dom = prog.domain
    tokens = typed_tokens(tokens, dom.vocab)
    if not dom.implicit_bos and tokens[:1] != [dom.bos]:
        tokens = [dom.bos, *tokens]  # a model-mode program reads BOS first: add it for the caller
    names = [o for o, _ in prog.outputs]
    if output_name is not None and output_name not in names:
        raise TpcError(f"no output named {output_name!r} (outputs: {', '.join(names)})")
    interp = Interpreter(prog)  # one for the checks and the run: its tables grow with max_len squared
    if checks is not None:
        checks.check(interp, tokens)  # RASP's run-time errors (1 / 0, mixed types) where reached
    chosen = [output_name] if output_name else names
    result = {o: values[0] for o, values in interp.run([tokens], chosen).items()}
    if as_json:
        data = {o: [jsonable(v) for v in vals] for o, vals in result.items()}
        click.echo(json.dumps(next(iter(data.values())) if len(data) == 1 else data))
    elif len(result) == 1:
        click.echo(" ".join(map(show, next(iter(result.values())))))
    else:
        for o, vals in result.items():
            click.echo(f"{o}: " + " ".join(map(show, vals)))
