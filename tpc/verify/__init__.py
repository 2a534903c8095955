"""`tpc verify A B`: do two artifacts compute the same function?

A and B are each a model (a `.pt` checkpoint, or a run of the paper's code: its directory or
its model.pt with args.json beside it, as `tpc lift` reads them), a RASP program (`.rasp`), an
emitted Python module (`.py`) or an IR program (`.json`), or, from Python, an IR `Program` or a
`Runnable`. They are compared on every input of lengths `min_len..max_len` when there are at
most `exhaustive_limit` of them, else on `samples` inputs drawn by hypothesis (seeded by
`seed`), whose shrinker then reduces a differing input to a small one.

Conventions, so that artifacts of different kinds can be compared:

- **Inputs** are token sequences over one common vocabulary, counted without BOS: `max_len`
  is the number of tokens after BOS. Model-style sides (checkpoints, lifted programs,
  `#!tpc model` RASP) see `<s>` first; RASP-style sides (implicit BOS) see the tokens only.
- **Positions**: a RASP-style side outputs one value per token; a model-style side one per
  position, BOS included. When both sides are model-style every position is compared
  (BOS too); otherwise position 0 of the model-style side is dropped. A checkpoint compiled
  from a RASP-style program is RASP-style (it is fed BOS, but its output there is no output).
- **Values**: a compiled checkpoint records its program's typed values, so it compares like a
  program. When one side is a trained or reference model, whose tokens and labels are only
  strings, values are compared by `str()` (a label "3" where a program may output the int 3)
  and tokens are matched to the model's by `str()` too. Otherwise values are compared
  exactly, as the IR does (1, True, "1" and 1/1 are different values; Fraction(2, 2) is 1).
- **Vocabulary**: `vocab` if given (every side with a fixed vocabulary must contain it), else
  a checkpoint's, else the first fixed one; fixed vocabularies must then be equal. A `.rasp`
  side is compiled over the chosen vocabulary and `max_len`: a compiled checkpoint's typed
  values as they are, a trained model's token strings typed as `tpc run --input` types them
  ("3" is the int 3), so that the program runs on what it would be run on.
- **Outputs**: `output` names the one to compare (a checkpoint has one output, "label"); by
  default every output when both sides are programs with the same output names, else each
  side's main output (the one named "output" if any, else the first).
- **Order**: exhaustive checks run lengths in increasing order and each length in
  lexicographic order of vocabulary indices, so the counterexample reported is the shortest
  differing input, and among those the first in vocabulary order.

Exhaustive checks enumerate inputs as index tensors (no per-sequence Python) and evaluate them
in batches: IR and RASP sides through `tpc.interp.Interpreter.evaluate`, checkpoints through the
model's hard mode (`predict`, padding id 0 is never needed since a batch has one length).
Emitted Python modules are called once per sequence (the slow path).
"""

from __future__ import annotations

import os
import time
from typing import Sequence

import attrs

from tpc.errors import TpcError
from tpc.ir import show
from tpc.load import parse_tokens
from tpc.verify.results import Counterexample, VerifyResult
from tpc.verify.runnables import (
    CHECKPOINT_SUFFIXES, Canon, CheckpointRunnable, ProgramRunnable, PythonRunnable, RaspRunnable,
    Runnable, as_runnable, exact_key, load,
)
from tpc.verify.search import Check, exhaustive, lengths_total, sampled

DEFAULT_EXHAUSTIVE_LIMIT = 2_000_000
DEFAULT_SAMPLES = 2000


def _untyped_model(side: Runnable) -> bool:
    return side.kind == "checkpoint" and not side.typed


def _resolve_vocab(sides, vocab, by_str):
    """(the common vocabulary, the key that matches each side's tokens to it)."""
    key = str if by_str else exact_key
    fixed = [s for s in sides if s.vocab is not None]
    if vocab is not None:
        wanted = list(vocab)
        for s in fixed:
            have = {key(t) for t in s.vocab}
            missing = [t for t in wanted if key(t) not in have]
            if missing:
                raise TpcError(f"incompatible vocabularies: {s.label} has no token "
                               f"{', '.join(map(show, missing[:5]))} (its vocabulary: "
                               f"{' '.join(map(str, s.vocab))})")
        wanted_keys = {key(t) for t in wanted}
        if fixed:  # in the order of the reference side
            ref = next((s for s in fixed if s.kind == "checkpoint"), fixed[0])
            common = [t for t in ref.vocab if key(t) in wanted_keys]
        else:
            common = sorted({key(t): t for t in wanted}.values(), key=exact_key)
    else:
        if not fixed:
            raise TpcError("neither side fixes a vocabulary: pass --vocab")
        ref = next((s for s in fixed if s.kind == "checkpoint"), fixed[0])
        common = list(ref.vocab)
        for s in fixed:
            if {key(t) for t in s.vocab} != {key(t) for t in common}:
                raise TpcError(f"incompatible vocabularies: {ref.label} has "
                               f"{' '.join(map(str, ref.vocab))}, {s.label} has "
                               f"{' '.join(map(str, s.vocab))} (pass --vocab to check a common part)")
    return common, key


def _as_input_tokens(tokens: list) -> list:
    """A trained model's token strings typed as `tpc run --input` types them ("3" is 3): the
    values a RASP program is run on (one typing rule for tokens in every command)."""
    if any(not isinstance(t, str) or t.split() != [t] for t in tokens):  # each one word
        return tokens
    return parse_tokens(" ".join(tokens) + " ")  # the space: never split into characters


