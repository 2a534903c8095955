import pytest
from hypothesis import given
from strategies import programs_with_inputs
from tpc.passes import PASSES, optimize, sums_are_exact
from tpc.passes.domain import domain_inputs

from tpc.interp import Interpreter
from tpc.ir import Builder, Constant, Domain, Readout, Table, f32, validate


def _same_outputs(before, after, seqs):
    assert Interpreter(after).run(seqs) == Interpreter(before).run(seqs)


@pytest.mark.parametrize("name", sorted(PASSES))
@given(case=programs_with_inputs(max_nodes=10))
def test_pass_preserves_behaviour(name, case):
    program, seqs = case
    after = validate(PASSES[name](program))
    _same_outputs(program, after, seqs)


@given(programs_with_inputs(max_nodes=10))
def test_pipeline_preserves_behaviour_and_is_idempotent(case):
    program, seqs = case
    after = optimize(program)
    _same_outputs(program, after, seqs)
    assert optimize(after) == after
    assert len(after) <= len(program)


def _dom():
    return Domain(vocab="ab", max_len=4)


def test_dead_code_and_constants_disappear():
    b = Builder(_dom())
    t = b.tokens()
    b.map(lambda x: x, t)  # dead
    always = b.map(lambda x: 7, t)  # one value: a constant
    shifted = b.sequence_map(lambda c, x: f"{x}{c}", always, t)
    b.output("o", shifted)
    after = optimize(b.build())
    assert [type(n).__name__ for n in after.nodes] == ["Tokens", "Map"]
    assert after[after.output_map["o"]].table["a"] == "a7"


def test_identity_map_is_removed():
    b = Builder(_dom())
    t = b.tokens()
    b.output("o", b.map(lambda x: x, t))
    after = optimize(b.build())
    assert after.output_map["o"] == "tokens"


def test_readout_constant_terms_fold_into_bias():
    b = Builder(_dom())
    t = b.tokens()
    flat = b.map(lambda x: 0 if x == "<s>" else 1, t)
    same = Table({0: (1.0, 2.0), 1: (1.0, 2.0)})
    varies = Table({"<s>": (0.0, 0.0), "a": (5.0, 0.0), "b": (0.0, 0.0)})
    b.output("label", b.readout([flat, t], [same, varies], [0.5, 0.0], ["x", "y"]))
    after = optimize(b.build())
    readout = after[after.output_map["label"]]
    assert readout.terms == ("tokens",) and readout.bias == (1.5, 2.0)
    assert flat not in after


def test_unexact_readout_sums_are_left_alone():
    """A constant term after another term stays where float32 rounding makes order matter."""
    b = Builder(_dom())
    t = b.tokens()
    varies = Table({"<s>": (0.0, 0.0), "a": (1.0, 0.0), "b": (0.0, 3.0)})
    tiny = Table({"<s>": (2.0**-60, 0.0), "a": (2.0**-60, 0.0), "b": (2.0**-60, 0.0)})
    big = Table({"<s>": (1.0, 1.0), "a": (1.0, 1.0), "b": (1.0, 1.0)})
    readout = b.readout([t, t, t], [varies, tiny, big], [0.0, 0.0], ["x", "y"])
    b.output("label", readout)
    prog = b.build()
    assert not sums_are_exact(prog[readout])
    assert optimize(prog)[readout].terms == (t, t, t)


def test_a_leading_constant_readout_term_folds_even_when_sums_are_not_exact():
    """bias + c is the first float32 addition either way."""
    b = Builder(_dom())
    t = b.tokens()
    tiny = Table({"<s>": (2.0**-60, 0.0), "a": (2.0**-60, 0.0), "b": (2.0**-60, 0.0)})
    varies = Table({"<s>": (0.0, 0.0), "a": (1.0, 0.0), "b": (0.0, 3.0)})
    readout = b.readout([t, t], [tiny, varies], [1.0, 0.0], ["x", "y"])
    b.output("label", readout)
    after = optimize(b.build())[readout]
    assert after.terms == (t,) and after.bias == (1.0, 0.0)  # 1 + 2**-60 rounds to 1 in float32


