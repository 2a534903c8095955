"""Record tracr's own evaluator on every program of tests/tracr/programs/ (tests/tracr/
fixtures.json), as benchmarks/rasp_reference.py does for the RASP reference.

Runs outside tpc's environment, with tracr's source and a Python holding numpy, absl-py and
typing_extensions (tracr's evaluator is pure Python + numpy; its compiler, which needs jax,
is not imported):

    git --git-dir=<tracr mirror> archive HEAD | tar -x -C /tmp/tracr_src
    python3 -m venv /tmp/tracr_venv
    /tmp/tracr_venv/bin/pip install numpy absl-py typing_extensions
    /tmp/tracr_venv/bin/python benchmarks/tracr_reference.py /tmp/tracr_src

Each program runs on every input of its domain when there are at most 80, else on 80 drawn
with a fixed seed (lengths 1..max_seq_len); a program with `causal = True` runs under tracr's
causal evaluator. An input tracr refuses is recorded as {"error": message}.
"""

from __future__ import annotations

import itertools
import json
import random
import sys
import types
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "tests" / "tracr"
MAX_INPUTS = 80


def inputs_for(name: str, vocab: list, max_len: int) -> list:
    """Every input of lengths 1..max_len when at most MAX_INPUTS, else a fixed sample."""
    total = sum(len(vocab) ** n for n in range(1, max_len + 1))
    if total <= MAX_INPUTS:
        return [list(x) for n in range(1, max_len + 1) for x in itertools.product(vocab, repeat=n)]
    rnd = random.Random(zlib.crc32(name.encode()))
    out = [[vocab[0]] * max_len]  # the longest input of one token: the widest selections
    while len(out) < MAX_INPUTS:
        out.append([rnd.choice(vocab) for _ in range(rnd.randint(1, max_len))])
    return out


def plain(value):
    return list(value) if isinstance(value, tuple) else value


def main(tracr_src: str) -> None:
    sys.path.insert(0, tracr_src)
    compiler = types.ModuleType("tracr.compiler")  # its __init__ imports jax: skip it
    compiler.__path__ = [str(Path(tracr_src) / "tracr" / "compiler")]
    sys.modules["tracr.compiler"] = compiler
    from tracr.compiler import lib
    from tracr.rasp import causal_eval, rasp

    compiler.lib = lib
    fixtures = {}
    for path in sorted((HERE / "programs").glob("*.py")):
        ns = {"__name__": "__tracr_program__"}
        exec(compile(path.read_text(), str(path), "exec"), ns)
        program = ns["program"]
        program = program() if not isinstance(program, rasp.RASPExpr) else program
        vocab = sorted(ns["vocab"], key=lambda v: (str(type(v)), v))
        evaluate = causal_eval.evaluate if ns.get("causal") else rasp.evaluate
        cases = []
        for xs in inputs_for(path.stem, vocab, ns["max_seq_len"]):
            try:
                cases.append({"input": xs, "output": [plain(v) for v in evaluate(program, xs)]})
            except Exception as err:  # tracr refuses this input: recorded, not compared
                cases.append({"input": xs, "error": f"{type(err).__name__}: {err}"})
        fixtures[path.name] = cases
    (HERE / "fixtures.json").write_text(json.dumps(fixtures, indent=0, sort_keys=True) + "\n")
    print(
        f"{len(fixtures)} programs, {sum(map(len, fixtures.values()))} inputs"
        f" -> {HERE / 'fixtures.json'}"
    )


if __name__ == "__main__":
    main(sys.argv[1])
