"""A user's own algorithmic task, with no code: `spec:FILE.rasp` or `data:FILE.jsonl`.

- `spec:FILE.rasp`: inputs are drawn as the paper's BOS tasks draw them (a length uniform in
  min..max-1 tokens, then uniform tokens), over the spec's declared vocabulary
  (`#!tpc vocab ...`) or else the digits `0`..`vocab_size-3` (vocab_size counts `<pad>` and
  `<s>`), and labelled by the spec itself through tpc's interpreter (its values as text; a
  position where it outputs `<pad>` is not scored). The longest input is the spec's
  `#!tpc max_len` tokens, else `max_length - 1`. The model reads `<s> x1..xm`.
- `data:FILE.jsonl`: one `{"tokens": [...], "labels": [...]}` per line, one label per token
  (`null` or `"<pad>"`: not scored); the model reads `<s>` then the tokens. A bad line is a
  `file:line` error.

Both become `TaskSpec`s (`tpc.tasks.dataset`), so generation, deduplication and the 81/9/10
split are the paper's tasks' own.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

from tpc.errors import TpcError
from tpc.ir import BOS
from tpc.tasks.generators import PAD, Example

PREFIXES = ("spec:", "data:")
_BATCH = 4096  # inputs labelled per interpreter call


class SpecGenerator:
    """Draws inputs and labels them with a RASP spec; the signature of tpc.tasks.generators."""

    def __init__(self, path: Path, declared: tuple | None, max_tokens: int | None):
        self.path, self.declared, self.max_tokens = path, declared, max_tokens
        self._programs: dict = {}

    def vocab(self, vocab_size: int) -> list[str]:
        if self.declared is not None:
            return [str(t) for t in self.declared]
        if vocab_size < 3:
            raise TpcError(f"{self.path}: --vocab-size {vocab_size} leaves no token beside "
                           "<pad> and <s> (the spec declares no #!tpc vocab)")
        return [str(i) for i in range(vocab_size - 2)]

    def _interpreter(self, vocab: tuple, max_tokens: int):
        from tpc.frontend import rasp_to_ir
        from tpc.interp import Interpreter

        key = (vocab, max_tokens)
        if key not in self._programs:
            program = rasp_to_ir(self.path.read_text(), str(self.path), vocab=vocab,
                                 max_len=max_tokens)
            self._programs[key] = (Interpreter(program), program.main_output)
        return self._programs[key]

    def __call__(self, vocab_size, size, min_length, max_length, rng) -> list[Example]:
        vocab = np.array(self.vocab(vocab_size))
        rows = [rng.choice(vocab, size=rng.randint(min_length, max_length)).tolist()
                for _ in range(size)]
        interp, output = self._interpreter(tuple(vocab.tolist()), max_length - 1)
        out = []
        for lo in range(0, len(rows), _BATCH):
            part = rows[lo:lo + _BATCH]
            for xs, ys in zip(part, interp.run(part, [output])[output]):
                out.append(([BOS, *xs], [PAD, *(PAD if str(y) == PAD else str(y) for y in ys)]))
        return out


def read_examples(path: Path) -> list[Example]:
    """The examples of a data: file (BOS and an unscored label prepended); file:line errors."""
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise TpcError(f"cannot read {path}: {e}") from None
    out = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except ValueError as e:
            raise TpcError(f"{where}: not JSON ({e.args[0].split(':')[0]})") from None
        if not isinstance(row, dict) or set(row) != {"tokens", "labels"}:
            raise TpcError(f'{where}: expected an object with "tokens" and "labels" (only)')
        tokens, labels = row["tokens"], row["labels"]
        if not isinstance(tokens, list) or not isinstance(labels, list) or not tokens:
            raise TpcError(f"{where}: tokens and labels must be non-empty lists")
        if len(tokens) != len(labels):
            raise TpcError(f"{where}: {len(tokens)} tokens but {len(labels)} labels")
        for value in tokens + labels:
            if value is not None and (type(value) not in (str, int) or str(value) == ""
                                      or any(c.isspace() for c in str(value))):
                raise TpcError(f"{where}: {json.dumps(value)} is not a token (a string or an "
                               "integer, no spaces)")
        if None in tokens or any(str(t) in (BOS, PAD) for t in tokens):
            raise TpcError(f"{where}: tokens may not be null, {BOS} or {PAD}")
        scored = [PAD if y is None else str(y) for y in labels]
        out.append(([BOS, *map(str, tokens)], [PAD, *scored]))
    if not out:
        raise TpcError(f"{path}: no examples")
    return out


def _spec_task(path: Path):
    from tpc.frontend.pragmas import read_pragmas

    try:
        source = path.read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise TpcError(f"cannot read {path}: {e}") from None
    pragmas = read_pragmas(source, str(path))
    generate = SpecGenerator(path, pragmas.vocab, pragmas.max_len)
    max_length = 8 if pragmas.max_len is None else pragmas.max_len + 1
    vocab_size = 8 if pragmas.vocab is None else len(pragmas.vocab) + 2
    return dict(name=f"spec:{path}", generate=generate, vocab_size=vocab_size,
                max_length=max_length, causal="causal" in pragmas.words)


def _data_task(path: Path):
    examples = read_examples(path)
    longest = max(len(x) for x, _ in examples)
    generate = lambda vocab_size, size, min_length, max_length, rng: examples  # noqa: E731
    tokens = {t for x, _ in examples for t in x}
    return dict(name=f"data:{path}", generate=generate, vocab_size=len(tokens) + 1,
                min_length=1, max_length=longest)


@functools.lru_cache(maxsize=16)
def user_task(name: str) -> dict:
    """The fields of the `TaskSpec` (tpc.tasks.dataset) of `spec:FILE` or `data:FILE`."""
    kind, _, file = name.partition(":")
    path = Path(file)
    if not file or not path.is_file():
        raise TpcError(f"--task {name}: no such file {file!r}")
    return _spec_task(path) if kind == "spec" else _data_task(path)
