"""The Python API: what the commands do, as functions for scripts and notebooks
(docs/api.md). Each imports what it needs when called, so `import tpc` loads neither torch
nor the RASP parser; torch is imported only to lift or compile a model."""

from __future__ import annotations


def _program(artifact, vocab=None, max_len: int | None = None, level: int = 0, causal=None):
    """`artifact` itself when it is a Program, else the program `tpc.artifact.load` reads."""
    from tpc.artifact import Choices, load as load_artifact
    from tpc.ir import Program

    if isinstance(artifact, Program):
        return artifact
    return load_artifact(artifact, Choices(vocab, max_len, causal, level=level))


def load(artifact, vocab=None, max_len: int | None = None, level: int = 0):
    """Any artifact as an IR `Program`: a .rasp file (over `vocab` / `max_len`, else what it
    declares with `#!tpc vocab` / `#!tpc max_len`, else "0".."7" and 8), a tracr program file
    (`FILE.py`, `FILE.py:NAME`; likewise over its `vocab` / `max_seq_len`), IR .json, or a
    model (checkpoint or run directory of the paper's code) lifted and optimized at `level`."""
    return _program(artifact, vocab, max_len, level)


def lift(model, level: int = 1):
    """The program a model computes, exactly: lifted from its weights, optimized at `level`
    (0-2; 2 runs every input of the domain). `model` is a checkpoint or a paper run."""
    from tpc.artifact import lift as lift_model

    return lift_model(model, level).program


def compile(program, output_name: str | None = None, level: int = 1, vocab=None,
            max_len: int | None = None, causal: bool | None = None, out=None):
    """A Transformer Program that computes `program` (a Program, .rasp or IR .json) exactly:
    a `tpc.assemble.Compiled` (`.model`, `.stats`); with `out`, also written as a checkpoint
    (atomically) that `tpc lift`, `tpc verify` and `tpc train --init` read."""
    from tpc.artifact import compile_program

    compiled = compile_program(_program(program, vocab, max_len, causal=causal), output_name, level)
    if out is not None:
        from tpc.assemble import save_compiled

        save_compiled(compiled, out)
    return compiled


def emit(program, to: str = "python", vocab=None, max_len: int | None = None) -> str:
    """`program` (a Program or any artifact `load` reads) as text: a self-contained Python
    module (`to="python"`), RASP source (`"rasp"`) or IR JSON (`"json"`)."""
    from tpc.artifact import render

    return render(_program(program, vocab, max_len), to)


def run(artifact, tokens, vocab=None, max_len: int | None = None) -> dict[str, list]:
    """Every output of `artifact` (a Program or any artifact `load` reads) on one input:
    output name -> one value per token (per position, BOS included, for a lifted model).
    `tokens` is text split like `tpc run --input` ("3 1 2", or "abc" one per character) or a
    list; tokens match the program's vocabulary by how they print ("3" and 3 alike)."""
    from tpc.artifact import run_input

    return run_input(artifact, tokens, vocab, max_len)


def trace(artifact, tokens, level: int = 0, only=(), vocab=None,
          max_len: int | None = None) -> dict:
    """Every variable of `artifact` on one input, as `tpc trace --json` prints it (values as
    IR values: fractions stay fractions); `only` keeps those variables (node or output names)."""
    from tpc.artifact import Choices, input_tokens, load as load_artifact, split_input
    from tpc.inspect.trace import trace as trace_program
    from tpc.ir import Program

    tokens = split_input(tokens)
    if isinstance(artifact, Program):
        program = artifact
    else:  # a source that declares no vocabulary takes the input's tokens, as `tpc trace` does
        program = load_artifact(artifact, Choices.for_input(tokens, vocab, max_len, level=level))
    return trace_program(program, input_tokens(program.domain, tokens), only)


def verify(a, b, **options):
    """Whether `a` and `b` (each a model, .rasp, emitted .py, IR .json or Program) compute the
    same outputs: a `tpc.verify.VerifyResult` (`.equivalent`, `.counterexample`,
    `.summary()`). `options` are `tpc verify`'s (max_len, vocab, samples, seed, task, ...);
    `vocab` may be text split like --vocab ("1 2 3")."""
    from tpc.load import parse_tokens
    from tpc.verify import verify as check

    if isinstance(options.get("vocab"), str):
        options["vocab"] = parse_tokens(options["vocab"])
    return check(a, b, **options)
