"""The runtime part of an emitted module: runtime.py (with causal.py's or implicit_bos.py's
definitions in place of its own where the program is causal or its callers leave BOS out) read
as source, and the definitions and imports a program's code uses, with what they use in turn."""

from __future__ import annotations

import ast
import inspect

import libcst as cst

from tpc.backends.python import causal, implicit_bos, runtime


def bound(stmt) -> tuple[str, ...]:
    """The names a top-level statement binds."""
    node = ast.parse(cst.Module([stmt]).code).body[0]
    if isinstance(node, ast.FunctionDef):
        return (node.name,)
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return tuple(a.asname or a.name.split(".")[0] for a in node.names)
    return tuple(
        n.id
        for t in node.targets
        for n in (t.elts if isinstance(t, ast.Tuple) else [t])
        if isinstance(n, ast.Name)
    )


def names_in(source: str) -> set[str]:
    """Every variable name `source` reads or binds (attribute names are not variables)."""
    return {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}


def _statements(module) -> list:
    """The top-level statements of `module`'s source, docstring and imports from tpc left out."""
    body = list(cst.parse_module(inspect.getsource(module)).body)
    if (
        body
        and isinstance(body[0], cst.SimpleStatementLine)
        and isinstance(body[0].body[0], cst.Expr)
    ):
        body = body[1:]
    # A variant module imports the runtime's stand-ins to be importable; emitted modules have
    # their own.
    return [st for st in body if not cst.Module([st]).code.startswith("from tpc.")]


_BODY = _statements(runtime)
_IMPORTS = [
    st
    for st in _BODY
    if isinstance(st, cst.SimpleStatementLine)
    and isinstance(st.body[0], (cst.Import, cst.ImportFrom))
]
_DEFS = {bound(st)[0]: st for st in _BODY if st not in _IMPORTS}
_CAUSAL = {bound(st)[0]: st for st in _statements(causal)}
_IMPLICIT_BOS = {bound(st)[0]: st for st in _statements(implicit_bos)}
# The names each definition reads, by statement: a variant's definition reads its own.
_USES = {
    id(st): names_in(cst.Module([st]).code)
    for st in [*_DEFS.values(), *_CAUSAL.values(), *_IMPLICIT_BOS.values()]
}

# Every name the runtime defines at top level: emitted code must not reuse them.
NAMES = frozenset(_DEFS) | {name for st in _IMPORTS for name in bound(st)}


def prelude(
    used: set[str], causal: bool, implicit_bos: bool, provided: set[str]
) -> tuple[list, list]:
    """(imports, definitions): the runtime statements that code using `used` names needs,
    in runtime.py's order; definitions of `provided` names (the program's constants) are left
    to the emitted module, causal programs get causal.py's selects and programs whose callers
    leave BOS out implicit_bos.py's encode."""
    variant = {**(_CAUSAL if causal else {}), **(_IMPLICIT_BOS if implicit_bos else {})}
    defs = {name: variant.get(name, st) for name, st in _DEFS.items() if name not in provided}
    need, todo = set(), [n for n in used if n in defs]
    while todo:
        name = todo.pop()
        if name not in need:
            need.add(name)
            todo.extend(n for n in _USES[id(defs[name])] if n in defs)
    stmts = [st for name, st in defs.items() if name in need]
    names = set(used).union(*(_USES[id(st)] for st in stmts))
    imports = [st for st in _IMPORTS if set(bound(st)) & names]
    return imports, stmts
