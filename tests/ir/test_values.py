"""The three value keys agree: sort_key (order and identity), value_key (fast identity),
order_key (fast order)."""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from tpc.ir import normalize, sort_key, value_key, value_set
from tpc.ir.values import order_key

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.text(max_size=3),
    st.fractions(max_denominator=10**20).map(normalize),
    st.sampled_from([10**400, -(10**400), Fraction(10**400 + 1, 3)]),  # beyond float range
)


@given(values, values)
def test_fast_keys_agree_with_sort_key(a, b):
    assert (value_key(a) == value_key(b)) == (sort_key(a) == sort_key(b))
    assert (order_key(a) < order_key(b)) == (sort_key(a) < sort_key(b))


@given(st.lists(values, max_size=30))
def test_value_set_is_sorted_and_distinct_by_sort_key(vals):
    result = value_set(vals)
    keys = [sort_key(v) for v in result]
    assert keys == sorted(set(keys)) and set(keys) == {sort_key(normalize(v)) for v in vals}


def test_true_and_one_stay_apart_two_and_fraction_two_meet():
    assert value_key(True) != value_key(1) and value_key(Fraction(2)) == value_key(2)
    assert value_set([1, True, Fraction(2, 2), 0, False]) == (False, True, 0, 1)
