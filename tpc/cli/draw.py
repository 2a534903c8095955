"""`tpc draw`: a program's dataflow graph by layer, as DOT, SVG or PNG."""

from __future__ import annotations

from pathlib import Path

import click

from tpc.artifact import Choices, load
from tpc.atomic import write_text
from tpc.cli.runtime import NO_CACHE, THREADS
from tpc.cli.shared import MAX_LEN, VOCAB, tokens_option
from tpc.cli.trace import ARTIFACT, LEVEL
from tpc.errors import TpcError

FORMATS = (".dot", ".svg", ".png")


@click.command()
@ARTIFACT
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="graph.dot (Graphviz text), graph.svg or graph.png (needs matplotlib).")
@LEVEL
@VOCAB
@MAX_LEN
@NO_CACHE
@THREADS
def draw(artifact, out, level, vocab, max_len):
    """Draw ARTIFACT's dataflow graph: inputs at the bottom, heads and MLPs layer by layer,
    the readout on top; each edge says what is read (query, key, value; in for an MLP; term
    for the readout).

    \b
    ARTIFACT: a model (checkpoint or run directory of the paper's code), .rasp, IR .json or a
    tracr .py.
    The format follows the file's extension: .dot is Graphviz text (render it with `dot -Tpdf`
    where Graphviz is installed; tpc needs nothing), .svg is drawn by tpc itself (no
    dependency), .png through matplotlib (pip install 'tpc[pictures]'). .svg and .png share
    one layout; Graphviz lays out .dot its own way.

    \b
    Examples:
      tpc draw ../shared/reference/sort -o sort.svg
      tpc draw examples/rasp/sort.rasp -o sort.dot
    """
    from tpc.inspect.graph import dataflow, to_dot, to_svg

    suffix = Path(out).suffix.lower()
    if suffix not in FORMATS:
        raise TpcError(f"{out}: unknown picture format (expected {', '.join(FORMATS)})")
    program = load(artifact, Choices(tokens_option(vocab), max_len, level=level))
    graph = dataflow(program)
    if suffix == ".dot":
        write_text(out, to_dot(graph, Path(artifact).name))
    elif suffix == ".svg":
        write_text(out, to_svg(graph))
    else:
        from tpc.inspect.pictures import graph_png

        graph_png(graph, out)
    click.echo(f"wrote {out}: {len(graph.vertices)} variables, {len(graph.edges)} edges", err=True)