def verify(a, b, *, max_len: int | None = None, min_len: int = 0, vocab: Sequence | None = None,
           samples: int = DEFAULT_SAMPLES, seed: int = 0,
           exhaustive_limit: int = DEFAULT_EXHAUSTIVE_LIMIT, output: str | None = None,
           task: str | None = None, workers: int = 1) -> VerifyResult:
    """Check that `a` and `b` agree (see the module docstring); user errors raise TpcError.

    With `task` (a task of tpc.tasks, or a convention "bos" / "bos-eos"), `a` is a model of
    that task and `b` its spec (see tpc.verify.conventions): every input is counted."""
    if workers > 1 or int(os.environ.get("WORLD_SIZE", "1")) > 1:  # or under torchrun
        from tpc.verify.workers import spawn  # lazy: torch.distributed

        return spawn(dict(a=a, b=b, max_len=max_len, min_len=min_len, vocab=vocab, samples=samples,
                          seed=seed, exhaustive_limit=exhaustive_limit, output=output, task=task),
                     workers)
    return run_check(prepare(a, b, max_len=max_len, min_len=min_len, vocab=vocab, output=output,
                             task=task), samples, seed, exhaustive_limit)


@attrs.frozen(eq=False)
class Prepared:
    """Both sides bound to one vocabulary and length range, ready to run."""

    check: Check
    n_vocab: int
    min_len: int
    max_len: int
    spec: bool  # a spec check: count every failure, report as "correct on all N inputs"
    start: float

    @property
    def total(self) -> int:
        return lengths_total(self.n_vocab, self.min_len, self.max_len)


def prepare(a, b, *, max_len=None, min_len=0, vocab=None, output=None, task=None) -> Prepared:
    start = time.perf_counter()
    a, b = as_runnable(a), as_runnable(b)
    if task is not None:
        from tpc.verify.conventions import TaskView, convention_for  # lazy: tpc.tasks

        a = TaskView(a, convention_for(task))
    sides = (a, b)
    by_str = any(_untyped_model(s) for s in sides)

    common, key = _resolve_vocab(sides, vocab, by_str)
    limits = [s.max_len for s in sides if s.max_len is not None]
    if max_len is None:
        if not limits:
            raise TpcError("neither side fixes a maximum length: pass --max-len")
        max_len = min(limits)
    for s in sides:
        if s.max_len is not None and max_len > s.max_len:
            raise TpcError(f"--max-len {max_len} is longer than {s.label} accepts ({s.max_len} tokens)")
    if not 0 <= min_len <= max_len:
        raise TpcError(f"--min-len {min_len} must be between 0 and --max-len ({max_len})")
    for s in sides:
        if s.vocab is None:
            s.bind(_as_input_tokens(common) if by_str else common, max_len)
    for s in sides:
        by_key = {key(t): t for t in s.vocab}
        s.use_vocab([by_key[key(t)] for t in common])

    if output is not None:
        pairs = [(a.output_name(output), b.output_name(output))]
    elif a.kind != "checkpoint" and b.kind != "checkpoint" and set(a.outputs) == set(b.outputs):
        pairs = [(o, o) for o in a.outputs]
    else:
        pairs = [(a.main_output, b.main_output)]
    unscored = None
    if task is not None:
        from tpc.verify.conventions import UNSCORED

        unscored = UNSCORED
    check = Check(a, b, pairs, Canon(by_str or task is not None), unscored)
    return Prepared(check, len(common), min_len, max_len, task is not None, start)


def run_check(p: Prepared, samples: int, seed: int, exhaustive_limit: int,
              share: tuple[int, int] = (0, 1), combine=None) -> VerifyResult:
    """Runs this process's share of the inputs; `combine` (tally -> tally) merges the shares
    of several workers."""
    if p.total <= exhaustive_limit:
        tally = exhaustive(p.check, p.n_vocab, p.min_len, p.max_len, p.spec, share)
        if combine is not None:
            tally = combine(p, tally)
        mode, seed_used = "exhaustive", None
    else:
        tally = sampled(p.check, p.n_vocab, p.min_len, p.max_len, samples, seed, p.spec)
        mode, seed_used = "sampled", seed
    found = tally.first
    counter = None if found is None else p.check.counterexample(found)
    plain = None if found is None else [p.check.a.tokens[i] for i in found]
    a, b = p.check.a, p.check.b
    return VerifyResult(a=a.label, b=b.label, min_len=p.min_len, max_len=p.max_len,
                        inputs=tally.checked, equivalent=found is None, mode=mode,
                        seconds=time.perf_counter() - p.start, counterexample=counter, seed=seed_used,
                        failing_inputs=tally.failing_inputs if p.spec else None,
                        failing_positions=tally.failing_positions if p.spec else None,
                        plain_input=plain if p.spec else None, workers=share[1])


__all__ = [
    "CHECKPOINT_SUFFIXES", "Canon", "CheckpointRunnable", "Counterexample", "ProgramRunnable",
    "PythonRunnable", "RaspRunnable", "Runnable", "VerifyResult", "as_runnable", "load", "verify",
    "DEFAULT_EXHAUSTIVE_LIMIT", "DEFAULT_SAMPLES",
]
