"""What a path is: the table of artifact kinds, one record per kind (how it is recognized,
how it loads as an IR program). Adding a kind is one record here (and, if it runs by its own
runtime rather than as IR, a Runnable in tpc.verify.runnables)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import attrs

from tpc.artifact.lifting import lift
from tpc.artifact.source import Choices, RaspSource
from tpc.errors import TpcError
from tpc.ir import IRError, Program, from_json
from tpc.load import read_source

CHECKPOINT_SUFFIXES = (".pt", ".pth", ".ckpt")


@attrs.frozen
class Kind:
    """One kind of artifact.

    `name`: its short name (what `tpc.verify` and messages call it); `what`: how an error
    lists it; `recognizes(path)`: whether a path (as the user wrote it) is one, asked in table
    order, the first match wins; `program(path, choices)`: it as an IR program, or None when
    it cannot be read as one (`unreadable` then says what to pass instead); `model`: loading
    it runs torch."""

    name: str
    what: str
    recognizes: Callable[[str], bool]
    program: Callable[[str, Choices], Program] | None = None
    unreadable: str = ""
    model: bool = False


def _suffix(*suffixes: str) -> Callable[[str], bool]:
    return lambda path: Path(path).suffix.lower() in suffixes


def _lifted(path: str, choices: Choices) -> Program:
    return lift(path, choices.level).program


def _ir_json(path: str, choices: Choices) -> Program:
    try:
        return from_json(read_source(path))
    except IRError as e:
        raise TpcError(f"{path}: {e}") from None


def _tracr_file(path: str) -> bool:
    from tpc.frontend.tracr_file import is_tracr_program  # lazy: the tracr frontend

    return is_tracr_program(path)


def _export(path: str) -> bool:
    """A `tpc export` directory (vocab.json and labels.json: what tells it from a run of the
    paper's code) or a .onnx file."""
    p = Path(path)
    return p.suffix.lower() == ".onnx" or (
        p.is_dir() and (p / "vocab.json").is_file() and (p / "labels.json").is_file()
    )


def _tracr_program(path: str, choices: Choices) -> Program:
    from tpc.frontend.tracr_file import python_program_to_ir

    return python_program_to_ir(
        path,
        choices.vocab,
        choices.max_len,
        choices.causal,
        choices.default_vocab,
        choices.default_max_len,
        choices.limit,
    )


KINDS: tuple[Kind, ...] = (
    # Before "run-directory": an export directory holds vocab.json and labels.json.
    Kind(
        "export",
        "a `tpc export` directory or its model.onnx",
        _export,
        unreadable="an export (TransformerLens or ONNX weights) cannot be read back as a "
        "program; pass the model or program it was exported from",
    ),
    Kind(
        "run-directory",
        "a run directory of the paper's code",
        lambda path: Path(path).is_dir(),
        _lifted,
        model=True,
    ),
    # A tpc checkpoint, or a reference run's model.pt with args.json beside it: load_model
    # tells them apart by content.
    Kind(
        "checkpoint",
        "a checkpoint (.pt, .pth, .ckpt)",
        _suffix(*CHECKPOINT_SUFFIXES),
        _lifted,
        model=True,
    ),
    Kind(
        "rasp",
        "RASP source (.rasp)",
        _suffix(".rasp"),
        lambda path, choices: RaspSource.read(path).program(choices),
    ),
    Kind("ir-json", "IR JSON (.json)", _suffix(".json"), _ir_json),
    # Before "python": a .py that tpc did not emit (its first line says so) is a tracr program.
    Kind("tracr", "a tracr program file (FILE.py, FILE.py:NAME)", _tracr_file, _tracr_program),
    Kind(
        "python",
        "a module emitted by tpc (.py)",
        _suffix(".py"),
        unreadable="an emitted Python module cannot be read back as a program; pass the "
        "model, .rasp or IR .json it was written from",
    ),
)


def kind_of(path) -> Kind:
    """The kind of the artifact at `path`; a one-line TpcError when it is none of KINDS."""
    text = str(path)
    for kind in KINDS:
        if kind.recognizes(text):
            return kind
    if not Path(text).exists():
        raise TpcError(f"{text}: no such file or directory")
    expected = ", ".join(k.what for k in KINDS)
    raise TpcError(f"{text}: unknown kind of artifact (expected {expected})")


def load(path, choices: Choices = Choices()) -> Program:
    """The artifact at `path` as a validated IR program: a model lifted and optimized at
    `choices.level`, RASP source or a tracr program file translated over the domain `choices`
    decide, IR JSON read."""
    kind = kind_of(path)
    if kind.program is None:
        raise TpcError(f"{path}: {kind.unreadable}")
    return kind.program(str(path), choices)
