"""`tpc run`: one input through a program, its output values printed."""

from __future__ import annotations

import json

import click

from tpc.cli.shared import OUTPUT_NAME, RUN_MAX_LEN, PROGRAM, VOCAB, jsonable, show, tokens_option
from tpc.errors import TpcError
from tpc.interp import Interpreter
from tpc.ir import BOS, DEFAULT_MAX_LEN
from tpc.load import (
    RUN_MAX_LEN_LIMIT, is_python_path, load_domain, load_program, parse_tokens, typed_tokens,
)


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
    tokens = parse_tokens(text)
    if max_len is None and len(tokens) > RUN_MAX_LEN_LIMIT:
        raise TpcError(f"the input has {len(tokens)} tokens; tpc run supports at most {RUN_MAX_LEN_LIMIT}")
    if program.endswith(".json"):  # an IR program: its domain is fixed
        prog = load_program(program)
        outputs = Interpreter(prog).run([_as_input(tokens, prog.domain)])
    elif is_python_path(program):  # a tracr program file: built for its domain
        from tpc.frontend.tracr_file import python_program_to_ir, typed_input

        seen = list(dict.fromkeys(tokens))
        prog = python_program_to_ir(program, tokens_option(vocab), max_len, default_vocab=seen,
                                    limit=RUN_MAX_LEN_LIMIT)
        outputs = Interpreter(prog).run([typed_input(prog, tokens)])
    else:  # RASP source, built for this one input (tpc.frontend.witness)
        from tpc.frontend import run_rasp  # lazy: lark and the frontend

        seen = list(dict.fromkeys(t for t in tokens if t != BOS))  # the default vocabulary: the input's
        source, dom = load_domain(program, tokens_option(vocab), max_len, default_vocab=seen,
                                  default_max_len=max(DEFAULT_MAX_LEN, len(tokens)), limit=RUN_MAX_LEN_LIMIT)
        outputs = {o: [values] for o, values in run_rasp(source, program, dom, _as_input(tokens, dom)).items()}
    if output_name is not None and output_name not in outputs:
        raise TpcError(f"no output named {output_name!r} (outputs: {', '.join(outputs)})")
    result = {o: values[0] for o, values in outputs.items() if output_name in (None, o)}
    if as_json:
        data = {o: [jsonable(v) for v in vals] for o, vals in result.items()}
        click.echo(json.dumps(next(iter(data.values())) if len(data) == 1 else data))
    elif len(result) == 1:
        click.echo(" ".join(map(show, next(iter(result.values())))))
    else:
        for o, vals in result.items():
            click.echo(f"{o}: " + " ".join(map(show, vals)))


def _as_input(tokens: list, domain) -> list:
    """`tokens` (strings) as the values of `domain`'s vocabulary, BOS first where the program
    reads it (a model-mode program: added for the caller when missing)."""
    tokens = typed_tokens(tokens, domain.vocab)
    if not domain.implicit_bos and tokens[:1] != [domain.bos]:
        tokens = [domain.bos, *tokens]
    return tokens
