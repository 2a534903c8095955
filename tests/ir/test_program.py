from fractions import Fraction

import pytest
from hypothesis import given
from strategies import programs

from tpc.ir import (
    SELECTOR,
    Aggregate,
    Builder,
    Categorical,
    Domain,
    IRError,
    Map,
    Numerical,
    Predicate,
    Program,
    Select,
    Table,
    Tokens,
    from_json,
    to_json,
    validate,
)

DOM = Domain(vocab="ab", max_len=3)
TOKENS = Tokens(name="tokens", type=Categorical(["<s>", "a", "b"]))


@given(programs())
def test_json_round_trip_is_exact(program):
    assert from_json(to_json(program)) == program


def test_json_keeps_value_kinds_apart():
    b = Builder(DOM)
    t = b.tokens()
    b.output("o", b.map({"<s>": None, "a": True, "b": 1}.get, t))
    b.output("f", b.map(lambda x: Fraction(1, 3), t, kind="numerical"))
    prog = b.build()
    back = from_json(to_json(prog))
    assert back["map_1"].type.values == (None, True, 1)
    assert back["map_2"].type.values == (Fraction(1, 3),)


def _prog(*nodes, outputs=None):
    return Program([TOKENS, *nodes], outputs or {"o": nodes[-1].name if nodes else "tokens"}, DOM)


def test_table_must_be_total():
    m = Map(name="m", type=Categorical([1]), x="tokens", table=Table({"a": 1, "b": 1}))
    with pytest.raises(IRError, match="m: table is not total; no row for '<s>'"):
        validate(_prog(m))


def test_declared_type_must_cover_values():
    m = Map(name="m", type=Categorical([1]), x="tokens", table=Table({"<s>": 1, "a": 1, "b": 2}))
    with pytest.raises(
        IRError, match="m: declared categorical type does not cover its values .missing 2"
    ):
        validate(_prog(m))


def test_cycles_and_unknown_names_are_reported():
    a = Map(name="a", type=Categorical([1]), x="b", table=Table({1: 1}))
    b = Map(name="b", type=Categorical([1]), x="a", table=Table({1: 1}))
    with pytest.raises(IRError, match="a: reads 'b', which depends on it"):
        validate(_prog(a, b))
    c = Map(name="c", type=Categorical([1]), x="nowhere", table=Table({1: 1}))
    with pytest.raises(IRError, match="c: reads 'nowhere', which is not defined"):
        validate(_prog(c))


def test_selector_where_sop_needed():
    s = Select(name="s", keys="tokens", queries="tokens", predicate=Predicate([]))
    m = Map(name="m", type=Categorical([1]), x="s", table=Table({}))
    with pytest.raises(IRError, match="m: x must be an s-op, but 's' is a selector"):
        validate(_prog(s, m))
    agg = Aggregate(name="g", type=Categorical(["a"]), selector="tokens", values="tokens")
    with pytest.raises(
        IRError, match="g: selector must be a selector, but 'tokens' is a categorical"
    ):
        validate(_prog(agg))
    with pytest.raises(IRError, match="output 'o' is a selector"):
        validate(_prog(s))


def test_aggregate_reduction_must_fit_values():
    s = Select(name="s", keys="tokens", queries="tokens", predicate=Predicate([]))
    g = Aggregate(name="g", type=Numerical([0]), selector="s", values="tokens", reduce="mean")
    with pytest.raises(IRError, match="g: a mean aggregate cannot take categorical values"):
        validate(_prog(s, g))


def test_duplicate_names():
    with pytest.raises(IRError, match="two nodes are named 'tokens'"):
        validate(_prog(TOKENS))


def test_mean_value_set_is_every_reachable_fraction():
    b = Builder(Domain(vocab="ab", max_len=3))
    is_a = b.map(lambda x: 1 if x == "a" else 0, b.tokens(), kind="numerical")
    mean = b.aggregate(b.select(b.tokens(), b.tokens(), "true"), is_a, "mean")
    # up to 4 positions (BOS included): every a/c with 0 <= a <= c <= 4
    want = {Fraction(a, c) for c in range(1, 5) for a in range(c + 1)}
    assert set(b.type_of(mean).values) == want


def test_from_json_rejects_garbage():
    with pytest.raises(IRError, match="not JSON"):
        from_json("{nope")
    with pytest.raises(IRError, match="not a tpc IR document"):
        from_json('{"format": "other"}')


def test_selector_type_is_singleton():
    assert Select(name="s", keys="a", queries="b", predicate=Predicate([])).type == SELECTOR
