"""The CI sample of the fuzzer (benchmarks/fuzz.py runs campaigns): a fixed-seed few hundred
hostile inputs over the four families, in process; none may crash, hang or be accepted wrongly."""

import contextlib

from tests.fuzz.fuzzing import FAMILIES, cases, classify

CASES = 240
BAD = ("traceback", "wrong exit", "hang", "over memory", "silently wrong")


def test_fixed_seed_sample_has_no_crash_hang_or_silent_answer(tmp_path):
    failures, seen = [], set()
    with contextlib.chdir(tmp_path):
        for case in cases(CASES, seed=15, work=tmp_path):
            cls, detail = classify(case, limit=10.0)
            seen.add((case.family, cls))
            if cls in BAD:
                failures.append(f"{case.family} {case.name}: {cls} {detail}")
    assert not failures, "\n".join(failures)
    # The sample exercises both outcomes in every family: refused cleanly, and accepted.
    assert {(f, c) for f in FAMILIES for c in ("clean", "ok")} <= seen
