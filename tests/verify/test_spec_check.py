"""tpc verify --task: a model against its task's spec, counted over the whole domain."""

import itertools
import json
from collections import Counter
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from tpc.cli import main
from tpc.ir import Builder, Domain
from tpc.model.checkpoint import load_model
from tpc.verify import verify

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "examples" / "specs"
REFERENCE = ROOT.parent / "shared" / "reference"
# A model that fails: the paper's sort run (2,493 of its 19,531 inputs wrong).
FAILING_SORT = REFERENCE / "sort"


def _brute_force(model_path, task, max_len, truth):
    """(inputs, failing inputs, failing positions, the first failing input), by running the
    model's own predict on every input one length at a time, in order."""
    loaded = load_model(model_path)
    vocab = [t for t in loaded.tokens if t not in ("<pad>", "<s>", "</s>")]
    eos = ["</s>"] if task in ("sort", "reverse") else []
    ids = {t: i for i, t in enumerate(loaded.tokens)}
    inputs = bad_inputs = bad_positions = 0
    first = None
    if max_len is None:  # the whole domain: every length the model reads
        max_len = loaded.model.cfg.n_ctx - 1 - len(eos)
    for length in range(max_len + 1):
        rows = list(itertools.product(vocab, repeat=length))
        x = torch.tensor([[ids[t] for t in ["<s>", *r, *eos]] for r in rows]).reshape(len(rows), -1)
        pred = loaded.model.predict(x)[:, 1 : length + 1].tolist()
        for r, p in zip(rows, pred):
            wrong = sum(loaded.labels[c] != want for c, want in zip(p, truth(r)))
            inputs += 1
            bad_inputs += wrong > 0
            bad_positions += wrong
            if wrong and first is None:
                first = ["<s>", *r, *eos]
    return inputs, bad_inputs, bad_positions, first


def _sorted(r):
    return sorted(r)


def _hist(r):
    counts = Counter(r)
    return [str(counts[t]) for t in r]


def _check_against_brute_force(model, spec, task, max_len, truth):
    result = verify(model, spec, task=task, max_len=max_len)
    inputs, bad_inputs, bad_positions, first = _brute_force(model, task, max_len, truth)
    assert (result.inputs, result.failing_inputs, result.failing_positions) == (
        inputs,
        bad_inputs,
        bad_positions,
    )
    assert result.equivalent == (first is None)
    if first is not None:
        c = result.counterexample
        assert c.input == first
        plain = first[1 : len(c.a) + 1]
        assert [str(v) for v in c.b] == list(truth(plain))  # the spec's values; compared as text
        assert c.marks == [str(x) != str(y) for x, y in zip(c.a, c.b)] and any(c.marks)
    return result


def test_a_trained_sort_against_its_spec_counts_every_failure():
    result = _check_against_brute_force(FAILING_SORT, SPECS / "sort.rasp", "sort", 4, _sorted)
    assert not result.equivalent  # it fails on inputs with a repeated token
    text = result.summary()
    assert text.startswith(f"incorrect on {result.failing_inputs} of 781 inputs")
    assert "shortest failing input (then first in vocabulary order): <s> " in text


def test_an_exact_spec_of_a_program_is_correct_everywhere():
    # A model-style program that sorts (BOS first, </s> last) is correct on every input.
    # max_len counts BOS: 4 tokens and </s>.
    b = Builder(Domain(vocab=(0, 1, 2, "</s>"), max_len=6, implicit_bos=False))
    t = b.tokens()
    key = b.map(lambda v: {"<s>": -1, "</s>": 9}.get(v, v), t)  # BOS first, </s> last
    i = b.indices()
    before = b.select_or(
        b.select(key, key, "<"), b.select_and(b.select(key, key, "=="), b.select(i, i, "<"))
    )
    target = b.selector_width(before)
    b.output("label", b.aggregate(b.select(target, i, "=="), t))
    result = verify(b.build(), SPECS / "sort.rasp", task="sort")
    assert result.equivalent and result.inputs == 1 + 3 + 9 + 27 + 81
    assert result.summary() == "correct on all 121 inputs up to length 4 (exhaustive, lengths 0..4)"


