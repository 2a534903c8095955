"""The ``tpc`` command line: one click group; each command is a few lines calling a stage."""

from __future__ import annotations

import sys

import click

from tpc.errors import TpcError
from tpc.ir.types import BOS
from tpc.load import DEFAULT_MAX_LEN, DEFAULT_VOCAB, load_program, parse_tokens, typed_tokens


class _Group(click.Group):
    """Prints user errors as `error: <one line>` on stderr and exits with status 2.

    User errors are TpcError (bad source: then the offending line and a caret follow),
    IRError (an ill-formed IR file) and click's usage errors (bad option, missing file).
    """

    def invoke(self, ctx):
        from tpc.ir import IRError

        try:
            return super().invoke(ctx)
        except (TpcError, IRError) as e:
            click.echo(f"error: {e}", err=True)
            details = getattr(e, "details", "")
            if details:
                click.echo(details, err=True)
            sys.exit(2)
        except click.UsageError as e:
            click.echo(f"error: {e.format_message()}", err=True)
            sys.exit(2)


@click.group(cls=_Group)
def main():
    """The Transformer Program Compiler."""


@main.command()
@click.option("--task", required=True, help="reverse, hist, double_hist, sort, most_freq, dyck1, dyck2, induction")
@click.option("--vocab-size", type=int, default=None, help="Including special tokens [task default: 8].")
@click.option("--max-length", type=int, default=None, help="[task default: 8; Dyck 16]")
@click.option("--min-length", type=int, default=None, help="[task default: 1; Dyck 16]")
@click.option("--layers", type=int, default=3, show_default=True)
@click.option("--cat-heads", type=int, default=4, show_default=True)
@click.option("--num-heads", type=int, default=4, show_default=True)
@click.option("--cat-mlps", type=int, default=2, show_default=True)
@click.option("--num-mlps", type=int, default=2, show_default=True)
@click.option("--mlp-vars-in", type=int, default=2, show_default=True)
@click.option("--d-var", type=int, default=None, help="[default: max(vocabulary, context)]")
@click.option("--mlp-width", type=int, default=64, show_default=True)
@click.option("--embed-vars", type=int, default=0, show_default=True,
              help="Learned categorical token embeddings with this many variables (the paper's NLP "
                   "setting) instead of the one-hot token variable (0).")
@click.option("--causal/--no-causal", default=None, help="[task default]")
@click.option("--epochs", type=int, default=250, show_default=True)
@click.option("--batch-size", type=int, default=512, show_default=True)
@click.option("--lr", type=float, default=5e-2, show_default=True)
@click.option("--tau-init", type=float, default=3.0, show_default=True)
@click.option("--tau-end", type=float, default=0.01, show_default=True)
@click.option("--dataset-size", type=int, default=20000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--init", type=click.Path(dir_okay=False), default=None,
              help="Start from this checkpoint (its weights and architecture, e.g. one written by "
                   "`tpc compile`; the size options are then ignored). Its tokens and labels must be the task's.")
@click.option("--checkpoint-every", type=int, default=10, show_default=True, help="Epochs.")
@click.option("--threads", type=int, default=1, show_default=True,
              help="Torch threads per process (results are bit-identical only at equal threads).")
@click.option("--resume", is_flag=True, help="Continue the run in -o from its last checkpoint.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Run directory.")
def train(output, resume, quiet, threads, **options):
    """Train a Transformer Program; writes model.pt and metrics.json to -o."""
    from tpc.train import TrainOptions, train as run

    metrics = run(TrainOptions(**options), output, resume=resume, progress=not quiet, threads=threads)
    click.echo(" ".join(f"{k}={v:.4f}" for k, v in metrics.items() if k.endswith("_acc")))


# --- run / emit / check: RASP source or IR JSON in, values / code / a summary out ----------



def _show(value) -> str:
    from fractions import Fraction

    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    return str(value)


def _jsonable(value):
    from fractions import Fraction

    return float(value) if isinstance(value, Fraction) else value


