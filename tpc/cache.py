"""The user's cache of lifted programs: a model is lifted (and optimized at a level) once, and
`tpc lift`, `trace`, `draw` and `ablate` of the same checkpoint read the program back without
importing torch.

An entry is keyed by the bytes of the model's files (model.pt, and args.json / vocab.json of a
run of the paper's code), the path as given (it is written into the program's header), the
level, the MLP table limit (`--max-table-rows`: a lift stored under a larger one must not hide
its error) and a digest of tpc's own source, so a changed checkpoint or a changed tpc never
reads a stale entry. Entries are IR JSON (never a pickle) after a line holding the SHA-256 of that
JSON: an entry that does not match it or does not load is ignored and rebuilt. Writes are
atomic; deleting the folder at any time is safe. `TPC_CACHE_DIR` moves the folder (default
`$XDG_CACHE_HOME/tpc`, else `~/.cache/tpc`); `TPC_NO_CACHE=1` or `--no-cache` turns it off.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from tpc.cache_folder import cache_dir
from tpc.errors import TpcError
from tpc.ir import IRError, Program, from_json, to_json
from tpc.lift.bounds import MAX_TABLE_ROWS

OFF_ENV = "TPC_NO_CACHE"
FORMAT = "tpc-lift-cache/1"
_switched_off: bool | None = None  # set by `--no-cache` for the command being run


def switch_off(off: bool) -> None:
    """`--no-cache`: True turns the cache off for this command; False leaves it to the
    environment."""
    global _switched_off
    _switched_off = off or None


def _enabled() -> bool:
    return not _switched_off and os.environ.get(OFF_ENV, "") in ("", "0")


@functools.lru_cache(maxsize=1)
def source_digest() -> str:
    """SHA-256 over tpc's Python source (tpc and tpc.passes): any change to tpc is a new key."""
    import tpc.passes

    digest = hashlib.sha256()
    for root in (Path(__file__).parent, Path(tpc.passes.__file__).parent):
        for file in sorted(root.rglob("*.py")):
            digest.update(f"{file.relative_to(root)}\0".encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def model_files(path: Path) -> list[Path]:
    """The files `tpc.model.checkpoint.load_model` may read for the model at `path`."""
    run_dir = path if path.is_dir() else path.parent
    file = path / "model.pt" if path.is_dir() else path
    beside = [run_dir / name for name in ("args.json", "vocab.json")]
    return [file, *(p for p in beside if p.is_file())]


def entry_key(path: Path, level: int, max_table_rows: int = MAX_TABLE_ROWS) -> str | None:
    """The entry's name, or None when a file cannot be read (lifting then says why). The table
    limit is part of it: a lift stored under a larger limit must not hide the limit's error."""
    head = f"{FORMAT}\0{source_digest()}\0{level}\0{max_table_rows}\0{path}\0"
    digest = hashlib.sha256(head.encode())
    for file in model_files(path):
        try:
            data = file.read_bytes()
        except OSError:
            return None
        digest.update(f"{file.name}\0{len(data)}\0".encode())
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def _read(entry: Path) -> Program | None:
    """The entry's program, or None when it is missing, altered or unreadable."""
    try:
        check, _, text = entry.read_text(encoding="utf-8").partition("\n")
        if hashlib.sha256(text.encode()).hexdigest() != check:
            return None
        return from_json(text)
    except (OSError, UnicodeDecodeError, ValueError, IRError):
        return None


def _write(entry: Path, program: Program) -> None:
    """Best effort: a cache that cannot be written is only slower."""
    from tpc.atomic import write_text

    text = to_json(program)
    try:
        entry.parent.mkdir(mode=0o700, exist_ok=True)
        write_text(entry, f"{hashlib.sha256(text.encode()).hexdigest()}\n{text}")
    except (OSError, TpcError):
        pass


def lifted(path, level: int = 0, optimizer=None, max_table_rows: int = MAX_TABLE_ROWS) -> Program:
    """The model at `path` lifted (no MLP table over `max_table_rows` rows) and optimized at
    `level` (`optimizer(program)`, default `tpc.passes.optimize` at `level`), read from the
    cache when an entry for exactly these files, path, level, limit and tpc exists; else built
    (torch is imported only then) and stored."""
    path = Path(path)
    folder = cache_dir() if _enabled() else None
    key = None if folder is None else entry_key(path, level, max_table_rows)
    entry = None if key is None else folder / "lift" / f"{key}.json"
    if entry is not None:
        program = _read(entry)
        if program is not None:
            return program
    if level == 0:
        from tpc.lift import lift_checkpoint  # lazy: torch

        program = lift_checkpoint(path, max_table_rows)
    else:
        from tpc.passes import optimize

        program = lifted(path, 0, max_table_rows=max_table_rows)
        program = optimizer(program) if optimizer is not None else optimize(program, level)
    if entry is not None:
        _write(entry, program)
    return program
