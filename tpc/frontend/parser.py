"""Parsing tpc's RASP dialect (grammar/rasp.lark) into a lark tree, with located errors."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from tpc.cache import cache_dir
from tpc.errors import TpcError

# The translator walks expressions recursively; a source nested deeper than this (parentheses,
# unary operators, long `and` chains) is refused with a located error instead of exhausting
# Python's stack.
MAX_NESTING = 100

# How expected terminals are named in "expected ..." messages.
_TERMINAL_NAMES = {
    "SEMICOLON": "';'", "LPAR": "'('", "RPAR": "')'", "LBRACE": "'{'", "RBRACE": "'}'",
    "LSQB": "'['", "RSQB": "']'", "COMMA": "','", "EQUAL": "'='", "COLON": "':'",
    "NAME": "a name", "NUMBER": "a number", "STRING": "a string", "COMP_OP": "a comparison",
    "ADD_OP": "'+' or '-'", "MUL_OP": "'*' or '/'", "MOD_OP": "'%'", "RETURN": "'return'", "$END": "end of file",
}


def _grammar_text() -> str:
    try:
        return resources.files("tpc.grammar").joinpath("rasp.lark").read_text()
    except (ModuleNotFoundError, FileNotFoundError):  # running from a source tree without install
        return (Path(__file__).resolve().parents[2] / "grammar" / "rasp.lark").read_text()


@functools.lru_cache(maxsize=1)
def parser() -> lark.Lark:
    return lark.Lark(_grammar_text(), parser="lalr", propagate_positions=True, maybe_placeholders=True,
                     cache=_cache_file())


def _cache_file() -> str | bool:
    """Where lark keeps the LALR tables it builds from the grammar (about 1 s, in every process
    otherwise), or False. Lark checks the grammar, options and versions it was built from and
    rebuilds on any change or unreadable file, so the parser is the same either way. The file
    is a pickle, so it lives only in a folder of the user's that no one else can write
    (`tpc.cache.cache_dir`)."""
    folder = cache_dir()
    return False if folder is None else str(folder / "rasp-grammar.lark-cache")


def _describe(token) -> str:
    if token.type == "$END" or not str(token):
        return "end of file"
    return repr(str(token))


def _expected(names) -> str:
    shown = sorted({_TERMINAL_NAMES.get(n, f"'{n.lower()}'" if n.isalpha() else n) for n in names})
    if len(shown) > 6:
        return ""
    return "; expected " + (shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1])


def parse(source: str, filename: str = "<string>") -> lark.Tree:
    """Parse `source`; syntax errors become TpcError("file:line:col: reason")."""
    try:
        tree = parser().parse(source)
    except UnexpectedInput as e:
        line, col = getattr(e, "line", -1), getattr(e, "column", -1)
        if isinstance(e, UnexpectedCharacters):
            reason = f"syntax error: unexpected character {source[e.pos_in_stream]!r}"
        elif isinstance(e, UnexpectedEOF) or (isinstance(e, UnexpectedToken) and e.token.type == "$END"):
            reason = "syntax error: unexpected end of file" + _expected(e.expected)
            lines = source.splitlines() or [""]
            line = len(lines)
            col = len(lines[-1]) + 1
        elif isinstance(e, UnexpectedToken):
            reason = f"syntax error: unexpected {_describe(e.token)}" + _expected(e.expected)
        else:  # pragma: no cover
            reason = "syntax error"
        if line is None or line < 1:
            line, col = 1, 1
        raise TpcError.at(filename, source, line, col, reason) from None
    _check_nesting(tree, source, filename)
    return tree


def _check_nesting(tree: lark.Tree, source: str, filename: str) -> None:
    """Refuse trees nested deeper than MAX_NESTING, naming where the limit is passed."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            line, col = (node.meta.line, node.meta.column) if not node.meta.empty else (1, 1)
            raise TpcError.at(filename, source, line, col,
                              f"expression nested too deeply (more than {MAX_NESTING} levels)")
        stack.extend((c, depth + 1) for c in node.children if isinstance(c, lark.Tree))
