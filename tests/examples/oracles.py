"""Independent plain-Python oracles for the RASP examples in examples/rasp/.

Each oracle computes, straight from the task's definition, the list of output values an
example program should produce for a token list (no BOS). Nothing here imports tpc: these
functions must stay a second, unrelated implementation of each task.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

# The filler most_freq writes after the distinct tokens (the task writes <s> there).
MOST_FREQ_FILLER = "-"


# --- the RASP paper / Transformer Programs tasks ------------------------------------------------


def reverse(xs: list) -> list:
    return list(reversed(xs))


def hist(xs: list) -> list:
    counts = Counter(xs)
    return [counts[x] for x in xs]


def double_hist(xs: list) -> list:
    """For each token: how many distinct tokens occur exactly as often as it does."""
    counts = Counter(xs)
    sharing = Counter(counts.values())  # count -> number of distinct tokens with that count
    return [sharing[counts[x]] for x in xs]


def sort(xs: list) -> list:
    return sorted(xs)


def most_freq(xs: list) -> list:
    """Distinct tokens by decreasing count (ties: earlier first occurrence first), then filler."""
    counts = Counter(xs)
    first = {}
    for i, x in enumerate(xs):
        first.setdefault(x, i)
    ranked = sorted(counts, key=lambda x: (-counts[x], first[x]))
    return ranked + [MOST_FREQ_FILLER] * (len(xs) - len(ranked))


def _dyck(xs: list, pairs: dict) -> list:
    """Per prefix: "T" balanced, "P" not balanced but completable, "F" never completable.

    `pairs` maps each closer to its opener; tokens that are neither are ignored.
    """
    openers = set(pairs.values())
    stack: list = []
    broken = False
    out = []
    for x in xs:
        if not broken:
            if x in openers:
                stack.append(x)
            elif x in pairs:
                if stack and stack[-1] == pairs[x]:
                    stack.pop()
                else:
                    broken = True
        out.append("F" if broken else "P" if stack else "T")
    return out


def dyck1(xs: list) -> list:
    return _dyck(xs, {")": "("})


def dyck2(xs: list) -> list:
    return _dyck(xs, {")": "(", "}": "{"})


def length(xs: list) -> list:
    return [len(xs)] * len(xs)


def frac_prevs(xs: list, target="x") -> list:
    """At position i: the fraction of positions 0..i holding `target`."""
    out, seen = [], 0
    for i, x in enumerate(xs):
        seen += x == target
        out.append(Fraction(seen, i + 1))
    return out


# --- tracr's lib.py ----------------------------------------------------------------------------


def sort_unique(xs: list) -> list:
    """Only defined for inputs without repeated tokens."""
    assert len(set(xs)) == len(xs), "sort_unique is undefined on repeated keys"
    return sorted(xs)


def sort_freq(xs: list) -> list:
    """Tokens ordered by decreasing count; equal counts keep input order (a stable sort)."""
    counts = Counter(xs)
    return sorted(xs, key=lambda x: -counts[x])  # Python's sort is stable


def pair_balance(xs: list, open_token="(", close_token=")") -> list:
    """At position i: (#open - #close among positions 0..i) / (i + 1)."""
    out, bal = [], 0
    for i, x in enumerate(xs):
        bal += (x == open_token) - (x == close_token)
        out.append(Fraction(bal, i + 1))
    return out


def shuffle_dyck(xs: list, pairs: list[str]) -> list:
    """Every position: True when, for each pair separately, the counts balance (no prefix
    closes more than it opened, and the whole input closes all it opened); else False.
    Bracket kinds may interleave ("({)}" is shuffle-balanced)."""
    ok = True
    for opener, closer in pairs:
        depth = 0
        for x in xs:
            depth += (x == opener) - (x == closer)
            if depth < 0:
                ok = False
        if depth != 0:
            ok = False
    return [ok] * len(xs)


def shuffle_dyck1(xs: list) -> list:
    return shuffle_dyck(xs, ["()"])


def shuffle_dyck2(xs: list) -> list:
    return shuffle_dyck(xs, ["()", "{}"])
