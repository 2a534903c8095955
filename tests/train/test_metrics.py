"""The NER metric: entity-level precision / recall / F1 as seqeval's strict IOB2 mode (the
paper's `conll_score`) computes them."""

import pytest
import seqeval.metrics as seqeval  # the `test` extra installs it; tpc itself does not need it
from hypothesis import given
from hypothesis import strategies as st
from seqeval.scheme import IOB2

from tpc.train.metrics import entities, entity_scores


def test_seqeval_readme_example():
    # seqeval's README example: the PER entity is right, the MISC one starts a word early.
    y_true = [["O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]]
    y_pred = [["O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]]
    scores = entity_scores(y_true, y_pred)
    # the README's figures: f1 0.50 (one of two entities right each way)
    assert scores == {"precision": 0.5, "recall": 0.5, "f1": 0.5}


def test_strict_mode_ignores_dangling_inside_tags():
    # An I- that starts nothing is no entity in strict mode (the default mode would count it).
    assert entities(["I-PER", "I-PER", "O", "B-LOC", "I-PER"]) == {("LOC", 3, 3)}
    assert entity_scores([["B-PER", "I-PER"]], [["I-PER", "I-PER"]]) == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
    }


def test_boundaries_and_types_must_match():
    true = [["B-PER", "I-PER", "O", "B-LOC"]]
    assert entity_scores(true, [["B-PER", "O", "O", "B-LOC"]])["precision"] == 0.5
    assert entity_scores(true, [["B-ORG", "I-ORG", "O", "B-LOC"]])["recall"] == 0.5
    assert entity_scores(true, true) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert entity_scores([["O"]], [["O"]]) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


TAGS = st.sampled_from(["O", "B-PER", "I-PER", "B-LOC", "I-LOC"])
SENTENCES = st.lists(st.integers(1, 8), min_size=1, max_size=6)


@given(st.data())
def test_equals_seqeval_strict_iob2(data):
    lengths = data.draw(SENTENCES)
    true = [data.draw(st.lists(TAGS, min_size=n, max_size=n)) for n in lengths]
    pred = [data.draw(st.lists(TAGS, min_size=n, max_size=n)) for n in lengths]
    ours = entity_scores(true, pred)
    kw = dict(mode="strict", scheme=IOB2, zero_division=0)
    assert ours["precision"] == pytest.approx(seqeval.precision_score(true, pred, **kw))
    assert ours["recall"] == pytest.approx(seqeval.recall_score(true, pred, **kw))
    assert ours["f1"] == pytest.approx(seqeval.f1_score(true, pred, **kw))
