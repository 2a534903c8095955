"""What users pass: input text as tokens, text files read as UTF-8, the limits on max_len.
(What a path is and how it loads: tpc.artifact.)"""

from __future__ import annotations

import numbers
from pathlib import Path

from tpc.errors import TpcError

DEFAULT_VOCAB = "0 1 2 3 4 5 6 7"  # the CLI's vocabulary for RASP source that declares none
# The longest input a RASP source's domain may declare: the frontend's tables over positions
# grow with the square of max_len (at 256 the slowest example takes seconds; see docs/results.md).
MAX_LEN_LIMIT = 256
# `tpc run` builds a RASP source for its one input (tpc.frontend.witness): cost and memory grow
# with the square of the input's length only in numpy's [query, key] selector arrays.
RUN_MAX_LEN_LIMIT = 4096


def parse_tokens(text: str) -> list:
    """Split an input like RASP's REPL: on whitespace if there is any, else one token per
    character. Tokens are strings, as RASP's `tokens` (= `tokens_str`) sees them: "3", "007",
    "３" and "٣" are four different tokens."""
    return text.split() if any(c.isspace() for c in text) else list(text)


def typed_tokens(tokens: list, vocab) -> list:
    """`tokens` (strings) as the program's own values: "3" is the integer 3 for a program
    whose vocabulary holds 3 and not the string "3" (a lifted model's vocabulary), and
    stays "3" otherwise. Only a vocabulary value that prints exactly as the token matches (a
    number also as its float: "0.5" is the 1/2 of a tracr file's exact vocabulary, "2.0" is 2),
    so distinct tokens never meet."""
    by_text: dict = {}
    for v in vocab:
        for text in _texts(v):
            by_text.setdefault(text, []).append(v)
    out = []
    for t in tokens:
        same = by_text.get(t, [])
        out.append(same[0] if len(same) == 1 and t not in same else t)
    return out


def split_spec(spec: str) -> tuple[str, str | None]:
    """("FILE.py", NAME or None) of `FILE.py` or `FILE.py:NAME` (a program named inside a
    tracr program file); any other path is (path, None)."""
    path, sep, name = str(spec).rpartition(":")
    if sep and path.lower().endswith(".py") and name.isidentifier():
        return path, name
    return str(spec), None


def _texts(value) -> set[str]:
    """How a vocabulary value may be typed: as it prints, and a number also as its float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return {str(value)}
    if isinstance(value, numbers.Integral):  # exact, however large
        return {str(value), f"{int(value)}.0"}
    try:
        return {str(value), str(float(value))}
    except OverflowError:
        return {str(value)}


def read_source(path: str) -> str:
    """A text file the user gave (source, IR JSON), as a string; a one-line TpcError naming
    the file when it cannot be read or is not UTF-8 text."""
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise TpcError(f"cannot read {path}: {err.strerror or err}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise TpcError(f"{path}:{line}:{column}: not UTF-8 text (byte {data[err.start]:#04x})") from None


def check_max_len(max_len: int, where: str, limit: int = MAX_LEN_LIMIT) -> None:
    """A one-line TpcError when `max_len` is beyond what a RASP source's domain supports."""
    if max_len > limit:
        raise TpcError(f"{where}: max_len {max_len} is beyond the supported limit of {limit} tokens")
