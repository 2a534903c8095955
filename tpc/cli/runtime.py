"""Options that say how a command runs, not what it computes: torch's threads, the cache of
lifted programs. Each applies itself when parsed (before the command imports torch), so a
command only carries the decorator."""

from __future__ import annotations

import click

from tpc import cache, cache_folder, threads
from tpc.cli.shared import Int


def _threads(ctx, param, value):
    threads.use(threads.choose(value))


def _no_cache(ctx, param, value):
    cache.switch_off(value)


THREADS = click.option(
    "--threads",
    type=Int(1, threads.LIMIT),
    default=None,
    expose_value=False,
    callback=_threads,
    metavar="N",
    help=f"Threads for torch's operations when a model runs. [${threads.ENV}, else "
    f"{threads.DEFAULT}]",
)
NO_CACHE = click.option(
    "--no-cache",
    is_flag=True,
    expose_value=False,
    callback=_no_cache,
    help=f"Lift the model again instead of reading the lift from the cache of lifted programs "
    f"(~/.cache/tpc; ${cache_folder.DIR_ENV} moves it, ${cache.OFF_ENV}=1 turns it off).",
)
