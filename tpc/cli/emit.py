"""`tpc emit`: a program written as Python, RASP text or IR JSON."""

from __future__ import annotations

import click

from tpc.artifact import TARGETS, Choices, load, render
from tpc.cli.shared import MAX_LEN, PROGRAM, TEXT_OUTPUT, VOCAB, tokens_option, write_output


@click.command()
@PROGRAM
@click.option(
    "--to",
    "target",
    type=click.Choice(TARGETS),
    default="python",
    show_default=True,
    help="What to write.",
)
@TEXT_OUTPUT
@VOCAB
@MAX_LEN
def emit(program, target, out, vocab, max_len):
    """Translate PROGRAM (a .rasp file, IR .json, or a tracr .py) into another form.

    \b
    --to python  a self-contained Python module (standard library only): run(tokens) returns
                 the main output, one value per token; run_all(tokens) every output by name;
                 VOCAB, MAX_LEN, BOS, OUTPUTS are constants. Exactly tpc's semantics.
    --to rasp    RASP source text, which tpc compiles back to the same program.
    --to json    the typed IR as JSON, which every command accepts as PROGRAM.

    \b
    Example:
      tpc emit examples/rasp/sort.rasp --vocab "1 2 3 4" --to python -o sort.py
      python -c "import sort; print(sort.run(['3', '1', '2']))"   # ['1', '2', '3']
    """
    prog = load(program, Choices(tokens_option(vocab), max_len))
    write_output(out, render(prog, target))
