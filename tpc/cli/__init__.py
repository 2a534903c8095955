"""The ``tpc`` command line: one click group; each command (one module each) is a few lines
calling a stage. Only `train`, `lift`, `compile`, `export` and `verify` with a checkpoint
import torch."""

from __future__ import annotations

import sys

import click

from tpc.cli.ablate import ablate
from tpc.cli.check import check
from tpc.cli.compile import compile_command
from tpc.cli.draw import draw
from tpc.cli.emit import emit
from tpc.cli.export import export
from tpc.cli.lift import lift
from tpc.cli.repair import repair
from tpc.cli.run import run
from tpc.cli.trace import trace
from tpc.cli.train import train
from tpc.cli.verify import verify
from tpc.errors import TpcError
from tpc.ir import IRError


class _Group(click.Group):
    """Prints user errors as `error: <one line>` on stderr and exits with status 2.

    User errors are TpcError (bad source: then the offending line and a caret follow),
    IRError (an ill-formed IR file) and click's usage errors (bad option, missing file).
    """

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (TpcError, IRError) as e:
            click.echo(f"error: {e}", err=True)
            details = getattr(e, "details", "")
            if details:
                click.echo(details, err=True)
            sys.exit(2)
        except click.UsageError as e:
            click.echo(f"error: {e.format_message()}", err=True)
            sys.exit(2)


@click.group(cls=_Group)
@click.version_option(package_name="tpc", prog_name="tpc", message="%(prog)s %(version)s")
def main():
    """The Transformer Program Compiler."""


for _command in (
    train,
    run,
    emit,
    check,
    verify,
    lift,
    compile_command,
    trace,
    draw,
    ablate,
    export,
    repair,
):
    main.add_command(_command)

__all__ = ["main"]
