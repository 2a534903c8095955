"""`tpc compile`: RASP source or IR JSON -> a Transformer Program checkpoint."""

from __future__ import annotations

import json
import time

import click

from tpc.artifact import Choices, compile_program, load
from tpc.cli.runtime import THREADS
from tpc.cli.shared import LEVEL, MAX_LEN, OUTPUT_NAME, PROGRAM, tokens_option
from tpc.errors import TpcError
from tpc.load import DEFAULT_VOCAB


@click.command("compile")
@PROGRAM
@click.option("--vocab", metavar="TOKENS", help='The tokens the program accepts, e.g. "0 1 2 3 4" (RASP source only). '
              f'[the file\'s #!tpc vocab, else "{DEFAULT_VOCAB}"]')
@MAX_LEN
@click.option("--causal", is_flag=True, default=None, help="Keys visible only at or before the query (RASP source only).")
@OUTPUT_NAME
@LEVEL
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False),
              help="The checkpoint to write (atomically).")
@click.option("--stats", is_flag=True, help="Print layers, heads, MLPs, residual width, parameters and time.")
@click.option("--json", "as_json", is_flag=True, help="With --stats: print only a JSON object.")
@THREADS
def compile_command(program, vocab, max_len, causal, output_name, level, out, stats, as_json):
    """Compile PROGRAM (a .rasp file, IR .json, or a tracr .py) into a Transformer Program
    checkpoint.

    The checkpoint has the format `tpc train` writes; its hard mode computes the program
    exactly (`tpc lift` reads it back, `tpc train --init` fine-tunes it). Inputs start with <s>.
    A compiled model's max length is at most 64 (its tables grow with the square of it).

    \b
    Example:
      tpc compile examples/rasp/sort.rasp --vocab "1 2 3 4 5" --max-len 10 -o sort.pt --stats
    """
    if out == "-":
        raise TpcError("-o -: a checkpoint is binary; name a file")
    from tpc.assemble import save_compiled  # lazy: torch, only commands that run a model load it

    start = time.perf_counter()
    prog = load(program, Choices(tokens_option(vocab), max_len, causal or None))
    compiled = compile_program(prog, output_name, level)
    seconds = time.perf_counter() - start
    save_compiled(compiled, out)
    if stats:
        s = dict(compiled.stats, seconds=round(seconds, 4))
        if as_json:
            click.echo(json.dumps({k: s[k] for k in ("layers", "heads", "mlps", "d_model", "params", "seconds")}))
        else:
            click.echo(f"layers {s['layers']}  heads {s['heads']}  MLPs {s['mlps']}  residual width {s['d_model']}  "
                       f"parameters {s['params']:,}  compile {s['seconds']:.3f}s")