def test_narrowing_shrinks_types_and_tables():
    b = Builder(_dom())
    t = b.tokens()
    small = b.map(lambda x: "a", t)
    wide = b.map(lambda x: x * 2, small)
    b.output("o", b.sequence_map(lambda u, v: u + v, wide, t))
    from tpc.passes import narrow_types

    after = narrow_types(b.build())
    assert len(after[b.nodes[-1].name].table) == 3  # ("aa", each token value)


def test_cse_merges_duplicates():
    b = Builder(_dom())
    t = b.tokens()
    m1 = b.map(lambda x: x == "a", t)
    m2 = b.map(lambda x: x == "a", t)
    b.output("o", b.sequence_map(lambda u, v: u and v, m1, m2))
    after = optimize(b.build(), level=1)
    assert m2 not in after


def test_print_after_and_unknown_pass():
    b = Builder(_dom())
    b.output("o", b.map(lambda x: 1, b.tokens()))
    seen = []
    optimize(b.build(), print_after=["fold"], printer=lambda name, p: seen.append(name))
    assert seen and set(seen) == {"fold"}
    with pytest.raises(ValueError, match="unknown pass 'nope'"):
        optimize(b.build(), print_after=["nope"])
    assert optimize(b.build(), level=0) == b.build()
    assert isinstance(optimize(b.build())[optimize(b.build()).output_map["o"]], Constant)


def test_table_predicates_that_are_comparisons_get_named():
    from tpc.passes import name_comparisons

    from tpc.ir import Predicate

    b = Builder(_dom())
    t, i = b.tokens(), b.indices()
    same = b.select(t, t, Predicate([(v, v) for v in ["<s>", "a", "b"]]))
    odd = b.select(i, i, Predicate([(1, 0)]))
    b.output("o", b.aggregate(b.select_and(same, odd), t))
    after = name_comparisons(b.build())
    assert (
        after[same].predicate.op == "=="
        and after[same].predicate.pairs == b.build()[same].predicate.pairs
    )
    assert after[odd].predicate.op is None


def test_sequence_map_reading_one_node_twice_becomes_a_map():
    b = Builder(_dom())
    t = b.tokens()
    both = b.sequence_map(lambda u, v: u + v, t, t)
    b.output("o", both)
    after = optimize(b.build())
    node = after[after.output_map["o"]]
    assert type(node).__name__ == "Map" and node.table["a"] == "aa" and len(node.table) == 3


def test_heads_that_can_only_select_bos_read_position_zero():
    from tpc.ir import Predicate

    b = Builder(Domain(vocab="ab", max_len=4, implicit_bos=False, causal=True))
    t, i = b.tokens(), b.indices()
    sink = b.aggregate(b.select(t, t, Predicate([("a", "<s>"), ("b", "<s>")])), i)  # BOS or nothing
    other = b.aggregate(b.select(i, t, Predicate([("a", 0), ("b", 1)])), t)  # may select position 1
    b.output("o", b.sequence_map(lambda x, y: f"{x}{y}", sink, other))
    prog = b.build()
    after = optimize(prog)
    assert sink not in after or isinstance(after[sink], Constant)
    assert type(after[other]).__name__ == "Aggregate"
    seqs = [["<s>"], ["<s>", "a", "b"], ["<s>", "b", "b", "a"]]
    _same_outputs(prog, after, seqs)


def test_true_and_1_are_different_values_to_every_pass():
    """Two maps equal but for True against 1 are two nodes, not one (cse compared with ==)."""
    b = Builder(Domain(vocab=["a"], max_len=2, implicit_bos=False))
    t = b.tokens()
    ints = b.map(Table([("<s>", 1), ("a", None)]), t)
    bools = b.map(Table([("<s>", True), ("a", None)]), t)
    b.output("ints", ints)
    b.output("bools", bools)
    program = b.build()
    after = optimize(program)
    assert after.output_map["ints"] != after.output_map["bools"]
    out = Interpreter(after).run([["<s>", "a"]])
    assert out == {"ints": [[1, None]], "bools": [[True, None]]}
    assert type(out["bools"][0][0]) is bool and type(out["ints"][0][0]) is int