_PROGRAM = click.argument("program", type=click.Path(exists=True, dir_okay=False))
_VOCAB = click.option(
    "--vocab", metavar="TOKENS",
    help="The tokens the program accepts, split like --input (RASP source only). "
         f"[run: the input's tokens; emit/check: \"{DEFAULT_VOCAB}\"]",
)
_MAX_LEN = click.option(
    "--max-len", type=click.IntRange(min=0), metavar="N",
    help=f"The longest input, in tokens (RASP source only). [run: {DEFAULT_MAX_LEN} or the input's "
         f"length if longer; emit/check: {DEFAULT_MAX_LEN}]",
)


@main.command()
@_PROGRAM
@click.option("--input", "-i", "text", required=True, metavar="TOKENS",
              help='The input, e.g. "3 1 2" (split on spaces) or "abc" (one token per character).')
@click.option("--output", "-O", "output", metavar="NAME", help="Print only this output. [all outputs]")
@click.option("--json", "as_json", is_flag=True, help="Print the values as JSON instead of text.")
@_VOCAB
@_MAX_LEN
def run(program, text, output, as_json, vocab, max_len):
    """Run PROGRAM (a .rasp file, or IR .json) on one input and print its output.

    \b
    Tokens are split on spaces when the input has any, else one per character (like RASP's
    REPL); tokens that look like integers are integers, so "3 1 2" sorts numerically and
    "10 9" is two tokens, unless the program's vocabulary holds them as strings ('3'). BOS is
    added for you and its value is not shown: there is one value per input token. (A lifted
    model's program reads BOS first, added when the input does not start with it, and shows
    every position, BOS included.) A program that declares its domain (`#!tpc vocab`, as
    lifted RASP text does) needs no --vocab or --max-len.

    \b
    Text output: the values separated by spaces (fractions as n/d, no value as None); when the
    program has several outputs and --output is not given, one "name: values" line each.
    With --json: a JSON list (numbers as numbers, fractions as floats, strings as strings,
    booleans as true/false, no value as null), or an object by output name.

    \b
    Examples:
      tpc run examples/rasp/sort.rasp --input "3 1 2"        # 1 2 3
      tpc run examples/rasp/reverse.rasp --input abc --json  # ["c", "b", "a"]
    """
    import json

    from tpc.interp import run as interpret

    tokens = parse_tokens(text)
    seen = list(dict.fromkeys(t for t in tokens if t != BOS))  # the default vocabulary: the input's
    prog = load_program(program, None if vocab is None else parse_tokens(vocab), max_len,
                        default_vocab=seen, default_max_len=max(DEFAULT_MAX_LEN, len(tokens)))
    dom = prog.domain
    tokens = typed_tokens(tokens, dom.vocab)
    if not dom.implicit_bos and tokens[:1] != [dom.bos]:
        tokens = [dom.bos, *tokens]  # a model-mode program reads BOS first: add it for the caller
    names = [o for o, _ in prog.outputs]
    if output is not None and output not in names:
        raise TpcError(f"no output named {output!r} (outputs: {', '.join(names)})")
    result = {o: values[0] for o, values in interpret(prog, [tokens], [output] if output else names).items()}
    if as_json:
        data = {o: [_jsonable(v) for v in vals] for o, vals in result.items()}
        click.echo(json.dumps(next(iter(data.values())) if len(data) == 1 else data))
    elif len(result) == 1:
        click.echo(" ".join(map(_show, next(iter(result.values())))))
    else:
        for o, vals in result.items():
            click.echo(f"{o}: " + " ".join(map(_show, vals)))


@main.command()
@_PROGRAM
@click.option("--to", "target", type=click.Choice(["python", "rasp", "json"]), default="python",
              show_default=True, help="What to write.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, writable=True), default="-",
              help="The file to write. [standard output]")
