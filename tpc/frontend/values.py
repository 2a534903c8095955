"""What a RASP name or expression stands for while a program is translated, and the
element-wise operations on RASP values.

- `SOp`: an IR node plus `dec`, the decoding of its IR values into RASP values (tokens: "<s>"
  -> None; indices: i -> i - 1 with BOS -> None), its kind, two facts used to keep BOS out of
  RASP's view: `bos_none` (its RASP value at BOS is None) and `real_none` (it can be None at
  a real position), and `complete` (its values are all those of the domain, not only one
  input's).
- `Expr`: an element-wise expression not yet turned into IR nodes: a Python function of the
  RASP values of at most two s-ops (`args`); see tpc.frontend.fusion.
- `Sel`: a selector node; `bos_row_only` says that the BOS query selects nothing but BOS.
- `ConstList`, `ConstDict`, `Multi`: compile-time lists, dicts and tuples.
- `Func`: a `def`, inlined at each call.
"""

from __future__ import annotations

import ast
from fractions import Fraction
from typing import Any, Callable

from attrs import define, field

from tpc.ir import Predicate, Table, is_number, normalize, show, sort_key


@define(eq=False)
class SOp:
    node: str
    kind: str
    dec: Callable | None = None  # IR value -> RASP value; None = identity
    bos_none: bool = False
    real_none: bool = False
    # Its IR values are all it takes on the domain; False when a translation for one input
    # (tpc.frontend.witness) gave it only the values that input reaches.
    complete: bool = True

    def decode(self, v):
        return v if self.dec is None else self.dec(v)


@define(eq=False)
class Expr:
    """An element-wise function of the RASP values of `args` (at most two s-ops)."""

    args: tuple
    fn: Callable
    kind: str = "categorical"
    base: SOp | None = None  # set when the Expr is just `base`
    hint: str | None = None  # the program's name for it
    label: str | None = None  # a name derived from what it computes (tpc.frontend.naming)
    where: Any = None  # the source of the expression, for errors found when tabulating
    done: dict = field(factory=dict)  # kind -> materialized SOp

    @property
    def is_const(self) -> bool:
        return not self.args

    def const(self):
        return self.fn()


@define(eq=False)
class Sel:
    node: str
    bos_row_only: bool = False


@define(eq=False)
class ConstList:
    values: list


@define(eq=False)
class ConstDict:
    items: dict


@define(eq=False)
class Multi:
    """Several values at once: a `return a, b;` or the right side of `x, y = a, b;`."""

    values: list


@define(eq=False)
class Func:
    name: str
    params: list
    body: list
    ret: Any
    origin: Any = None  # (file name, text) of a function defined in another file than the caller


def const(value) -> Expr:
    """The constant `value` as an expression of no s-ops."""
    return Expr((), lambda: value)


# --- element-wise operations on RASP values ---------------------------------------------------


class RaspFailure(Exception):
    """An element-wise operation that fails on the values it is given (division by zero,
    ordering a number and a string): RASP raises it where the values are reached. `where` is
    the operation's source, filled in by the expression that applies it."""

    def __init__(self, message: str, where=None):
        super().__init__(message)
        self.message = message
        self.where = where


def strict(f, name: str | None = None):
    """Element-wise RASP operation: None in -> None out; a failing operation raises
    RaspFailure naming the operation (`name`, e.g. "/") and its values."""

    def g(*xs):
        if any(x is None for x in xs):
            return None
        try:
            return normalize(f(*xs))
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, ArithmeticError) as err:
            shown = (
                f" {name} ".join(map(show, xs))
                if name and len(xs) == 2
                else f"{name or 'operation'}({', '.join(map(show, xs))})"
            )
            reason = "division by zero" if isinstance(err, ZeroDivisionError) else "cannot compute"
            raise RaspFailure(f"{reason}: {shown}") from None

    return g


def none_in_none_out(f):
    def g(*xs):
        return None if any(x is None for x in xs) else f(*xs)

    return g


def _div(a, b):
    if isinstance(a, (int, Fraction)) and isinstance(b, (int, Fraction)):
        return Fraction(a) / Fraction(b)
    return a / b


def _pow(a, b):
    if is_number(b) and abs(b) > 256:
        raise OverflowError
    return a**b


BINOPS = {
    op: strict(f, op)
    for op, f in {
        "+": lambda a, b: a + b,
        "-": lambda a, b: a - b,
        "*": lambda a, b: a * b,
        "/": _div,
        "%": lambda a, b: a % b,
        "^": _pow,
        "==": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
        "<": lambda a, b: a < b,
        ">": lambda a, b: a > b,
        "<=": lambda a, b: a <= b,
        ">=": lambda a, b: a >= b,
        "and": lambda a, b: bool(a) and bool(b),
        "or": lambda a, b: bool(a) or bool(b),
    }.items()
}
ARITH = {"+", "-", "*", "/", "%", "^"}


MAX_LITERAL_DIGITS = 100  # an exact 1e99999999 would take the machine's memory and hours


def number_literal(text: str) -> Fraction:
    """The exact value of a NUMBER token; ValueError past MAX_LITERAL_DIGITS digits or exponent."""
    digits, _, exponent = text.lower().partition("e")
    if len(digits) > MAX_LITERAL_DIGITS or len(exponent.lstrip("+-0")) > 2:
        raise ValueError(
            f"number literal too large (at most {MAX_LITERAL_DIGITS} digits, exponent below 100)"
        )
    return Fraction(text)


def rasp_round(x):
    if not is_number(x):
        raise TypeError
    return round(x)


def to_number(v):
    if isinstance(v, bool):
        return int(v)
    return v


def dict_key(v):
    """Dictionary key for a value: True and 1 stay apart, 1 and 1.0 meet."""
    return sort_key(normalize(v))


def string_value(tok) -> str:
    """The string a STRING token spells."""
    text = str(tok)
    try:
        return ast.literal_eval(text)
    except (SyntaxError, ValueError):  # pragma: no cover - the lexer only accepts valid strings
        return text[1:-1]


def predicate(op, table, queries: SOp, keys: SOp, query_values, key_values, raw=False) -> Predicate:
    """Comparison `op` of the decoded values of `queries` and `keys` (a comparison predicate:
    no pairs are listed, see tpc.ir.Predicate), or else the pairs of IR values (among
    `query_values` x `key_values`) that table predicate `table` (query key -> set of selected
    key keys) selects on the decoded values; unless `raw`, a None value selects only None."""
    if op is not None and raw:
        return Predicate.comparison(op)
    if op is not None:
        return Predicate.comparison(op, _view(queries, query_values), _view(keys, key_values))
    pairs = []
    for q in query_values:
        for k in key_values:
            if raw:
                ok = dict_key(k) in table.get(dict_key(q), ())
            else:
                qr, kr = queries.decode(q), keys.decode(k)
                ok = (
                    (kr is None and qr is None)
                    if (kr is None or qr is None)
                    else dict_key(kr) in table.get(dict_key(qr), ())
                )
            if ok:
                pairs.append((q, k))
    return Predicate(pairs)


def _view(s: SOp, values) -> Table | None:
    """`s`'s decoding over `values` as a table (None when its IR values are its RASP values)."""
    return None if s.dec is None else Table([(v, s.dec(v)) for v in values])