def test_passes_that_never_settle_stop_after_max_rounds_with_a_warning(monkeypatch):
    """A pass that always changes the program (here: flips a meta entry) cannot hang
    optimize; it stops after MAX_ROUNDS and says so."""
    from tpc.passes import manager

    def flip(program):
        meta = dict(program.meta)
        return program.evolve(meta={**meta, "flip": "0" if meta.get("flip") == "1" else "1"})

    b = Builder(_dom())
    b.output("out", b.tokens())
    monkeypatch.setitem(manager.PASSES, "flip", flip)
    monkeypatch.setitem(manager.PIPELINES, 9, ("flip",))
    with pytest.warns(RuntimeWarning, match=f"after {manager.MAX_ROUNDS} rounds"):
        optimize(b.build(), 9)


@pytest.mark.parametrize("name", ["prune", "fill"])
@given(case=programs_with_inputs(max_nodes=10))
def test_proving_passes_keep_every_input_of_the_domain(name, case):
    """prune and fill rest on running every input: check them on every input too."""
    program, _ = case
    after = validate(PASSES[name](program))
    _same_outputs(program, after, [list(s) for b in domain_inputs(program.domain) for s in b])


def test_readout_term_that_never_decides_is_pruned_and_the_rest_becomes_a_table():
    b = Builder(_dom())
    t = b.tokens()
    i = b.indices()
    decides = Table({"<s>": (0.0, 1.0), "a": (5.0, 0.0), "b": (0.0, 5.0)})
    small = Table({k: (0.25 * k, 0.0) for k in range(5)})  # never outweighs 5
    b.output("label", b.readout([i, t], [small, decides], [0.0, 0.0], ["x", "y"]))
    prog = b.build()
    after = optimize(prog, 2)
    node = after[after.output_map["label"]]
    assert type(node).__name__ == "Map" and node.x == "tokens"
    assert [node.table[v] for v in ("<s>", "a", "b")] == ["y", "x", "y"]
    notes = [note for key, note in after.meta if key.startswith("readout")]
    assert len(notes) == 1 and "removed indices by" in notes[0] and notes[0].endswith("now a table")


def test_a_deciding_term_stays():
    b = Builder(_dom())
    t = b.tokens()
    i = b.indices()
    decides = Table({"<s>": (0.0, 1.0), "a": (5.0, 0.0), "b": (0.0, 5.0)})
    tips = Table({k: (0.0, 6.0 * (k == 3)) for k in range(5)})  # position 3 always says y
    b.output("label", b.readout([i, t], [tips, decides], [0.0, 0.0], ["x", "y"]))
    node = optimize(b.build(), 2)
    node = node[node.output_map["label"]]
    assert type(node).__name__ == "SequenceMap"
    assert node.table[(3, "a")] == "y" and node.table[(2, "a")] == "x"


def _digits(x: float) -> int:
    """Significant digits of the shortest decimal naming float32 x."""
    return next(d for d in range(1, 10) if f32(f"{x:.{d}g}") == f32(x))


def _near_tie_readout():
    """A readout of three terms whose winner on "a" alone rests on one float32 step."""
    b = Builder(_dom())
    t, i = b.tokens(), b.indices()
    count = b.selector_width(b.select(t, t, "=="), name="count")
    near = 1.0 + 2.0**-23  # "a" alone: y by one float32 step, which no whole-number scale keeps
    by_token = Table({"<s>": (0.0, 0.0), "a": (1.0, near), "b": (2.7182817, 0.0)})
    by_index = Table({k: (0.0, 3.1415927 if k == 3 else 0.0) for k in range(5)})  # y at 3
    by_count = Table({k: (1.4142135 if k >= 3 else 0.0, 0.0) for k in range(6)})  # x again
    b.output(
        "label", b.readout([t, i, count], [by_token, by_index, by_count], [0.0, 0.0], ["x", "y"])
    )
    return b.build(), (t, i, count), (by_token, by_index, by_count), near


def test_near_ties_are_refit_to_small_whole_numbers_that_decide_every_input_alike():
    before, terms, _, _ = _near_tie_readout()
    after = optimize(before, 2)
    node = after[after.output_map["label"]]
    _same_outputs(before, after, [list(s) for batch in domain_inputs(before.domain) for s in batch])
    numbers = [*node.bias, *(x for table in node.scores for row in table.outputs() for x in row)]
    assert all(float(x).is_integer() and abs(x) <= 64 for x in numbers)
    notes = [note for key, note in after.meta if key.startswith("readout")]
    assert len(notes) == 1 and "refit to whole numbers" in notes[0]


