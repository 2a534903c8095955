"""The frontend's entry points: RASP source or file -> IR Program."""

from __future__ import annotations

from tpc.errors import TpcError
from tpc.frontend.context import Context
from tpc.frontend.failures import RunChecks
from tpc.frontend.parser import parse
from tpc.frontend.pragmas import Pragmas, read_pragmas
from tpc.frontend.translate import Translator
from tpc.frontend.witness import Witness
from tpc.ir import DEFAULT_MAX_LEN, Domain, Program


def rasp_to_ir(*args, **kwargs) -> Program:
    """Translate RASP `source` to an IR Program; see `rasp_to_ir_checked`."""
    return rasp_to_ir_checked(*args, **kwargs)[0]


def rasp_to_ir_checked(
    source: str,
    filename: str = "<string>",
    vocab=None,
    max_len: int | None = None,
    causal: bool | None = None,
    implicit_bos: bool | None = None,
) -> tuple[Program, RunChecks]:
    """Translate RASP `source` (read from `filename`) to an IR Program over the domain
    (`vocab`, `max_len`: when None, the file's `#!tpc vocab` / `#!tpc max_len`, else no tokens
    and DEFAULT_MAX_LEN); `causal` / `implicit_bos` default to the file's `#!tpc` pragmas
    (`causal`, `explicit-bos`), else False / True. Errors raise TpcError. Also returns the
    checks that raise RASP's run-time errors on a given input (tpc.frontend.failures)."""
    pragmas = read_pragmas(source, filename)
    domain = rasp_domain(pragmas, filename, vocab, max_len, causal, implicit_bos)
    return translate_rasp(source, filename, domain, pragmas)


def translate_rasp(
    source: str, filename: str, domain: Domain, pragmas: Pragmas
) -> tuple[Program, RunChecks]:
    """`source` over `domain` (`rasp_domain`), its `pragmas` read once by the caller: the
    program and its run-time checks."""
    tree = parse(source, filename)
    cx = Context(source, filename, domain, "model" in pragmas.words)
    program = Translator(cx).run(tree)
    return program, _checks(cx)


def run_rasp(
    source: str, filename: str, domain: Domain, tokens: list, pragmas: Pragmas
) -> dict[str, list]:
    """The outputs (name -> values, one per token passed) of RASP `source` on one input over
    `domain` (`rasp_domain`), `tokens` as `Interpreter.run` takes them. The nodes are built
    for that input alone (tpc.frontend.witness), so the cost grows with its length, not its
    square. Raises RASP's run-time errors where the input reaches them, as `RunChecks` does."""
    tree = parse(source, filename)
    witness = Witness(domain, tokens)
    cx = Context(source, filename, domain, "model" in pragmas.words, witness)
    outputs = Translator(cx).translate(tree)
    env = witness.evaluated()
    if tokens:
        _checks(cx).check_values(cx.builder.nodes, cx.builder.types, env, len(tokens))
    start = 1 if domain.implicit_bos else 0
    return {name: witness.values(node)[start:] for name, node in outputs.items()}


def _checks(cx: Context) -> RunChecks:
    return RunChecks(cx.sources, {} if cx.model else cx.located, {} if cx.model else cx.failures)


def rasp_domain(
    pragmas: Pragmas,
    filename: str = "<string>",
    vocab=None,
    max_len: int | None = None,
    causal: bool | None = None,
    implicit_bos: bool | None = None,
    *,
    default_vocab=(),
    default_max_len: int = DEFAULT_MAX_LEN,
) -> Domain:
    """The domain a RASP source is translated over, decided in this one place: each of
    `vocab`, `max_len`, `causal`, `implicit_bos` as given, else as the file's `pragmas`
    declare it, else the default (`default_vocab`, `default_max_len`, not causal, implicit
    BOS)."""
    words = pragmas.words
    if causal is None:
        causal = "causal" in words
    if implicit_bos is None:
        implicit_bos = "explicit-bos" not in words
    if "model" not in words and not implicit_bos:
        raise TpcError(
            f"{filename}:1:1: RASP programs need implicit BOS; use '#!tpc model' for explicit BOS"
        )
    if vocab is None:
        vocab = pragmas.vocab if pragmas.vocab is not None else default_vocab
    if max_len is None:
        max_len = pragmas.max_len if pragmas.max_len is not None else default_max_len
    try:
        domain = Domain(
            vocab=tuple(vocab), max_len=max_len, causal=causal, implicit_bos=implicit_bos
        )
    except ValueError as err:
        raise TpcError(f"{filename}: bad domain: {err}") from None
    return domain


def rasp_file_to_ir(
    path,
    vocab=None,
    max_len: int | None = None,
    causal: bool | None = None,
    implicit_bos: bool | None = None,
) -> Program:
    """`rasp_to_ir` on the text of the file at `path`."""
    with open(path) as f:
        source = f.read()
    return rasp_to_ir(source, str(path), vocab, max_len, causal, implicit_bos)