def _induction(wrong_at):
    """A model-style induction program, exact at letters, writing "zzz" where `wrong_at(x)`."""
    b = Builder(Domain(vocab=("a", "b", 0, 1), max_len=5, implicit_bos=False))
    t, i = b.tokens(), b.indices()
    same = b.select(t, t, "==")
    is_first = b.map(lambda n: n == 0, b.selector_width(b.select_and(same, b.select(i, i, "<"))))
    nxt = b.aggregate(b.select(i, b.map(lambda q: q + 1, i), "=="), t)
    follower = b.aggregate(b.select_and(same, b.select(is_first, is_first, lambda k, q: k)), nxt)
    out = b.sequence_map(lambda first, f: "<unk>" if first else f, is_first, follower)
    b.output("label", b.sequence_map(lambda x, o: "zzz" if wrong_at(x) else o, t, out))
    return b.build()


def test_unscored_positions_are_not_compared():
    # induction's spec outputs <pad> at numbers: a model wrong only there is correct.
    spec = SPECS / "induction.rasp"
    assert verify(_induction(lambda x: x in (0, 1)), spec, task="induction").equivalent
    wrong = verify(_induction(lambda x: x == "b"), spec, task="induction")
    assert not wrong.equivalent and wrong.counterexample.input == ["<s>", "b"]
    # every input holding a "b" fails, once per "b": 4^4 - 3^4 of length 4, and so on
    assert wrong.failing_inputs == sum(4**n - 3**n for n in range(5))
    assert wrong.failing_positions == sum(n * 4 ** (n - 1) for n in range(5))


@pytest.mark.slow
@pytest.mark.parametrize("task, truth", [("sort", _sorted), ("hist", _hist)])
def test_reference_runs_against_their_specs_over_the_whole_domain(task, truth):
    _check_against_brute_force(REFERENCE / task, SPECS / f"{task}.rasp", task, None, truth)


def test_two_workers_find_what_one_does():
    one = verify(str(FAILING_SORT), str(SPECS / "sort.rasp"), task="sort", max_len=3)
    two = verify(str(FAILING_SORT), str(SPECS / "sort.rasp"), task="sort", max_len=3, workers=2)
    assert two.to_dict() | {
        "seconds": 0,
        "sequences_per_second": 0,
        "workers": 1,
    } == one.to_dict() | {"seconds": 0, "sequences_per_second": 0, "workers": 1}
    assert two.workers == 2 and two.failing_inputs > 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--seed", "-1"], "--seed"),
        (["--samples", "100000000"], "--samples"),
        (["--task", "nope"], "unknown task or convention 'nope'"),
        (["--workers", "0"], "--workers"),
        (["--min-len", "9"], "--min-len 9 must be between 0 and --max-len (6)"),
    ],
)
def test_bad_options_are_one_line_errors(args, message):
    result = CliRunner().invoke(
        main, ["verify", str(FAILING_SORT), str(SPECS / "sort.rasp"), "--task", "sort", *args]
    )
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_sampled_spec_check_with_min_len_on_a_checkpoint_is_bounded_and_json():
    result = CliRunner().invoke(
        main,
        [
            "verify",
            str(FAILING_SORT),
            str(SPECS / "sort.rasp"),
            "--task",
            "sort",
            "--min-len",
            "3",
            "--exhaustive-limit",
            "10",
            "--samples",
            "1000",
            "--seed",
            "4",
            "--json",
        ],
    )
    doc = json.loads(result.output)
    assert result.exit_code == 1 and doc["mode"] == "sampled" and doc["inputs"] == 1000
    c = doc["counterexample"]
    assert len(c["input"]) >= 3 + 2 and c["differs"].count(True) >= 1
