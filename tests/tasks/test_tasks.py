from collections import Counter

import numpy as np
import pytest

from tpc.errors import TpcError
from tpc.tasks import generators as gen
from tpc.tasks import get_task, make_dataset
from tpc.tasks.dataset import build_vocab, generate_unique, split_indices
from tpc.tasks.registry import task_names


def examples(task, size=300, seed=0, **kw):
    spec = get_task(task)
    args = dict(vocab_size=spec.vocab_size, min_length=spec.min_length, max_length=spec.max_length)
    args.update(kw)
    return spec.generate(
        args["vocab_size"],
        size,
        args["min_length"],
        args["max_length"],
        np.random.RandomState(seed),
    )


def body(x):
    return x[1:-1] if x[-1] == gen.EOS else x[1:]


@pytest.mark.parametrize("task", task_names(text=False))
def test_inputs_start_with_bos_and_targets_align(task):
    for x, y in examples(task):
        assert x[0] == gen.BOS and y[0] == gen.PAD and len(x) == len(y)
        assert gen.PAD not in x


@pytest.mark.parametrize("task", ["reverse", "sort"])
def test_reverse_and_sort_lengths_and_targets(task):
    lengths = set()
    for x, y in examples(task, vocab_size=8, min_length=1, max_length=8):
        xs = body(x)
        lengths.add(len(xs))
        assert x[-1] == gen.EOS and y[-1] == gen.PAD
        assert y[1:-1] == (xs[::-1] if task == "reverse" else sorted(xs))
        assert set(xs) <= {str(i) for i in range(5)}
    assert lengths == set(range(1, 7))  # 1 .. max_length - 2 symbols


def test_hist_double_hist_most_freq_targets():
    for (x, y), (_, y2), (_, y3) in zip(
        examples("hist"), examples("double_hist"), examples("most_freq")
    ):
        xs = x[1:]
        counts = Counter(xs)
        assert y[1:] == [str(counts[c]) for c in xs]
        assert y2[1:] == [str(sum(1 for c2 in counts if counts[c2] == counts[c])) for c in xs]
        ranked = sorted(counts, key=lambda c: (-counts[c], xs.index(c)))
        assert y3[1:] == ranked + [gen.BOS] * (len(xs) - len(ranked))
        assert 1 <= len(xs) <= 7 and set(xs) <= {str(i) for i in range(6)}


@pytest.mark.parametrize(
    "prefix, labels",
    [
        ("()", "PT"),
        ("(()", "PPP"),
        ("())(", "PTFF"),
        ("({})", "PPPT"),
        ("(}", "PF"),
        (")(", "FF"),
    ],
)
def test_dyck_labels(prefix, labels):
    assert "".join(gen.dyck_labels(list(prefix))) == labels


@pytest.mark.parametrize("task, symbols", [("dyck1", "()"), ("dyck2", "(){}")])
def test_dyck_inputs(task, symbols):
    data = examples(task)
    for x, y in data:
        assert len(x) == 16 and set(x[1:]) <= set(symbols)
        assert y[1:] == gen.dyck_labels(x[1:])
    assert sum(y[-1] != "F" for _, y in data) > 30  # the balanced-ish half is not all failures


def test_induction_targets_follow_earlier_letters():
    for x, y in examples("induction"):
        for i, t in enumerate(y):
            if t not in (gen.PAD,):
                earlier = [j for j in range(1, i) if x[j] == x[i]]
                assert t == (x[earlier[0] + 1] if earlier else gen.UNK)
                assert x[i].isalpha()


def test_unique_filter_and_determinism():
    spec = get_task("sort")
    a = generate_unique(spec, 8, 500, 1, 8, 0)
    assert len({"".join(x) for x, _ in a}) == 500
    assert a == generate_unique(spec, 8, 500, 1, 8, 0)
    assert a != generate_unique(spec, 8, 500, 1, 8, 1)


def test_splits_are_a_partition_like_scikit_learn():
    train, test = split_indices(1000, 0)
    assert len(test) == 100 and len(train) == 900
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(1000))
    # scikit-learn's ShuffleSplit: the first ceil(0.1 n) of a seeded permutation are the test set.
    assert test.tolist() == np.random.RandomState(0).permutation(1000)[:100].tolist()


def test_vocabulary_is_pad_then_sorted_training_tokens():
    tokens, labels = build_vocab([(["<s>", "3", "1", "</s>"], ["<pad>", "1", "3", "<pad>"])])
    assert tokens == ("<pad>", "1", "3", "</s>", "<s>") and labels == ("<pad>", "1", "3")


def test_dataset_sizes_and_padding():
    d = make_dataset("sort", size=1000, seed=0)
    assert (len(d.train.x), len(d.val.x), len(d.test.x)) == (810, 90, 100)
    assert d.tokens == ("<pad>", "0", "1", "2", "3", "4", "</s>", "<s>")
    assert d.n_ctx == 8 and (d.train.y[d.train.x == 0] == 0).all()


def test_unknown_task_is_a_user_error():
    with pytest.raises(TpcError, match="unknown task"):
        make_dataset("sorting")
