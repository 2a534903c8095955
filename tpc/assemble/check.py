"""Run a compiled model in hard mode and compare it with the interpreter, exactly."""

from __future__ import annotations

import itertools
import random
from typing import Sequence

import torch

from tpc.assemble.assembler import Compiled
from tpc.interp import Interpreter
from tpc.ir import sort_key


def encode(c: Compiled, sequences: Sequence[Sequence]) -> torch.Tensor:
    """Token ids [batch, pos] as the model reads them: BOS first, <pad> (id 0) after the end."""
    dom = c.program.domain
    ids = {sort_key(v): i for i, v in enumerate(c.tokens) if i > 0}
    rows = []
    for seq in sequences:
        seq = list(seq)
        if dom.implicit_bos:
            seq = [dom.bos, *seq]
        rows.append([ids[sort_key(t)] for t in seq])
    n = max((len(r) for r in rows), default=1)
    out = torch.zeros(len(rows), n, dtype=torch.long)
    for b, r in enumerate(rows):
        out[b, : len(r)] = torch.tensor(r, dtype=torch.long)
    return out


def run_model(c: Compiled, sequences: Sequence[Sequence]) -> list[list]:
    """The model's hard-mode output values at the positions the caller passed."""
    tokens = encode(c, sequences)
    pred = c.model.predict(tokens).tolist()
    start = 1 if c.program.domain.implicit_bos else 0
    lengths = (tokens != 0).sum(-1).tolist()
    return [[c.classes[i] for i in row[start:n]] for row, n in zip(pred, lengths)]


def mismatches(c: Compiled, sequences: Sequence[Sequence], batch: int = 4096) -> list:
    """(input, expected, got) for every sequence where the model and the interpreter differ."""
    interp = Interpreter(c.program)
    bad = []
    for i in range(0, len(sequences), batch):
        chunk = sequences[i : i + batch]
        want = interp.run(chunk, [c.output])[c.output]
        got = run_model(c, chunk)
        for s, w, g in zip(chunk, want, got):
            if list(map(sort_key, w)) != list(map(sort_key, g)):
                bad.append((s, w, g))
    return bad


def all_inputs(domain, max_len: int | None = None, limit: int | None = None, seed: int = 0) -> list:
    """Every input up to `max_len` tokens (as callers pass them), or `limit` random ones."""
    max_len = domain.max_len if max_len is None else max_len
    vocab = list(domain.vocab)
    lead = [] if domain.implicit_bos else [domain.bos]
    longest = max_len - (0 if domain.implicit_bos else 1)
    total = sum(len(vocab) ** k for k in range(longest + 1))
    if limit is None or total <= limit:
        return [
            lead + list(s) for k in range(longest + 1) for s in itertools.product(vocab, repeat=k)
        ]
    rng = random.Random(seed)
    seqs = [lead + [rng.choice(vocab) for _ in range(longest)] for _ in range(limit // 2)]
    seqs += [
        lead + [rng.choice(vocab) for _ in range(rng.randint(0, longest))]
        for _ in range(limit - limit // 2)
    ]
    return seqs
