"""Printing tables as rules: intervals, functions of x - y, groups by output, comparisons and
offsets with BOS rows, whole-number readouts. Each printed module must agree with tpc.interp."""

import itertools
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from test_python import agree, load

from tpc.backends.python import to_python
from tpc.frontend import rasp_file_to_ir
from tpc.ir import Builder, Domain, Predicate, Table
from tpc.ir.rules import extend, function_of, grid, runs

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "rasp"
SEQS = [list(s) for s in ["", "a", "ab", "bba", "aaab", "babab", "bbbbbb"]]


def test_runs_and_extend():
    assert runs([(3, "x"), (1, "x"), (2, "y"), (4, "y")]) == [
        (1, 1, "x"),
        (2, 2, "y"),
        (3, 3, "x"),
        (4, 4, "y"),
    ]
    assert extend({1: "a", 5: "b"}, [0, 1, 2, 5, 7]) == {0: "a", 1: "a", 2: "a", 5: "b", 7: "b"}


def test_function_of_finds_a_difference():
    pairs = [((x, y), x - y > 1) for x in range(4) for y in range(4)]
    name, outs = function_of(pairs)
    assert name == "x - y" and outs[2] is True and outs[1] is False
    assert function_of([((0, 0), 1), ((1, 1), 2), ((0, 1), 2), ((1, 0), 3)]) is None


def test_numeric_tables_print_as_intervals_and_differences():
    b = Builder(Domain(vocab="ab", max_len=6))
    t, i = b.tokens(), b.indices()
    count = b.selector_width(b.select(t, t, "=="), name="count")
    size = b.map(lambda x: "small" if x < 3 else "big", count, name="size")
    size3 = b.map(lambda x: "small" if x < 3 else "mid" if x < 5 else "big", count, name="size3")
    gap = b.sequence_map(lambda x, y: 1 if x - y > 1 else 0, i, count, name="gap")
    b.output("size", size)
    b.output("size3", size3)
    b.output("gap", gap)
    program = b.build()
    source = to_python(program)
    assert "def map_size(count): return 'small' if count <= 2 else 'big'" in source
    assert "if count <= 2: return 'small'" in source and "if count <= 4: return 'mid'" in source
    assert "v = indices - count" in source and "MAP_SIZE" not in source
    agree(program, SEQS)


def test_categorical_map_groups_by_output_with_a_default():
    b = Builder(Domain(vocab="abcdefgh", max_len=4))
    kind = b.map(
        Table({"<s>": 0, "a": 1, "b": 1, "c": 0, "d": 0, "e": 0, "f": 0, "g": 0, "h": 2}),
        b.tokens(),
        name="kind",
    )
    b.output("kind", kind)
    program = b.build()
    source = to_python(program)
    assert "if tokens in {'a', 'b'}: return 1" in source and "return 0" in source
    agree(program, [list(s) for s in ["", "abh", "hhcd", "gfe"]])


def test_whole_number_readout_is_a_plain_sum():
    b = Builder(Domain(vocab="ab", max_len=4))
    t = b.tokens()
    scores = Table({"<s>": (1.0, 0.0), "a": (3.0, 2.0), "b": (-1.0, 4.0)})
    b.output("out", b.readout([t], [scores], [0.0, 1.0], ["x", "y"], name="out"))
    program = b.build()
    source = to_python(program)
    assert "float32(" not in source and "scores = [sum(column) for column in zip(*rows)]" in source
    agree(program, [list(s) for s in ["", "a", "ab", "bb"]])


def test_sort_example_keeps_its_comparisons_with_bos_rows():
    program = rasp_file_to_ir(EXAMPLES / "sort.rasp", vocab=[1, 2, 3, 4], max_len=6)
    source = to_python(program)
    assert "return key < query" in source and "return key == query - 1" in source
    assert "PREDICATE_" not in source
    agree(program, [[3, 1, 2], [4, 4, 1, 2], [], [2, 2, 2, 2, 1, 3]])


