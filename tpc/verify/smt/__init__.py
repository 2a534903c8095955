"""`tpc verify A B --method smt`: for each length, is there an input where A and B differ?

Both sides become IR programs (a model is lifted: its lifted program computes exactly what
its hard mode does), encoded at that length as Z3 constraints over one shared input
(`encode.Encoder`), and Z3 is asked for an input where some compared position differs.
`unsat` at every length from --min-len to --max-len is a proof; a model of the constraints is
replayed through both original artifacts (batched and one by one) before it is reported.
A large float32 readout is encoded within a rounding band (encode.py), which admits inputs
where float32 breaks a near-tie the other side's way: such a solution does not replay, is
ruled out, and the solver is asked again (counterexample-guided refinement). A timeout or Z3's `unknown` ends the check with `unknown`, never `equivalent`. Spec checks
(--task) compare what `tpc verify --task` compares: the spec's positions, unscored ones left out.
"""

from __future__ import annotations

import time

import attrs
import numpy as np

from tpc.errors import TpcError
from tpc.verify.progress import Progress, wanted
from tpc.verify.results import Counterexample


@attrs.frozen
class SmtResult:
    a: str
    b: str
    verdict: str  # "equivalent" (proved), "differ", "unknown"
    min_len: int
    max_len: int
    seconds: float
    lengths: list  # [(length, "unsat" / "sat" / "unknown", seconds)]
    counterexample: Counterexample | None = None
    reason: str = ""
    refined: int = 0  # solutions that did not replay (float32 near-ties), ruled out one by one

    @property
    def equivalent(self) -> bool:
        return self.verdict == "equivalent"

    def summary(self) -> str:
        times = ", ".join(f"{n}: {r} {s:.2f}s" for n, r, s in self.lengths)
        head = f"smt, lengths {self.min_len}..{self.max_len} ({times})"
        if self.refined:
            head += f", {self.refined} near-tie inputs ruled out by replay"
        if self.verdict == "equivalent":
            return f"proved equivalent on every input of lengths {self.min_len}..{self.max_len} ({head})"
        if self.verdict == "unknown":
            return f"unknown: {self.reason} ({head})"
        c = self.counterexample
        return (f"differ on input {' '.join(map(str, c.input))} (found by {head}, replayed through both)\n"
                + c.table(self.a, self.b, c.input if len(c.input) == len(c.a) else c.input[1:len(c.a) + 1]))

    def to_dict(self) -> dict:
        c = self.counterexample
        return {"verdict": self.verdict, "equivalent": self.equivalent, "mode": "smt",
                "min_len": self.min_len, "max_len": self.max_len, "seconds": round(self.seconds, 4),
                "lengths": [{"length": n, "result": r, "seconds": round(s, 4)} for n, r, s in self.lengths],
                "reason": self.reason or None, "refined": self.refined,
                "counterexample": None if c is None else {
                    "input": [str(v) for v in c.input], "a": [str(v) for v in c.a],
                    "b": [str(v) for v in c.b], "differs": list(c.marks)}}


def _z3():
    try:
        import z3
    except ImportError:
        raise TpcError("--method smt needs the z3-solver package: pip install 'tpc[smt]'") from None
    return z3


class _Side:
    """A side as an IR program: its token codes and where its compared outputs sit."""

    def __init__(self, side, output: str, drop: int):
        from tpc.verify.runnables import CheckpointRunnable, ProgramRunnable, RaspRunnable

        view = side if side.task_view else None
        inner = side.inner if view else side
        if isinstance(inner, RaspRunnable):
            inner = inner._program
        if isinstance(inner, CheckpointRunnable):
            from tpc.artifact import lift

            program = ProgramRunnable(lift(inner.path, level=0).lifted, inner.label)
            program.use_vocab(inner.tokens)
            inner, output = program, program.main_output  # a model's one output
        if not isinstance(inner, ProgramRunnable):
            raise TpcError(f"{side.label}: --method smt reads programs and models, not {inner.kind} files")
        self.runnable, self.view, self.drop = inner, view, drop
        self.program = inner.program
        self.node = inner.program.output_map[output]
        self.banded = False  # a readout encoded within a rounding band (solutions need replay)
        self.eos = None if view is None or view._eos is None else int(inner._token_codes[-1])

    def encode(self, xs: list, canon, solver, deadline: float | None = None):
        """Canonical output ids (Z3 terms) at the compared positions, for input terms `xs`;
        the encoding's side conditions go into `solver`. Past `deadline` (perf_counter):
        `encode.OutOfTime`."""
        from tpc.verify.smt.encode import Encoder, lookup

        codes = [int(c) for c in self.runnable._token_codes]
        tokens = [int(self.runnable._bos_code)] + [lookup(x, codes) for x in xs]
        if self.eos is not None:
            tokens.append(self.eos)
        encoder = Encoder(self.program, tokens, deadline)
        solver.add(encoder.constraints)
        self.banded = self.banded or bool(encoder.constraints)
        outputs = encoder.env[self.node]
        if self.view is not None:
            outputs = outputs[1:len(xs) + 1]
        elif self.runnable.implicit_bos:
            outputs = outputs[1:]
        ids = canon.lookup(self.program[self.node].type.values).tolist()
        return [lookup(o, ids) for o in outputs[self.drop:]]


