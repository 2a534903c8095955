"""Exhaustive evaluation: which combinations of node values occur on some input of the domain.

Passes that prove a rewrite by running the program on every input (readout pruning, filling
unreachable table entries) share this; it runs the interpreter, the exact reference, in
batches, and applies only when the domain has at most EXHAUSTIVE_LIMIT inputs.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from tpc.interp import Interpreter
from tpc.ir import Program

EXHAUSTIVE_LIMIT = 2_000_000  # inputs
_BATCH = 4096  # inputs per interpreter call


def domain_size(domain) -> int:
    """How many inputs the domain has: BOS, then 0..max_len tokens (BOS counted when lifted)."""
    return sum(len(domain.vocab) ** length for length in range(domain.n_positions))


def domain_inputs(domain):
    """Every input of the domain as callers pass it, shortest first, in batches."""
    prefix = [] if domain.implicit_bos else [domain.bos]
    batch = []
    for length in range(domain.n_positions):
        for combo in itertools.product(domain.vocab, repeat=length):
            batch.append([*prefix, *combo])
            if len(batch) == _BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def unique_rows(columns: list[np.ndarray], sizes: list[int]) -> np.ndarray:
    """The distinct rows of the stacked index columns (each column < its size)."""
    if not columns:
        return np.zeros((1, 0), dtype=np.int64)
    if math.prod(sizes) < 2**62:  # one mixed-radix code per row
        code = np.zeros(columns[0].shape, dtype=np.int64)
        for col, size in zip(columns, sizes):
            code = code * size + col
        code = np.unique(code)
        out = []
        for size in reversed(sizes):
            out.append(code % size)
            code = code // size
        return np.stack(out[::-1], axis=1)
    return np.unique(np.stack(columns, axis=1), axis=0)


def reachable(program: Program, groups: list[tuple[str, ...]]) -> list[np.ndarray] | None:
    """For each group of s-op names, every combination of their values (indices into their
    types, one row each) that occurs together at some position of some input of the domain;
    None when the domain is too large to run."""
    if domain_size(program.domain) > EXHAUSTIVE_LIMIT or not groups:
        return None
    interp = Interpreter(program)
    sizes = [[len(program[n].type.values) for n in g] for g in groups]
    found: list[list] = [[] for _ in groups]
    for batch in domain_inputs(program.domain):
        tokens, valid = interp.encode(batch)
        env = interp.evaluate(tokens, valid)
        for g, group in enumerate(groups):
            found[g].append(unique_rows([env[n][valid] for n in group], sizes[g]))
    return [unique_rows(list(np.concatenate(f).T), s) for f, s in zip(found, sizes)]
