"""Binding two artifacts into one check (`prepare`) and running it (`run_check`)."""

from __future__ import annotations

import time

import attrs

from tpc.errors import TpcError
from tpc.ir import show
from tpc.load import parse_tokens
from tpc.verify.progress import Progress, wanted
from tpc.verify.results import VerifyResult
from tpc.verify.runnables import Canon, Runnable, as_runnable, exact_key
from tpc.verify.search import Check, exhaustive, lengths_total, sampled


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
                raise TpcError(
                    f"incompatible vocabularies: {s.label} has no token "
                    f"{', '.join(map(show, missing[:5]))} (its vocabulary: "
                    f"{' '.join(map(str, s.vocab))})"
                )
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
                raise TpcError(
                    f"incompatible vocabularies: {ref.label} has "
                    f"{' '.join(map(str, ref.vocab))}, {s.label} has "
                    f"{' '.join(map(str, s.vocab))} (pass --vocab to check a common part)"
                )
    return common, key


def _as_input_tokens(tokens: list) -> list:
    """A trained model's token strings as `tpc run --input` reads them (strings: "3" stays
    "3"; the program's vocabulary types them later): one rule for tokens in every command."""
    if any(not isinstance(t, str) or t.split() != [t] for t in tokens):  # each one word
        return tokens
    return parse_tokens(" ".join(tokens) + " ")  # the space: never split into characters


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
            raise TpcError(
                f"--max-len {max_len} is longer than {s.label} accepts ({s.max_len} tokens)"
            )
    if not 0 <= min_len <= max_len:
        raise TpcError(f"--min-len {min_len} must be between 0 and --max-len ({max_len})")
    for s in sides:
        if s.unbound:
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


def run_check(
    p: Prepared,
    samples: int,
    seed: int,
    exhaustive_limit: int,
    share: tuple[int, int] = (0, 1),
    combine=None,
    progress: bool | None = False,
) -> VerifyResult:
    """Runs this process's share of the inputs; `combine` (tally -> tally) merges the shares
    of several workers. `progress`: a line per length on stderr (None: when long, see
    `tpc.verify.progress.wanted`)."""
    if p.total <= exhaustive_limit:
        report = Progress(total=p.total) if wanted(progress, p.total) else None
        tally = exhaustive(p.check, p.n_vocab, p.min_len, p.max_len, p.spec, share, report)
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
    return VerifyResult(
        a=a.label,
        b=b.label,
        min_len=p.min_len,
        max_len=p.max_len,
        inputs=tally.checked,
        equivalent=found is None,
        mode=mode,
        seconds=time.perf_counter() - p.start,
        counterexample=counter,
        seed=seed_used,
        failing_inputs=tally.failing_inputs if p.spec else None,
        failing_positions=tally.failing_positions if p.spec else None,
        plain_input=plain if p.spec else None,
        workers=share[1],
    )