def smt_verify(a, b, *, max_len=None, min_len=0, vocab=None, output=None, task=None,
               timeout: float | None = None, progress: bool | None = False) -> SmtResult:
    """Prove `a` and `b` agree on every input of lengths min_len..max_len, or find one where
    they differ (see the module docstring). `timeout`: seconds for the whole check.
    `progress`: a line per length on stderr (None: always, see tpc.verify.progress)."""
    z3 = _z3()
    from tpc.verify.driver import prepare
    from tpc.verify.smt.encode import OutOfTime

    start = time.perf_counter()
    p = prepare(a, b, max_len=max_len, min_len=min_len, vocab=vocab, output=output, task=task)
    check = p.check
    (oa, ob), = check.pairs[:1]
    sides = [_Side(check.a, oa, check.drop_a), _Side(check.b, ob, check.drop_b)]
    lengths, verdict, counter, reason = [], "equivalent", None, ""
    refined = 0
    report = Progress() if wanted(progress, None) else None
    for length in range(p.min_len, p.max_len + 1):
        t0 = time.perf_counter()
        xs = [z3.Int(f"x{i}") for i in range(length)]
        solver = z3.Solver()
        solver.add([z3.And(x >= 0, x < p.n_vocab) for x in xs])
        deadline = None if timeout is None else start + timeout
        try:
            ca, cb = (s.encode(xs, check.canon, solver, deadline) for s in sides)
        except OutOfTime:
            ca = cb = None
        differ = [] if ca is None else [ya != yb for ya, yb in zip(ca, cb)]
        if check.unscored is not None:
            differ = [z3.And(d, yb != check.unscored) for d, yb in zip(differ, cb)]
        solver.add(z3.Or(differ) if differ else z3.BoolVal(False))
        while True:  # until unsat, a real counterexample, or the time is up
            if ca is None:  # the encoding ran out of time
                answer = z3.unknown
                break
            if timeout is not None:
                left = timeout - (time.perf_counter() - start)
                if left <= 0:
                    answer = z3.unknown
                    break
                solver.set("timeout", max(1, int(left * 1000)))
            answer = solver.check()
            if answer != z3.sat:
                break
            model = solver.model()
            seq = [model.eval(x, model_completion=True).as_long() for x in xs]
            if check.differs(np.array([seq], dtype=np.int64).reshape(1, length))[0]:
                break
            if not any(side.banded for side in sides):
                raise TpcError(f"internal error: Z3's counterexample {seq} does not replay (please report)")
            # A near-tie float32 resolves as the other side does: rule this input out.
            refined += 1
            solver.add(z3.Or([x != v for x, v in zip(xs, seq)]) if xs else z3.BoolVal(False))
        lengths.append((length, str(answer), time.perf_counter() - t0))
        if report is not None:
            said = {"unsat": "proved", "sat": "they differ"}.get(str(answer), "no answer")
            report.length(length, said)
        if answer == z3.unsat:
            continue
        if answer == z3.unknown:
            verdict = "unknown"
            if timeout is not None and time.perf_counter() - start >= timeout:
                proved = f"lengths {p.min_len}..{length - 1} proved, " if length > p.min_len else ""
                reason = (f"no answer within --timeout {timeout:g} s ({proved}stopped at length "
                          f"{length}; a longer --timeout may decide it)")
            else:
                reason = f"Z3 gave up at length {length} ({solver.reason_unknown()})"
            break
        verdict, counter = "differ", check.counterexample(seq)
        break
    return SmtResult(check.a.label, check.b.label, verdict, p.min_len, p.max_len,
                     time.perf_counter() - start, lengths, counter, reason, refined)
