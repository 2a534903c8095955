"""`tpc trace`: one input through a program, every variable at every position."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tpc.artifact import Choices, input_tokens, load
from tpc.atomic import write_text
from tpc.cli.runtime import NO_CACHE, THREADS
from tpc.cli.shared import MAX_LEN, VOCAB, Int, ProgramPath, tokens_option
from tpc.ir import to_plain
from tpc.load import parse_tokens

ARTIFACT = click.argument("artifact", type=ProgramPath(exists=True))
LEVEL = click.option("-O", "--level", type=Int(0, 1), default=0, show_default=True, metavar="LEVEL",
                     help="For a model: -O0 inspects every head and MLP as lifted; -O1 the optimized "
                          "program (dead modules removed).")


@click.command()
@ARTIFACT
@click.option("--input", "-i", "text", required=True, metavar="TOKENS",
              help='The input, split like `tpc run --input` ("3 1 2", or "abc").')
@click.option("--only", multiple=True, metavar="NAME",
              help="Show only these variables (node or output names; repeat, or separate by commas).")
@click.option("--json", "as_json", is_flag=True, help="Print the trace as one JSON object (docs/cli.md).")
@click.option("--html", "html_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also write a self-contained HTML page: table, attention grids, program graph.")
@click.option("--png", "png_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also write the attention matrices as a grid of heatmaps (needs matplotlib).")
@LEVEL
@VOCAB
@MAX_LEN
@NO_CACHE
@THREADS
def trace(artifact, text, only, as_json, html_file, png_file, level, vocab, max_len):
    """Run ARTIFACT on one input and show every variable's value at every position.

    \b
    ARTIFACT is anything `tpc verify` accepts except an emitted .py: a model (a checkpoint, or
    a run of the paper's code: its directory or model.pt), a .rasp program, IR .json or a
    tracr .py. A model is lifted (torch is imported only then) and the values come from tpc's
    interpreter, which is exactly the model's hard mode. Columns are positions, BOS (position
    0) included.

    \b
    Shown: the table of values (rows: variables in program order); per attention head the
    keys each query selects and, for a nearest head, the key it reads (ties: the earlier; its
    own position only when nothing else is selected), or the count / sum of a numerical head;
    per MLP the table row used (its inputs' values); per readout the winning class, the
    runner-up, the margin and the terms that contribute most to it.

    \b
    Examples:
      tpc trace ../shared/reference/sort --input "3 1 2 </s>"
      tpc trace examples/rasp/sort.rasp -i "3 1 2" --only sort --json
      tpc trace ../shared/reference/sort -i "4 0 3 </s>" --html sort.html --png heads.png
    """
    # lazy, like every command's stage: `tpc run` and `--help` load none of tpc.inspect
    from tpc.inspect.text import trace_text
    from tpc.inspect.trace import trace as trace_input

    tokens = parse_tokens(text)
    program = load(artifact, Choices.for_input(tokens, tokens_option(vocab), max_len, level=level))
    names = [n.strip() for item in only for n in item.replace(",", " ").split()]
    doc = trace_input(program, input_tokens(program.domain, tokens), names)
    if as_json:
        click.echo(json.dumps(to_plain(doc)))
    else:
        click.echo(trace_text(doc), nl=False)
    title = f"tpc trace {Path(artifact).name} --input {text!r}"
    if html_file:
        from tpc.inspect.graph import dataflow
        from tpc.inspect.html import trace_page

        write_text(html_file, trace_page(doc, dataflow(program), title))
        click.echo(f"wrote {html_file}", err=True)
    if png_file:
        from tpc.inspect.pictures import attention_grid

        attention_grid(doc, png_file)
        click.echo(f"wrote {png_file}", err=True)
