"""`tpc check`: parse and type-check a program; print a summary of its nodes."""

from __future__ import annotations

from collections import Counter

import click

from tpc.artifact import Choices, load
from tpc.cli.shared import MAX_LEN, PROGRAM, VOCAB, tokens_option
from tpc.ir import show


@click.command()
@PROGRAM
@VOCAB
@MAX_LEN
def check(program, vocab, max_len):
    """Parse and type-check PROGRAM (a .rasp file, IR .json, or a tracr .py); print a summary.

    \b
    The summary gives the domain, the number of nodes of each kind, the attention depth (the
    layers a transformer needs), the outputs, and one line per node: its kind, its type and
    how many values it can take. Exit status 0 when the program is well-formed, 2 (with the
    error and, for source errors, the offending line) when it is not.

    \b
    Example:
      tpc check examples/rasp/sort.rasp --vocab "1 2 3" --max-len 5
    """
    prog = load(program, Choices(tokens_option(vocab), max_len))
    dom = prog.domain
    kinds = Counter(type(n).__name__ for n in prog.nodes)
    click.echo(f"{program}: ok")
    click.echo(
        f"domain: {len(dom.vocab)} tokens ({' '.join(show(v, quote=False) for v in dom.vocab)}), "
        f"at most {dom.max_len}, "
        + ("causal" if dom.causal else "bidirectional")
        + (", BOS added" if dom.implicit_bos else ", BOS first")
    )
    click.echo(f"nodes: {len(prog.nodes)} (" + ", ".join(f"{k} {c}" for k, c in kinds.items()) + ")")
    click.echo(f"depth: {prog.depth()}")
    click.echo("outputs: " + ", ".join(f"{o} = {n}" for o, n in prog.outputs))
    width = max(len(n.name) for n in prog.nodes)
    for n in prog.nodes:
        size = "" if n.type.kind == "selector" else f"{len(n.type.values)} values"
        click.echo(f"  {n.name:<{width}}  {type(n).__name__:<13} {n.type.kind:<11} {size}".rstrip())
