"""RASP's `load "name";`: the statements of `name.rasp` run in the loading program's scope, so
its definitions become the program's. The file is looked up beside the loading file, then in
each folder of the search path (TPC_RASP_PATH, folders separated as in PATH)."""

from __future__ import annotations

import os
from pathlib import Path

from tpc.frontend.parser import parse
from tpc.frontend.values import string_value

SEARCH_PATH_VARIABLE = "TPC_RASP_PATH"


def outermost(filename: str) -> list[Path]:
    """The chain of files being read when translation starts: the program's own file."""
    return [] if filename.startswith("<") else [Path(filename).resolve()]


def candidates(name: str, loading_file: str) -> list[Path]:
    """Where `load "name";` in `loading_file` looks, in order."""
    filename = name if name.endswith(".rasp") else name + ".rasp"
    here = Path(loading_file).parent if not loading_file.startswith("<") else Path.cwd()
    folders = [here] + [
        Path(p) for p in os.environ.get(SEARCH_PATH_VARIABLE, "").split(os.pathsep) if p
    ]
    return [folder / filename for folder in folders]


def load(tr, stmt, env, top):
    """Run the statements of the loaded file; a load cycle or a missing file is an error."""
    cx = tr.cx
    _load, name_tok = stmt.children
    name = string_value(name_tok)
    found = next((p for p in candidates(name, cx.filename) if p.is_file()), None)
    if found is None:
        raise cx.error(
            name_tok,
            f"cannot load {name!r}: no file {Path(candidates(name, cx.filename)[0]).name} "
            f"beside {cx.filename} or in ${SEARCH_PATH_VARIABLE}",
        )
    key = found.resolve()
    if key in tr.loading:
        chain = " -> ".join(p.name for p in [*tr.loading, key])
        raise cx.error(name_tok, f"load cycle: {chain}")
    try:
        source = found.read_text()
    except (OSError, UnicodeDecodeError) as err:
        raise cx.error(name_tok, f"cannot load {name!r}: {err}") from None
    filename = str(found)
    tree = parse(source, filename)
    for subtree in tree.iter_subtrees():  # its trees are located in it wherever they are used
        subtree.meta.loaded_from = filename
    last_assign = tr.last_assign  # a loaded file's assignments are not the program's output
    tr.loading.append(key)
    try:
        with cx.reading(filename, source):
            tr.top_level(tree, env)
    finally:
        tr.loading.pop()
    tr.last_assign = last_assign
