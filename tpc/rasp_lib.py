"""The programs of tracr's `compiler/lib.py`, under the same names, built from `tpc.rasp`.

A program file's `from tracr.compiler import lib` resolves here (tpc.frontend.tracr_file).
Each function builds the same graph as tracr's, so values, names and labels agree.
"""

from __future__ import annotations

from typing import Sequence

from tpc import rasp


def make_length() -> rasp.SOp:
    """The input's length at every position: the width of an all-true selector."""
    everything = rasp.Select(rasp.tokens, rasp.tokens, rasp.Comparison.TRUE).named(
        "all_true_selector"
    )
    return rasp.SelectorWidth(everything).named("length")


length = make_length()


def make_reverse(sop: rasp.SOp) -> rasp.SOp:
    """`sop` read from the last position to the first."""
    opposite = (length - rasp.indices).named("opp_idx")
    opposite = (opposite - 1).named("opp_idx-1")
    mirror = rasp.Select(rasp.indices, opposite, rasp.Comparison.EQ).named("reverse_selector")
    return rasp.Aggregate(mirror, sop).named("reverse")


def make_pair_balance(sop: rasp.SOp, open_token: str, close_token: str) -> rasp.SOp:
    """The fraction of positions so far holding `open_token` minus those holding `close_token`."""
    opens = rasp.numerical(sop == open_token).named("bools_open")
    opens = rasp.numerical(make_frac_prevs(opens)).named("opens")
    closes = rasp.numerical(sop == close_token).named("bools_close")
    closes = rasp.numerical(make_frac_prevs(closes)).named("closes")
    balance = rasp.numerical(rasp.LinearSequenceMap(opens, closes, 1, -1))
    return balance.named("pair_balance")


def make_shuffle_dyck(pairs: list) -> rasp.SOp:
    """1 at every position when each pair of brackets in `pairs` is balanced, else 0."""
    assert len(pairs) >= 1
    balances = []
    for pair in pairs:
        assert len(pair) == 2
        opener, closer = pair
        balances.append(
            make_pair_balance(rasp.tokens, open_token=opener, close_token=closer).named(
                f"balance_{pair}"
            )
        )
    any_negative = balances[0] < 0
    for balance in balances[1:]:
        any_negative = any_negative | (balance < 0)
    any_negative = rasp.numerical(rasp.Map(lambda x: x, any_negative)).named("any_negative")
    everywhere = rasp.Select(rasp.indices, rasp.indices, rasp.Comparison.TRUE).named("select_all")
    has_negative = rasp.numerical(rasp.Aggregate(everywhere, any_negative, default=0)).named(
        "has_neg"
    )
    all_zero = balances[0] == 0
    for balance in balances[1:]:
        all_zero = all_zero & (balance == 0)
    last = rasp.Select(rasp.indices, length - 1, rasp.Comparison.EQ).named("select_last")
    last_zero = rasp.Aggregate(last, all_zero).named("last_zero")
    no_negative = (~has_negative).named("not_has_neg")
    return (last_zero & no_negative).named("shuffle_dyck")


def make_shuffle_dyck2() -> rasp.SOp:
    return make_shuffle_dyck(pairs=["()", "{}"]).named("shuffle_dyck2")


def make_hist() -> rasp.SOp:
    """How many times each position's token occurs in the input."""
    same = rasp.Select(rasp.tokens, rasp.tokens, rasp.Comparison.EQ).named("same_tok")
    return rasp.SelectorWidth(same).named("hist")


def make_sort_unique(vals: rasp.SOp, keys: rasp.SOp) -> rasp.SOp:
    """`vals` ordered by `keys` (which must be distinct)."""
    smaller = rasp.Select(keys, keys, rasp.Comparison.LT).named("smaller")
    target = rasp.SelectorWidth(smaller).named("target_pos")
    moved = rasp.Select(target, rasp.indices, rasp.Comparison.EQ)
    return rasp.Aggregate(moved, vals).named("sort")


def make_sort(vals: rasp.SOp, keys: rasp.SOp, *, max_seq_len: int, min_key: float) -> rasp.SOp:
    """`vals` ordered by numeric `keys`, ties kept in input order (the keys are made distinct
    by adding `min_key * index / max_seq_len`)."""
    keys = rasp.SequenceMap(lambda x, i: x + min_key * i / max_seq_len, keys, rasp.indices)
    return make_sort_unique(vals, keys)


def make_sort_freq(max_seq_len: int) -> rasp.SOp:
    """The tokens ordered by how often they occur, most frequent first."""
    hist = -1 * make_hist().named("hist")
    return make_sort(rasp.tokens, hist, max_seq_len=max_seq_len, min_key=1).named("sort_freq")


def make_frac_prevs(bools: rasp.SOp) -> rasp.SOp:
    """The fraction of positions up to each one where `bools` holds."""
    bools = rasp.numerical(bools)
    so_far = rasp.Select(rasp.indices, rasp.indices, rasp.Comparison.LEQ)
    return rasp.numerical(rasp.Aggregate(so_far, bools, default=0)).named("frac_prevs")


def shift_by(offset: int, /, sop: rasp.SOp) -> rasp.SOp:
    """`sop` moved `offset` positions later; None before."""
    earlier = rasp.Select(rasp.indices, rasp.indices, lambda k, q: q == k + offset)
    return rasp.Aggregate(earlier, sop, default=None).named(f"shift_by({offset})")


def detect_pattern(sop: rasp.SOp, pattern: Sequence) -> rasp.SOp:
    """True where `pattern` ends in `sop`, False elsewhere; None for the first
    len(pattern) - 1 positions."""
    if len(pattern) < 1:
        raise ValueError(f"Length of `pattern` must be at least 1. Got {pattern}")
    detectors = []
    for back, element in enumerate(reversed(pattern)):
        detector = sop == element
        detectors.append(shift_by(back, detector) if back else detector)
    found = detectors.pop()
    while detectors:
        found = found & detectors.pop()
    return found.named(f"detect_pattern({pattern})")


def make_count_less_freq(n: int) -> rasp.SOp:
    """How many positions hold a token occurring at most `n` times."""
    hist = make_hist().named("hist")
    rare = rasp.Select(hist, hist, lambda x, y: x <= n).named("select_less")
    return rasp.SelectorWidth(rare).named("count_less_freq")


def make_count(sop, token):
    """How many positions of `sop` hold `token`, at every position."""
    return rasp.SelectorWidth(rasp.Select(sop, sop, lambda k, q: k == token)).named(
        f"count_{token}"
    )


def make_nary_sequencemap(f, *sops):
    """`f` of several s-ops: their values gathered into tuples by SequenceMaps, then one Map."""
    values, *rest = sops
    for sop in rest:
        values = rasp.SequenceMap(
            lambda x, y: (*x, y) if isinstance(x, tuple) else (x, y), values, sop
        )
    return rasp.Map(lambda args: f(*args), values)
