"""Artifacts: what a path is, how it loads, and the pipelines run on it.

- kinds: the table of artifact kinds (`Kind`, `KINDS`, `kind_of`), `load` (any artifact as
  an IR program); adding a kind is one record there.
- source: a RASP file read once, its pragmas parsed once, its domain decided once under the
  caller's `Choices`.
- lifting: `lift` (+ optimize, with what the passes kept).
- pipelines: `compile_program` (optimize + assemble), `render` (Python,
  RASP text, IR JSON), `split_input`, `input_tokens` (input text as a domain's tokens), `run_input`.

The CLI commands, tpc.inspect, tpc.verify and the Python API (tpc.api) call these; torch is
imported only when a model is loaded or a program assembled.
"""

from tpc.artifact.kinds import CHECKPOINT_SUFFIXES, KINDS, Kind, kind_of, load
from tpc.artifact.lifting import Lifted, lift
from tpc.artifact.pipelines import (
    TARGETS, compile_program, input_tokens, render, run_input, split_input,
)
from tpc.artifact.source import Choices, RaspSource

__all__ = [
    "CHECKPOINT_SUFFIXES", "KINDS", "Kind", "kind_of", "load", "TARGETS", "Lifted",
    "compile_program", "input_tokens", "lift", "render", "run_input", "split_input", "Choices",
    "RaspSource",
]
