"""The pipelines every command and the Python API run: optimize + assemble, render, one
input as an artifact's tokens and through it. (Lift + optimize: tpc.artifact.lifting.)"""

from __future__ import annotations

from tpc.artifact.kinds import kind_of, load
from tpc.artifact.source import Choices, RaspSource
from tpc.errors import TpcError
from tpc.ir import Domain, Program, to_json
from tpc.load import RUN_MAX_LEN_LIMIT, parse_tokens, typed_tokens

TARGETS = ("python", "rasp", "json")


def compile_program(program: Program, output_name: str | None = None, level: int = 1):
    """`program` optimized at `level`, then assembled into a Transformer Program that computes
    its output `output_name` (or its only output) exactly: a `tpc.assemble.Compiled` (the
    model, its tokens and labels, stats; `tpc.assemble.save_compiled` writes it)."""
    from tpc.assemble import assemble  # lazy: torch
    from tpc.passes import optimize

    return assemble(optimize(program, level) if level else program, output_name)


def render(program: Program, target: str = "python") -> str:
    """`program` as a self-contained Python module, RASP text or IR JSON."""
    if target == "python":
        from tpc.backends.python import to_python  # lazy: libcst takes ~0.5 s

        return to_python(program)
    if target == "rasp":
        from tpc.backends.rasp import to_rasp

        return to_rasp(program)
    if target == "json":
        return to_json(program) + "\n"
    raise TpcError(f"unknown target {target!r} (targets: {', '.join(TARGETS)})")


def split_input(text) -> list[str]:
    """An input as token strings: text split like `tpc run --input`, or a list of tokens,
    each as it prints (3 and "3" alike)."""
    return parse_tokens(text) if isinstance(text, str) else [str(t) for t in text]


def input_tokens(domain: Domain, tokens) -> list:
    """An input (as `split_input` takes it) as `domain`'s token values, BOS first where the
    program reads it (added when missing)."""
    tokens = typed_tokens(split_input(tokens), domain.vocab)
    if not domain.implicit_bos and tokens[:1] != [domain.bos]:
        tokens = [domain.bos, *tokens]
    return tokens


def run_input(
    artifact, text, vocab=None, max_len: int | None = None, level: int = 1
) -> dict[str, list]:
    """Every output of `artifact` (a Program, or a path `load` reads) on one input (`text`
    split like `tpc run --input`, or a list of tokens): output name -> values. RASP source is
    built for that input alone (so inputs up to RUN_MAX_LEN_LIMIT tokens run), over `vocab`,
    else the vocabulary it declares, else the input's tokens; a model is lifted and optimized
    at `level`."""
    from tpc.interp import Interpreter

    tokens = split_input(text)
    if max_len is None and len(tokens) > RUN_MAX_LEN_LIMIT:
        raise TpcError(
            f"the input has {len(tokens)} tokens; tpc run supports at most {RUN_MAX_LEN_LIMIT}"
        )
    choices = Choices.for_input(tokens, vocab, max_len, RUN_MAX_LEN_LIMIT, level)
    if isinstance(artifact, Program):
        program = artifact
    elif kind_of(artifact).name == "rasp":
        source = RaspSource.read(artifact)
        domain = source.domain(choices)
        return source.run(domain, input_tokens(domain, tokens))
    else:
        program = load(artifact, choices)
    outputs = Interpreter(program).run([input_tokens(program.domain, tokens)])
    return {name: values[0] for name, values in outputs.items()}
