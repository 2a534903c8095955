"""A user's own algorithmic task, with no code: `spec:FILE.rasp` or `data:FILE.jsonl`.

- `spec:FILE.rasp`: inputs are drawn as the paper's BOS tasks draw them (a length uniform in
  min..max-1 tokens, then uniform tokens), over the spec's declared vocabulary
  (`#!tpc vocab ...`, typed as declared for the spec, as text for the model) or else the
  digits `0`..`vocab_size-3` (vocab_size counts `<pad>` and `<s>`), and labelled by the
  spec itself through tpc's interpreter (its values as text; a position where it outputs
  `<pad>` is not scored). The longest input is the spec's
  `#!tpc max_len` tokens, else `max_length - 1`. The model reads `<s> x1..xm`.
- `data:FILE.jsonl`: one `{"tokens": [...], "labels": [...]}` per line, one label per token
  (`null` or `"<pad>"`: not scored); the model reads `<s>` then the tokens. A bad line is a
  `file:line` error.

Both become task records: `tpc.tasks.registry.get_task` builds a `Task` from the fields
`user_task_fields` returns (fields, not a `Task`, so that this module imports neither the
registry nor tpc.artifact, whose models import the tasks), so generation, deduplication, the
81/9/10 split and `tpc train`'s defaults are the paper's tasks' own.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from tpc.errors import TpcError
from tpc.ir import BOS, show
from tpc.load import read_source
from tpc.tasks.generators import PAD, Example

_BATCH = 4096  # inputs labelled per interpreter call


class SpecGenerator:
    """Draws inputs and labels them with a RASP spec; the signature of tpc.tasks.generators."""

    def __init__(self, path: str, text: str, declared: tuple | None):
        self.path, self.text, self.declared = path, text, declared
        self._programs: dict = {}

    def tokens(self, vocab_size: int) -> tuple:
        """The spec's input values: its declared vocabulary (typed as it declares them), else
        the digits as strings (a model's tokens, as `tpc verify` gives them to the spec)."""
        if self.declared is not None:
            return tuple(self.declared)
        if vocab_size < 3:
            raise TpcError(
                f"{self.path}: --vocab-size {vocab_size} leaves no token beside "
                "<pad> and <s> (the spec declares no #!tpc vocab)"
            )
        return tuple(str(i) for i in range(vocab_size - 2))

    def _interpreter(self, vocab: tuple, max_tokens: int):
        from tpc.frontend import rasp_to_ir
        from tpc.interp import Interpreter

        key = (vocab, max_tokens)
        if key not in self._programs:
            program = rasp_to_ir(self.text, self.path, vocab=vocab, max_len=max_tokens)
            self._programs[key] = (Interpreter(program), program.main_output)
        return self._programs[key]

    def __call__(self, vocab_size, size, min_length, max_length, rng) -> list[Example]:
        tokens = self.tokens(vocab_size)
        text = [show(t, quote=False) for t in tokens]  # the model's tokens
        rows = [
            rng.choice(len(tokens), size=rng.randint(min_length, max_length)).tolist()
            for _ in range(size)
        ]
        interp, output = self._interpreter(tokens, max_length - 1)
        out = []
        for lo in range(0, len(rows), _BATCH):
            part = rows[lo : lo + _BATCH]
            values = [[tokens[i] for i in row] for row in part]
            for row, ys in zip(part, interp.run(values, [output])[output]):
                xs = [text[i] for i in row]
                out.append(([BOS, *xs], [PAD, *(show(y, quote=False) for y in ys)]))
        return out


def read_examples(path: Path) -> list[Example]:
    """The examples of a data: file (BOS and an unscored label prepended); file:line errors."""
    lines = read_source(str(path)).splitlines()
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
            if value is not None and (
                type(value) not in (str, int)
                or str(value) == ""
                or any(c.isspace() for c in str(value))
            ):
                raise TpcError(
                    f"{where}: {json.dumps(value)} is not a token (a string or an "
                    "integer, no spaces)"
                )
        if None in tokens or any(str(t) in (BOS, PAD) for t in tokens):
            raise TpcError(f"{where}: tokens may not be null, {BOS} or {PAD}")
        scored = [PAD if y is None else str(y) for y in labels]
        out.append(([BOS, *map(str, tokens)], [PAD, *scored]))
    if not out:
        raise TpcError(f"{path}: no examples")
    return out


def _spec_task(path: Path) -> dict:
    from tpc.frontend import read_pragmas

    text = read_source(str(path))
    pragmas = read_pragmas(text, str(path))
    return dict(
        name=f"spec:{path}",
        generate=SpecGenerator(str(path), text, pragmas.vocab),
        vocab_size=8 if pragmas.vocab is None else len(pragmas.vocab) + 2,
        vocab_fixed=pragmas.vocab is not None,  # the declared tokens, whatever --vocab-size
        max_length=8 if pragmas.max_len is None else pragmas.max_len + 1,
        causal="causal" in pragmas.words,
    )


def _data_task(path: Path) -> dict:
    examples = read_examples(path)
    tokens = {t for x, _ in examples for t in x}
    return dict(
        name=f"data:{path}",
        generate=lambda vocab_size, size, min_length, max_length, rng: examples,
        vocab_size=len(tokens) + 1,
        vocab_fixed=True,  # the file's tokens
        max_length=max(len(x) for x, _ in examples),
    )


@functools.lru_cache(maxsize=16)
def user_task_fields(name: str) -> dict:
    """The fields of the task record (`tpc.tasks.registry.Task`) of `spec:FILE` or
    `data:FILE`."""
    kind, _, file = name.partition(":")
    path = Path(file)
    if not file or not path.is_file():
        raise TpcError(f"--task {name}: no such file {file!r}")
    return _spec_task(path) if kind == "spec" else _data_task(path)