@_VOCAB
@_MAX_LEN
def emit(program, target, out, vocab, max_len):
    """Translate PROGRAM (a .rasp file, or IR .json) into another form.

    \b
    --to python  a self-contained Python module (standard library only): run(tokens) returns
                 the main output, one value per token; run_all(tokens) every output by name;
                 VOCAB, MAX_LEN, BOS, OUTPUTS are constants. Exactly tpc's semantics.
    --to rasp    RASP source text, which tpc compiles back to the same program.
    --to json    the typed IR as JSON, which every command accepts as PROGRAM.

    \b
    Example:
      tpc emit examples/rasp/sort.rasp --vocab "1 2 3 4" --to python -o sort.py
      python -c "import sort; print(sort.run([3, 1, 2]))"   # [1, 2, 3]
    """
    prog = load_program(program, None if vocab is None else parse_tokens(vocab), max_len)
    with click.open_file(out, "w") as f:
        f.write(render(prog, target))


def render(prog, target: str) -> str:
    """The program as Python, RASP text or IR JSON."""
    if target == "python":
        from tpc.backends.python import to_python

        return to_python(prog)
    if target == "json":
        from tpc.ir import to_json

        return to_json(prog) + "\n"
    from tpc.backends.rasp import to_rasp

    return to_rasp(prog)


@main.command()
@_PROGRAM
@_VOCAB
@_MAX_LEN
def check(program, vocab, max_len):
    """Parse and type-check PROGRAM (a .rasp file, or IR .json); print a summary.

    \b
    The summary gives the domain, the number of nodes of each kind, the attention depth (the
    layers a transformer needs), the outputs, and one line per node: its kind, its type and
    how many values it can take. Exit status 0 when the program is well-formed, 2 (with the
    error and, for source errors, the offending line) when it is not.

    \b
    Example:
      tpc check examples/rasp/sort.rasp --vocab "1 2 3" --max-len 5
    """
    from collections import Counter

    prog = load_program(program, None if vocab is None else parse_tokens(vocab), max_len)
    dom = prog.domain
    kinds = Counter(type(n).__name__ for n in prog.nodes)
    click.echo(f"{program}: ok")
    click.echo(
        f"domain: {len(dom.vocab)} tokens ({' '.join(map(_show, dom.vocab))}), at most {dom.max_len}, "
        + ("causal" if dom.causal else "bidirectional")
        + (", BOS added" if dom.implicit_bos else ", BOS first")
    )
    click.echo(f"nodes: {len(prog.nodes)} (" + ", ".join(f"{k} {c}" for k, c in kinds.items()) + ")")
    click.echo(f"depth: {prog.depth()}")
    click.echo("outputs: " + ", ".join(f"{o} = {n}" for o, n in prog.outputs))
    width = max(len(n.name) for n in prog.nodes)
    for n in prog.nodes:
        size = "" if n.type.kind == "selector" else f"{len(n.type.values)} values"
        click.echo(f"  {n.name:<{width}}  {type(n).__name__:<13} {n.type.kind:<11} {size}".rstrip())


@main.command()
@click.argument("a", type=click.Path())
@click.argument("b", type=click.Path())
@click.option("--max-len", type=click.IntRange(min=0), metavar="N",
              help="Longest input checked, in tokens after BOS. [the shorter side's maximum]")
@click.option("--min-len", type=click.IntRange(min=0), default=0, show_default=True, metavar="N",
              help="Shortest input checked.")
@click.option("--vocab", metavar="TOKENS",
              help="Tokens to check over, split like `tpc run --input`. [a checkpoint's, else the sides' own]")
