"""`tpc ablate` on a program whose circuit is known: one head does the work, one is unused."""

import itertools
from fractions import Fraction

from tpc.passes import optimize

from tpc.inspect.ablate import Scorer, ablate, units
from tpc.inspect.coverage import coverage
from tpc.inspect.data import Examples
from tpc.ir import BOS, Builder, Domain, Table

CLASSES = [1, 2, 3, BOS]


def previous_token():
    """label = the previous token (BOS at the first); `noise` is a head whose readout scores
    are all 0, so the passes prove it unused (fold drops the term, dce the head)."""
    b = Builder(Domain(vocab=[1, 2, 3], max_len=4))
    t, i = b.tokens(), b.indices()
    prev = b.aggregate(b.select(i, i, lambda k, q: k == q - 1, name="prev_select"), t, name="prev")
    noise = b.aggregate(b.select(t, t, "==", name="noise_select"), i, name="noise")
    doubled = b.map(lambda v: v, prev, name="copy")
    scores = [
        Table(
            (v, tuple(1.0 if c == v else 0.0 for c in CLASSES)) for v in b.type_of(doubled).values
        ),
        Table((v, (0.0,) * 4) for v in b.type_of(noise).values),
    ]
    b.output("label", b.readout([doubled, noise], scores, [0.0] * 4, CLASSES, name="readout"))
    return b.build()


def every_input():
    return [list(s) for n in (1, 2, 3) for s in itertools.product([1, 2, 3], repeat=n)]


def test_the_passes_prove_the_noise_head_unused():
    names = {n.name for n in optimize(previous_token(), 1).nodes}
    assert "prev" in names and "noise" not in names


def test_ablation_numbers_on_the_known_circuit():
    program = previous_token()
    inputs = every_input()  # 39 inputs, 3 + 18 + 81 = 102 scored positions
    result = ablate(program, Scorer(program, Examples(inputs, None)))
    rows = {r["module"]: r for r in result["modules"]}
    assert result["accuracy"] == 1.0 and result["positions"] == 102
    assert [u.module for u in units(program)] == [
        "prev",
        "noise",
        "copy",
        "readout:copy",
        "readout:noise",
    ]
    # The unused head and the all-zero term cost nothing.
    assert rows["noise"]["drop"] == 0 and rows["readout:noise"]["drop"] == 0
    assert set(result["removable"]) == {"noise", "readout:noise"}
    assert result["removable_together_accuracy"] == 1.0
    # `prev` is BOS most often (at BOS and at position 1 of each input: 78 of 141 positions),
    # so without it every prediction is BOS: right only at the 39 first tokens.
    assert rows["prev"]["value"] == BOS
    assert Fraction(rows["prev"]["accuracy"]).limit_denominator(1000) == Fraction(39, 102)
    assert rows["copy"]["accuracy"] == rows["prev"]["accuracy"]
    # Without the `copy` term every class scores 0 and the first class (1) wins.
    ones = sum(1 for s in inputs for prev in s[:-1] if prev == 1)
    assert Fraction(rows["readout:copy"]["accuracy"]).limit_denominator(1000) == Fraction(ones, 102)
    drops = [r["drop"] for r in result["modules"]]
    assert drops == sorted(drops, reverse=True) and drops[0] > 0.6  # worst first


def test_ablation_against_labels_scores_only_labelled_positions():
    program = previous_token()
    # Labels as in an --inputs file: None where not scored; one wrong label (the 2nd).
    examples = Examples([[1, 2], [3]], [[BOS, 3], [None]])
    scorer = Scorer(program, examples)
    assert scorer.total == 2
    assert ablate(program, scorer)["accuracy"] == 0.5


def test_coverage_counts_rows_and_pairs_the_data_uses():
    program = previous_token()
    scorer = Scorer(program, Examples([[1, 2]], None))
    report = {c["name"]: c for c in coverage(program, scorer.env, scorer.valid)}
    # copy's table has a row per value of prev (BOS, 1, 2, 3); [1, 2] reads BOS, BOS, 1.
    assert (report["copy"]["used"], report["copy"]["total"]) == (2, 4)
    assert sorted(map(str, (r[0] for r in report["copy"]["unused"]))) == ["2", "3"]
    # prev_select pairs (q, q-1) over positions 0..4: 4 pairs; input [1, 2] (positions 0..2)
    # uses (1, 0), (2, 1).
    assert (report["prev_select"]["used"], report["prev_select"]["total"]) == (2, 4)