def test_one_key_per_query_and_rows_with_exceptions():
    b = Builder(Domain(vocab="abc", max_len=6))
    t, i = b.tokens(), b.indices()
    predicate = Predicate([(q, "abc"[q % 3]) for q in range(7)])
    picked = b.aggregate(b.select(t, i, predicate), t, "nearest", name="picked")
    usual = b.sequence_map(lambda x, y: 1 if (x, y) == (2, "a") else 0, i, t, name="usual")
    b.output("picked", picked)
    b.output("usual", usual)
    program = b.build()
    source = to_python(program)
    assert "SELECT_1_KEY = ('a', 'b', 'c', 'a', 'b', 'c', 'a')" in source
    assert "return key == SELECT_1_KEY[query]" in source
    assert "return differs.get(tokens, default)" in source
    agree(program, [list(s) for s in ["", "a", "abc", "cab", "bbbbb", "acacb"]])


def test_identity_maps_with_exceptions_print_as_the_identity():
    b = Builder(Domain(vocab="abc", max_len=4))
    t, i = b.tokens(), b.indices()
    no_bos = b.map(lambda v: None if v == "<s>" else v, t, name="no_bos")
    real = b.sequence_map(lambda x, j: None if j == 0 else x, no_bos, i, name="real")
    # True and 1 are == in Python: a test `x == True` would catch 1 too, so this is a table.
    flags = b.map(lambda v: {"a": True, "b": 1, "c": 0, "<s>": 0}[v], t)
    mixed = b.map(lambda v: 1 if v is True else True if v == 1 else v, flags)
    b.output("real", real)
    b.output("mixed", mixed)
    program = b.build()
    source = to_python(program)
    assert "if tokens == '<s>': return None\n    return tokens" in source
    assert "if indices == 0: return None\n    return no_bos" in source
    agree(program, [list(s) for s in ["", "a", "abc", "cab", "bbb"]])


def test_grid_groups_equal_rows_of_runs():
    rows = grid([2, 0, 1, 3], [0, 1, 2], lambda x, y: "hi" if x + (y > 0) > 1 else "lo")
    assert rows == [(0, [(0, 2, "lo")]), (1, [(0, 0, "lo"), (1, 2, "hi")]), (3, [(0, 2, "hi")])]


THRESHOLDS = st.lists(
    st.tuples(st.integers(-3, 3), st.integers(-3, 3), st.integers(-6, 6)), min_size=1, max_size=3
)


@given(THRESHOLDS)
def test_two_count_thresholds_print_as_intervals_and_agree_on_every_input(lines):
    """A numerical MLP's kind of table: which side of a few lines a*x + b*y + c = 0 the pair
    of counts is on. Printed as intervals of one count holding intervals of the other, it
    gives the interpreter's outputs on every input up to length 6."""
    b = Builder(Domain(vocab="ab", max_len=6))
    t = b.tokens()
    same = b.selector_width(b.select(t, t, "=="), name="same")
    before = b.selector_width(b.select(b.indices(), b.indices(), "<"), name="before")
    side = b.sequence_map(
        lambda x, y: sum(2**i for i, (p, q, c) in enumerate(lines) if p * x + q * y + c > 0),
        same,
        before,
        name="side",
    )
    b.output("side", side)
    program = b.build()
    source = to_python(program)
    assert "SEQUENCE_MAP_SIDE" not in source  # rules, never the table
    agree(program, [list(s) for n in range(7) for s in itertools.product("ab", repeat=n)])


def test_a_threshold_per_row_prints_as_one_bound_per_value():
    """Too many intervals for rules (81 rows, each with its own threshold): one (output up to,
    last, output after) per value of the first input, equal to the table on every pair."""
    b = Builder(Domain(vocab="ab", max_len=80))
    count = b.selector_width(b.select(b.tokens(), b.tokens(), "=="), name="count")
    side = b.sequence_map(
        lambda x, y: "low" if 3 * y <= 2 * x + 1 else "high", b.indices(), count, name="side"
    )
    b.output("side", side)
    program = b.build()
    source = to_python(program)
    assert "low, last, high = SEQUENCE_MAP_SIDE[indices]" in source
    module = load(source)
    xs, ys = program["indices"].type.values, program["count"].type.values
    assert all(
        module.sequence_map_side(x, y) == program["side"].table[(x, y)] for x in xs for y in ys
    )
    agree(program, [list(s) for s in ["", "a", "ab", "b" * 80, "ab" * 40, "a" * 79 + "b"]])
