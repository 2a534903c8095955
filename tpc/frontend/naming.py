"""Names for what the program does not name: an anonymous subexpression is named from what it
is (`tokens_lt_tokens` for `select(tokens, tokens, <)`, `n_smaller` for
`selector_width(smaller)`, `mean_opens` for an aggregate of `opens`), built from the names of
its parts, so emitted code reads like the source. A name past MAX_LENGTH characters is no
help; then the caller's generic stem (`map`, `select`, ...) is used instead."""

from __future__ import annotations

import unicodedata

from tpc.frontend.values import Expr, RaspFailure, Sel, SOp

MAX_LENGTH = 28

OP_WORDS = {  # an operator as part of a name
    "+": "plus",
    "-": "minus",
    "*": "times",
    "/": "over",
    "%": "mod",
    "^": "pow",
    "==": "eq",
    "!=": "ne",
    "<": "lt",
    "<=": "le",
    ">": "gt",
    ">=": "ge",
    "and": "and",
    "or": "or",
}


BRACKETS = {
    "(": "lparen",
    ")": "rparen",
    "[": "lbracket",
    "]": "rbracket",
    "{": "lbrace",
    "}": "rbrace",
}


def _word(value) -> str | None:
    """A constant as part of a name: `1`, `neg1`, `T`, `lparen`, `full_stop`; None otherwise."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"neg{-value}" if value < 0 else str(value)
    if isinstance(value, str):
        if value.isascii() and value.isidentifier():  # RASP names are ASCII
            return value
        if len(value) == 1:
            return BRACKETS.get(value) or unicodedata.name(value, "char").lower().replace(
                " ", "_"
            ).replace("-", "_")
    return None


def describe(value) -> str | None:
    """The name of an s-op, selector or expression: its program name, else its derived name."""
    if isinstance(value, (SOp, Sel)):
        return value.node
    if isinstance(value, Expr):
        if value.hint or value.label:
            return value.hint or value.label
        if value.base is not None:
            return value.base.node
        if value.is_const:
            try:
                return _word(value.const())
            except RaspFailure:  # a failing constant is reported where it is used
                return None
    return None


def joined(*parts) -> str | None:
    """`parts` (names or their descriptions) joined by "_", or None when a part has no name or
    the result is too long to help."""
    words = [p if isinstance(p, str) else describe(p) for p in parts]
    if any(w is None for w in words):
        return None
    name = "_".join(words)
    return name if len(name) <= MAX_LENGTH else None


def binary(op: str, a, b) -> str | None:
    """`a OP b` as a name: `balance_lt_0`."""
    return joined(a, OP_WORDS.get(op, "op"), b)


def selection(op: str | None, keys, queries) -> str | None:
    """A select's name: `keys_lt_queries` for a comparison, `all_keys` for `true`, else
    `select_keys_queries` for a table predicate."""
    if op == "true":
        return (
            joined("all", keys)
            if describe(keys) == describe(queries)
            else joined("all", keys, queries)
        )
    if op in OP_WORDS:
        return joined(keys, OP_WORDS[op], queries)
    return joined("select", keys, queries)
