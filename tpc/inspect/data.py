"""The inputs an ablation runs on: a task's test split, or a file of inputs (and labels)."""

from __future__ import annotations

from typing import NamedTuple

from tpc.errors import TpcError
from tpc.ir import Program
from tpc.load import parse_tokens, typed_tokens


class Examples(NamedTuple):
    """Inputs as the program's interpreter takes them (BOS first for model-mode programs) and,
    when known, the expected label at each position of the program's output (None: not scored)."""

    inputs: list[list]
    labels: list[list] | None


def _fit(program: Program, rows: list[list], labels: list[list] | None) -> Examples:
    """Rows that start with BOS, as the program takes them (a RASP-style program adds BOS
    itself, and has no output at BOS)."""
    dom = program.domain
    inputs = [typed_tokens(r[1:] if dom.implicit_bos else r, dom.vocab) for r in rows]
    if labels is not None and dom.implicit_bos:
        labels = [y[1:] for y in labels]
    return Examples(inputs, labels)


def task_examples(
    program: Program,
    task: str,
    vocab_size=None,
    max_length=None,
    min_length=None,
    size: int = 10000,
    seed: int = 0,
) -> Examples:
    """The test split of `task` generated as `tpc train` generates it (the paper's split)."""
    from tpc.tasks import make_dataset  # lazy: torch

    data = make_dataset(task, vocab_size, max_length, min_length, size, seed)
    rows, labels = [], []
    for x, y in zip(data.test.x.tolist(), data.test.y.tolist()):
        length = sum(1 for i in x if i != 0)
        rows.append([data.tokens[i] for i in x[:length]])
        labels.append([None if i == 0 else data.labels[i] for i in y[:length]])
    return _fit(program, rows, labels)


def file_examples(program: Program, path: str) -> Examples:
    """One input per line, split like `tpc run --input`, BOS first or not; optionally a tab
    and the expected output values at the same positions ('_' for a position not scored)."""
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise TpcError(f"{path}: cannot read it: {getattr(e, 'strerror', None) or e}") from None
    dom = program.domain
    rows, labels = [], []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        text, _, expected = line.partition("\t")
        row = parse_tokens(text.strip())
        if row[:1] != [dom.bos]:
            row = [dom.bos, *row]
        _check(program, row, f"{path}:{number}")
        rows.append(row)
        if expected.strip():
            want = [None if t == "_" else t for t in parse_tokens(expected.strip())]
            if len(want) == len(row) - 1:  # no label given at BOS
                want = [None, *want]
            if len(want) != len(row):
                raise TpcError(f"{path}:{number}: {len(want)} labels for {len(row) - 1} tokens")
            labels.append(want)
    if not rows:
        raise TpcError(f"{path}: no inputs")
    if labels and len(labels) != len(rows):
        raise TpcError(f"{path}: some lines have labels and some do not")
    return _fit(program, rows, labels or None)


def _check(program: Program, row: list, where: str) -> None:
    dom = program.domain
    if len(row) > dom.n_positions:
        raise TpcError(
            f"{where}: {len(row) - 1} tokens; the program takes at most {dom.n_positions - 1}"
        )
    known = {str(v) for v in dom.vocab}
    bad = [t for t in row[1:] if str(t) not in known]
    if bad:
        raise TpcError(f"{where}: unknown token {bad[0]!r} (vocabulary: {' '.join(sorted(known))})")