def _repeated_term_readout():
    """A readout of tokens, the same tokens relabelled, and positions; one of the first two can
    go."""
    b = Builder(_dom())
    t, i = b.tokens(), b.indices()
    twin = b.map(Table({"<s>": 0, "a": 1, "b": 2}), t, name="twin")  # tokens, relabelled
    half = Table({"<s>": (0.0, 1.0), "a": (2.5, 0.0), "b": (0.0, 2.5)})  # each says half
    half_twin = Table({0: (0.0, 1.0), 1: (2.5, 0.0), 2: (0.0, 2.5)})
    tips = Table(
        {k: (0.0, {3: 4.0, 4: 6.0}.get(k, 0.0)) for k in range(5)}
    )  # 4: y; 3: x if both say x
    b.output("label", b.readout([t, twin, i], [half, half_twin, tips], [0.0, 0.0], ["x", "y"]))
    return b.build(), t, twin


def test_refit_does_without_a_term_that_only_repeats_another():
    before, t, twin = _repeated_term_readout()
    after = optimize(before, 2)
    _same_outputs(before, after, [list(s) for batch in domain_inputs(before.domain) for s in batch])
    notes = [note for key, note in after.meta if key.startswith("readout")]
    assert len(notes) == 1 and "by refitting" in notes[0] and notes[0].endswith("now a table")
    node = after[after.output_map["label"]]
    assert type(node).__name__ == "SequenceMap" and len({node.x, node.y} & {t, twin}) == 1


def test_scores_that_no_scale_rounds_are_written_shorter_where_every_winner_stays(monkeypatch):
    import tpc.passes.prune as prune

    monkeypatch.setattr(prune, "refit", lambda *args: None)  # the fallback when no fit is found
    before, (t, i, count), (by_token, by_index, by_count), near = _near_tie_readout()
    after = optimize(before, 2)
    node = after[after.output_map["label"]]
    _same_outputs(before, after, [list(s) for batch in domain_inputs(before.domain) for s in batch])
    assert node.terms == (t, i, count)
    assert node.scores[0]["a"] == (1.0, near)  # the near-tie keeps every digit
    old = [
        _digits(x)
        for table in (by_token, by_index, by_count)
        for row in table.outputs()
        for x in row
    ]
    new = [_digits(x) for table in node.scores for row in table.outputs() for x in row]
    assert all(n <= o for n, o in zip(new, old)) and sum(new) < sum(old)
    notes = [note for key, note in after.meta if key.startswith("readout")]
    assert len(notes) == 1 and "scores written shorter by" in notes[0]


def test_a_solver_that_reaches_its_iteration_cap_finds_no_fit_and_the_fallback_stays_exact(
    monkeypatch,
):
    import tpc.passes.refit as refit

    monkeypatch.setattr(refit, "MAX_ITERATIONS", 1)
    before, *_ = _near_tie_readout()
    after = optimize(before, 2)
    _same_outputs(before, after, [list(s) for batch in domain_inputs(before.domain) for s in batch])
    notes = [note for key, note in after.meta if key.startswith("readout")]
    assert len(notes) == 1 and "refit" not in notes[0] and "scores written shorter by" in notes[0]


def test_a_refit_past_the_row_limit_tries_no_removal_and_says_so(monkeypatch):
    import tpc.passes.refit as refit

    monkeypatch.setattr(refit, "DROP_ROWS", 0)
    before, _, _ = _repeated_term_readout()  # refit drops a term of this one when it may try
    after = optimize(before, 2)
    _same_outputs(before, after, [list(s) for batch in domain_inputs(before.domain) for s in batch])
    node = after[after.output_map["label"]]
    assert isinstance(node, Readout) and len(node.terms) == 3
    notes = [note for key, note in after.meta if key.startswith("readout")]
    assert (
        len(notes) == 1
        and "refit to whole numbers" in notes[0]
        and "no term tried for removal" in notes[0]
    )
