"""What several commands share: option types with ranges, one spelling per option (-o/--output
a file, `-` standard output where text; -O the optimization level; --output-name a program
output; --max-len; --exhaustive-limit, --samples and --workers of a check) and writing text
output (a file, atomically, or standard output)."""

from __future__ import annotations

import math
import re
import sys

import click

from tpc.atomic import write_text
from tpc.errors import TpcError
from tpc.ir import DEFAULT_MAX_LEN
from tpc.load import DEFAULT_VOCAB, MAX_LEN_LIMIT, RUN_MAX_LEN_LIMIT, parse_tokens, split_spec
from tpc.passes import PIPELINES


class Int(click.IntRange):
    """An integer in a range, written in ASCII digits ('٣' or '1_000' are not numbers here);
    out of range, the error names the limit."""

    name = "integer"

    def convert(self, value, param, ctx):
        if isinstance(value, str) and not re.fullmatch(r"[+-]?[0-9]+", value.strip()):
            self.fail(f"{value!r} is not an integer (ASCII digits)", param, ctx)
        return super().convert(value, param, ctx)


class Float(click.FloatRange):
    """A finite number in a range, written in ASCII ('nan', 'inf' and '٣' are refused)."""

    name = "number"
    _NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")

    def convert(self, value, param, ctx):
        if isinstance(value, str) and not self._NUMBER.fullmatch(value.strip()):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


class ProgramPath(click.Path):
    """A file, or `FILE.py:NAME` (a program named inside a tracr program file)."""

    def convert(self, value, param, ctx):
        path, name = split_spec(value)
        if name is not None:
            super().convert(path, param, ctx)
            return value
        return super().convert(value, param, ctx)


PROGRAM = click.argument("program", type=ProgramPath(exists=True, dir_okay=False))
VOCAB = click.option(
    "--vocab",
    metavar="TOKENS",
    help="The tokens the program accepts, split like --input (RASP source only). "
    f'[run: the input\'s tokens; emit/check: "{DEFAULT_VOCAB}"]',
)
MAX_LEN = click.option(
    "--max-len",
    type=Int(1, MAX_LEN_LIMIT),
    metavar="N",
    help=f"The longest input, in tokens, at most {MAX_LEN_LIMIT} (RASP source only). [the file's "
    f"#!tpc max_len, else {DEFAULT_MAX_LEN}]",
)
RUN_MAX_LEN = click.option(
    "--max-len",
    type=Int(1, RUN_MAX_LEN_LIMIT),
    metavar="N",
    help=f"The longest input, in tokens, at most {RUN_MAX_LEN_LIMIT} (RASP source only). "
    f"[the file's #!tpc max_len, else the input's length, at least {DEFAULT_MAX_LEN}]",
)
OUTPUT_NAME = click.option(
    "--output-name", metavar="NAME", help="The program output to use. [every output]"
)
LEVEL = click.option(
    "-O",
    "--level",
    type=Int(0, 2),
    default=1,
    show_default=True,
    metavar="LEVEL",
    help="-O0: the program exactly as built; -O1: narrow value sets, fold constants, "
    "merge duplicates, remove dead code, recognise comparisons, name heads by "
    f"what they read (passes {', '.join(PIPELINES[1])}); -O2: also run the "
    "program on every input of the domain (at most 2,000,000) to drop readout "
    "terms that never change the answer and to simplify unreachable table entries.",
)
# How `tpc verify` and `tpc repair` pick the inputs they check, and how many processes check them.
MAX_SAMPLES = 10_000_000
EXHAUSTIVE_LIMIT = click.option(
    "--exhaustive-limit",
    type=Int(min=0),
    default=2_000_000,
    show_default=True,
    help="Check every input when there are at most this many, else --samples random ones.",
)
WORKERS = click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes that split the check's batches of inputs (torch.distributed, gloo; "
    "tpc verify splits exhaustive checks only).",
)


def samples_option(default: int):
    """--samples, with the command's default: how many random inputs a check too large to
    be exhaustive draws."""
    return click.option(
        "--samples",
        type=Int(1, MAX_SAMPLES),
        default=default,
        show_default=True,
        help="Random inputs to check when there are more than --exhaustive-limit.",
    )


TEXT_OUTPUT = click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False),
    default="-",
    help="The file to write (atomically), `-` for standard output. [-]",
)


def tokens_option(text: str | None) -> list | None:
    """A --vocab value as tokens (None when not given)."""
    return None if text is None else parse_tokens(text)


def write_output(out: str, text: str) -> None:
    """`text` to the file `out` (atomically), or to standard output when `out` is `-`."""
    if out != "-":
        write_text(out, text)
        return
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as e:
        raise TpcError(f"cannot write standard output: {e.strerror or e}") from None
