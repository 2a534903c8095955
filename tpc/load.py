"""What users pass on the command line: token lists and program files (RASP source or IR JSON)."""

from __future__ import annotations

from pathlib import Path

from tpc.errors import TpcError
from tpc.ir import DEFAULT_MAX_LEN, from_json

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
    stays "3" otherwise. Only a vocabulary value that prints exactly as the token matches,
    so distinct tokens never meet."""
    by_text: dict = {}
    for v in vocab:
        by_text.setdefault(str(v), []).append(v)
    out = []
    for t in tokens:
        same = by_text.get(t, [])
        out.append(same[0] if len(same) == 1 and t not in same else t)
    return out


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


def is_python_path(path: str) -> bool:
    """True for `FILE.py` and `FILE.py:NAME` (tpc.frontend.tracr_file says which kind of .py)."""
    path = str(path).lower()
    return path.endswith(".py") or ".py:" in path


def load_program(path: str, vocab=None, max_len: int | None = None, *, causal: bool | None = None,
                 default_vocab=None, default_max_len: int | None = None, checked: bool = False):
    """A validated IR program from RASP source, or from IR JSON when `path` ends in .json
    (whose domain is fixed: `vocab` and `max_len` do not apply). A source's domain is
    `vocab` / `max_len` when given, else what the file declares (`#!tpc vocab`, `#!tpc
    max_len`), else the defaults; `causal` (None: the file's pragma) likewise. With `checked`,
    (program, RunChecks or None): the checks raise RASP's run-time errors on an input."""
    if path.endswith(".json"):
        program = from_json(read_source(path))
        return (program, None) if checked else program
    if is_python_path(path):  # a tracr program file (or FILE.py:NAME)
        from tpc.frontend.tracr_file import python_program_to_ir

        program = python_program_to_ir(path, vocab, max_len, causal, limit=MAX_LEN_LIMIT,
                                       default_vocab=default_vocab or parse_tokens(DEFAULT_VOCAB))
        return (program, None) if checked else program
    from tpc.frontend import rasp_to_ir_checked  # lazy: lark and the frontend cost ~65 ms, JSON needs neither

    source, domain = load_domain(path, vocab, max_len, causal=causal, default_vocab=default_vocab,
                                 default_max_len=default_max_len)
    program, checks = rasp_to_ir_checked(source, path, domain.vocab, domain.max_len, domain.causal)
    return (program, checks) if checked else program


def load_domain(path: str, vocab=None, max_len: int | None = None, *, causal: bool | None = None,
                default_vocab=None, default_max_len: int | None = None, limit: int = MAX_LEN_LIMIT):
    """(source text, domain) of the RASP source at `path`, chosen as `load_program` says;
    a one-line TpcError for a max_len beyond `limit`."""
    from tpc.frontend import rasp_domain, read_pragmas

    source = read_source(path)
    declared = read_pragmas(source, path)
    if vocab is None and declared.vocab is None:
        vocab = default_vocab if default_vocab is not None else parse_tokens(DEFAULT_VOCAB)
    if max_len is None and declared.max_len is None:
        max_len = default_max_len if default_max_len is not None else DEFAULT_MAX_LEN
    check_max_len(max_len if max_len is not None else declared.max_len, path, limit)
    return source, rasp_domain(source, path, vocab, max_len, causal)
