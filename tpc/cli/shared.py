"""What several commands share: the PROGRAM argument, --vocab / --max-len, value formatting,
and writing a program as Python, RASP text or IR JSON."""

from __future__ import annotations

from fractions import Fraction

import click

from tpc.backends.rasp import to_rasp
from tpc.ir import DEFAULT_MAX_LEN, to_json
from tpc.load import DEFAULT_VOCAB, parse_tokens

PROGRAM = click.argument("program", type=click.Path(exists=True, dir_okay=False))
VOCAB = click.option(
    "--vocab", metavar="TOKENS",
    help="The tokens the program accepts, split like --input (RASP source only). "
         f"[run: the input's tokens; emit/check: \"{DEFAULT_VOCAB}\"]",
)
MAX_LEN = click.option(
    "--max-len", type=click.IntRange(min=0), metavar="N",
    help=f"The longest input, in tokens (RASP source only). [run: {DEFAULT_MAX_LEN} or the input's "
         f"length if longer; emit/check: {DEFAULT_MAX_LEN}]",
)
TARGETS = ["python", "rasp", "json"]


def tokens_option(text: str | None) -> list | None:
    """A --vocab value as tokens (None when not given)."""
    return None if text is None else parse_tokens(text)


def show(value) -> str:
    """A value as text output prints it: fractions as n/d."""
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    return str(value)


def jsonable(value):
    """A value as JSON output writes it: fractions as floats."""
    return float(value) if isinstance(value, Fraction) else value


def render(prog, target: str) -> str:
    """The program as Python, RASP text or IR JSON."""
    if target == "python":
        from tpc.backends.python import to_python  # lazy: libcst takes ~0.5 s, only --to python needs it

        return to_python(prog)
    if target == "json":
        return to_json(prog) + "\n"
    return to_rasp(prog)
