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
  side's `#!tpc vocab` / `#!tpc max_len` lines fix its vocabulary and longest input, as they
  do for `tpc run` and `tpc compile`; it is compiled over the chosen vocabulary and `max_len`: a compiled checkpoint's typed
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
from typing import Sequence

from tpc.verify.driver import prepare, run_check
from tpc.verify.results import Counterexample, VerifyResult
from tpc.verify.runnables import (
    Canon, CheckpointRunnable, ProgramRunnable, PythonRunnable, RaspRunnable,
    Runnable, as_runnable, load,
)

DEFAULT_EXHAUSTIVE_LIMIT = 2_000_000
DEFAULT_SAMPLES = 2000


def verify(a, b, *, max_len: int | None = None, min_len: int = 0, vocab: Sequence | None = None,
           samples: int = DEFAULT_SAMPLES, seed: int = 0,
           exhaustive_limit: int = DEFAULT_EXHAUSTIVE_LIMIT, output: str | None = None,
           task: str | None = None, workers: int = 1,
           progress: bool | None = False) -> VerifyResult:
    """Check that `a` and `b` agree (see the module docstring); user errors raise TpcError.

    With `task` (a task of tpc.tasks, or a convention "bos" / "bos-eos"), `a` is a model of
    that task and `b` its spec (see tpc.verify.conventions): every input is counted.
    `progress`: a line per length on stderr (None: when the check is long or stderr is a
    terminal; one process only)."""
    if workers > 1 or int(os.environ.get("WORLD_SIZE", "1")) > 1:  # or under torchrun
        from tpc.verify.workers import spawn  # lazy: torch.distributed

        return spawn(dict(a=a, b=b, max_len=max_len, min_len=min_len, vocab=vocab, samples=samples,
                          seed=seed, exhaustive_limit=exhaustive_limit, output=output, task=task),
                     workers)
    return run_check(prepare(a, b, max_len=max_len, min_len=min_len, vocab=vocab, output=output,
                             task=task), samples, seed, exhaustive_limit, progress=progress)


__all__ = [
    "Canon", "CheckpointRunnable", "Counterexample", "ProgramRunnable",
    "PythonRunnable", "RaspRunnable", "Runnable", "VerifyResult", "as_runnable", "load", "verify",
    "DEFAULT_EXHAUSTIVE_LIMIT", "DEFAULT_SAMPLES",
]
