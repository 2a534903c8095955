"""The names RASP's REPL has before a program starts (its library: `full_s`, `count`,
`sort`, ...), written here in tpc's RASP. A program's own definitions hide them. `tokens_*`
are RASP's typed views of the input tokens."""

from __future__ import annotations

import functools

from tpc.frontend import bos
from tpc.frontend.fusion import as_expr, combine
from tpc.frontend.values import Func, normalize, strict

LIBRARY = """
def full_s() { return select(indices, indices, true); }
def has_focus(sel) { return selector_width(sel) > 0; }
def count(seq, atom) { return selector_width(select(seq, atom, ==)); }
def contains(seq, atom) { return count(seq, atom) > 0; }
def max(a, b) { return a if a > b else b; }
def min(a, b) { return a if a < b else b; }
def average(a) { return aggregate(full_s, a); }
def load_from_location(seq, location) { return aggregate(select(indices, location, ==), seq); }
def shift(seq, n, filler) { return aggregate(select(indices, indices - n, ==), seq, filler); }
def mark_last_instance(seq, val) {
    later_same = select(seq, val, ==) and select(indices, indices, >);
    return seq == val and not has_focus(later_same);
}
def mark_first_instance(seq, val) {
    earlier_same = select(seq, val, ==) and select(indices, indices, <);
    return seq == val and not has_focus(earlier_same);
}
def select_from_last(seq, val) { return select(mark_last_instance(seq, val), True, ==); }
def select_from_first(seq, val) { return select(mark_first_instance(seq, val), True, ==); }
def sort(seq, key) {
    before = select(key, key, <) or (select(key, key, ==) and select(indices, indices, <));
    return aggregate(select(selector_width(before), indices, ==), seq);
}
def select_next_identical(seq) {
    same = select(seq, seq, ==);
    rank = selector_width(same and select(indices, indices, <));
    return same and select(rank, rank + 1, ==);
}
"""


# What RASP's `s[i]` and `atom in s` mean, called by the translator only (a program cannot
# name them).
SUGAR = """
def atom_in(seq, atom) { return selector_width(select(seq, atom, ==)) > 0; }
def index_from_start(seq, i) { return aggregate(select(indices, i, ==), seq); }
def index_from_end(seq, i) { return aggregate(select(indices, length + i, ==), seq); }
"""


# Library values: a name -> the library function of no arguments that computes it.
VALUES = {"full_s": "full_s"}


@functools.lru_cache(maxsize=1)
def functions() -> dict:
    """The library's functions by name (parsed once)."""
    return _parse_functions(LIBRARY)


@functools.lru_cache(maxsize=1)
def sugar() -> dict:
    """The functions behind `s[i]` and `atom in s` by name (parsed once)."""
    return _parse_functions(SUGAR)


def _parse_functions(text: str) -> dict:
    from tpc.frontend.parser import parse

    tree = parse(text, "<library>")
    out = {}
    for stmt in tree.children:
        name, params, *body, ret = stmt.children
        out[str(name)] = Func(
            str(name), [str(p) for p in (params.children if params else [])], body, ret
        )
    return out


def _typed_tokens(name: str, convert):
    def view(cx, where):
        key = ("tokens", name)
        if key not in cx.cache:
            cx.cache[key] = combine(
                cx,
                [as_expr(cx, bos.tokens(cx), where)],
                strict(convert, name),
                "categorical",
                where,
                f"tokens_{name}",
            )
        return cx.cache[key]

    return view


def _exact_float(text):
    from fractions import Fraction

    return normalize(Fraction(text))


TOKEN_VIEWS = {
    "tokens_str": lambda cx, where: bos.tokens(cx),
    "tokens_asis": lambda cx, where: bos.tokens(cx),
    "tokens_int": _typed_tokens("int", int),
    "tokens_float": _typed_tokens("float", _exact_float),
    "tokens_bool": _typed_tokens("bool", bool),
}