@click.option("--samples", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Random inputs to check when exhaustive checking is too big.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random inputs.")
@click.option("--exhaustive-limit", type=click.IntRange(min=0), default=2_000_000, show_default=True,
              help="Check every input when there are at most this many.")
@click.option("--output", metavar="NAME", help="The output to compare. [all shared outputs, else the main ones]")
@click.option("--json", "as_json", is_flag=True, help="Print the result as a JSON object.")
def verify(a, b, max_len, min_len, vocab, samples, seed, exhaustive_limit, output, as_json):
    """Check that A and B compute the same outputs; exit 0 if they do, 1 if not.

    \b
    A and B are each a model (a checkpoint .pt, or a run of the paper's code: its directory, or
    its model.pt with args.json beside it, as `tpc lift` reads them), a RASP program (.rasp), an
    emitted Python module (.py) or IR JSON (.json). Every input of lengths --min-len..--max-len
    is checked when there are at most --exhaustive-limit of them, else --samples random ones
    (shrunk to a small counterexample). Prints the inputs checked and `equivalent`, or the
    smallest differing input with both outputs. A compiled checkpoint compares its program's
    typed values; against a trained model values compare by str(). A RASP-style side's outputs
    line up with the model's positions after BOS (see docs/cli.md).

    \b
    Example:
      tpc verify examples/rasp/sort.rasp sort.py --vocab "0 1 2 3 4" --max-len 6
    """
    import json

    from tpc.verify import verify as check

    result = check(a, b, max_len=max_len, min_len=min_len,
                   vocab=None if vocab is None else parse_tokens(vocab), samples=samples, seed=seed,
                   exhaustive_limit=exhaustive_limit, output=output)
    click.echo(json.dumps(result.to_dict()) if as_json else result.summary())
    sys.exit(0 if result.equivalent else 1)


@main.command()
@click.argument("model", type=click.Path(exists=True))
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, writable=True), default="-",
              help="The file to write. [standard output]")
@click.option("--to", "target", type=click.Choice(["python", "rasp", "json"]), default="python",
              show_default=True, help="What to write (see `tpc emit --help`).")
@click.option("-O", "level", type=click.IntRange(0, 1), default=1, show_default=True, metavar="LEVEL",
              help="-O0: the program exactly as lifted; -O1: narrow value sets, fold constants, "
                   "merge duplicates, remove dead code, name comparisons.")
@click.option("--print-after", multiple=True, metavar="PASS",
              help="Print the program as RASP text on stderr after each run of PASS "
                   "(narrow, fold, cse, dce, compare); repeatable.")
def lift(model, out, target, level, print_after):
    """Lift MODEL's weights into a program that computes exactly what the model computes.

    \b
    MODEL is a checkpoint written by `tpc train` or `tpc compile`, or a run of the paper's
    reference code: its model.pt with args.json (and optionally vocab.json) beside it, or
    that directory. Files are loaded with torch.load(weights_only=True) only.

    \b
    The program takes the model's input with BOS first ("<s> 3 1 2 </s>") and returns the
    model's argmax label at every position, BOS included. Every attention head becomes a
    select + aggregate, every MLP a lookup table computed by running the MLP on each input
    its inputs can actually take, and the unembedding a sum of score tables. A summary line
    (modules kept / removed, lines written) goes to stderr.

    \b
    Examples:
      tpc lift runs/sort/model.pt -o sort.py && python -c "import sort; print(sort.run(['<s>', '3', '1', '</s>']))"
      tpc lift ../shared/reference/hist --to rasp
    """
    from tpc.backends.rasp import to_rasp
    from tpc.lift import lift_checkpoint, lift_summary
    from tpc.passes import PASSES, optimize

    unknown = [p for p in print_after if p not in PASSES]
    if unknown:
        raise click.BadParameter(f"unknown pass {unknown[0]!r} (passes: {', '.join(PASSES)})",
                                 param_hint="--print-after")
    lifted = lift_checkpoint(model)
    printer = lambda name, p: click.echo(f"# --- after {name} ---\n{to_rasp(p)}", err=True)  # noqa: E731
    optimized = optimize(lifted, level, print_after, printer)
    summary = lift_summary(lifted, optimized)
    text = render(optimized.with_meta(**summary.meta()), target)
    with click.open_file(out, "w") as f:
        f.write(text)
    click.echo(f"{summary}; {len(text.splitlines())} lines -> {'stdout' if out == '-' else out}", err=True)


# --- compile: IR -> Transformer Program checkpoint (tpc.assemble) ---------------------------
from tpc.assemble.command import compile_command  # noqa: E402

main.add_command(compile_command)


if __name__ == "__main__":
    main()
