"""Regenerate tests/conformance/fixtures.json: what the reference RASP interpreter
(github.com/tech-srl/RASP, `RASP_support/`) gives for every conformance program on every
conformance input. The reference is not installable and never committed: fetch it, make a
virtualenv with antlr4-python3-runtime==4.9.2 and termcolor, and run this script with that
virtualenv's python:

    python benchmarks/rasp_reference.py --reference /tmp/rasp_ref

Each program in tests/conformance/programs/ assigns its result to `result`; each input is
split into tokens as `tpc run --input` splits it and given to the reference as a list of
strings. A value list is recorded where the reference computes one, else its error message.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFORMANCE = ROOT / "tests" / "conformance"
sys.path.insert(0, str(CONFORMANCE))

from inputs import INPUTS  # noqa: E402


def split(text: str) -> list:
    """Tokens as `tpc run --input` splits them (tpc.load.parse_tokens; tpc is not installed
    beside the reference)."""
    return text.split() if any(c.isspace() for c in text) else list(text)


def reference_values(repl, source: str, tokens: list):
    """The reference's values of `result` after running `source`, or {"error": message}."""
    from RASP_support.Environment import Environment

    repl.env = Environment(name="console", parent_env=repl.base_env)
    # The reference tries every new s-op on its running example and refuses it when that
    # fails: make the input itself the example.
    repl.set_running_example(tokens)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        repl.run(fromfile=io.StringIO(source), env=repl.env, store_prints=False)
    try:
        unfinished = repl.env.get_variable("result")
    except Exception as err:  # the program did not define it: it failed while building
        return {"error": f"no result: {err}; {out.getvalue().strip()[-300:]}"}
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            seq = unfinished.call(tokens)
        return [v for v in seq.get_vals()]
    except Exception as err:
        return {
            "error": str(err).strip().splitlines()[0][:200]
            if str(err).strip()
            else type(err).__name__
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", required=True, help="a checkout of tech-srl/RASP")
    ap.add_argument(
        "--programs", default=str(CONFORMANCE / "programs"), help="a folder of .rasp files"
    )
    ap.add_argument("--out", default=str(CONFORMANCE / "fixtures.json"))
    args = ap.parse_args()
    args.programs, args.out = Path(args.programs).resolve(), Path(args.out).resolve()
    os.chdir(args.reference)  # its REPL loads RASP_support/rasplib relative to the cwd
    sys.path.insert(0, args.reference)
    with contextlib.redirect_stdout(io.StringIO()):
        from RASP_support.REPL import REPL

        repl = REPL()
    repl.show_sequence_examples = repl.show_selector_examples = False  # no runs on "hello"
    fixtures = {}
    for path in sorted(Path(args.programs).resolve().glob("*.rasp")):
        source = path.read_text()
        fixtures[path.name] = {text: reference_values(repl, source, split(text)) for text in INPUTS}
    Path(args.out).write_text(json.dumps(fixtures, indent=1, sort_keys=True) + "\n")
    print(f"{len(fixtures)} programs x {len(INPUTS)} inputs -> {args.out}")


if __name__ == "__main__":
    main()
