"""tpc verify: exhaustive counts, smallest counterexamples, artifact kinds, sampling, errors."""

import json
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from tests.verify.programs import hist_program as _hist
from tpc.backends.python import to_python
from tpc.cli import main
from tpc.errors import TpcError
from tpc.ir import Builder, Domain, to_json
from tpc.lift import lift_checkpoint
from tpc.verify import verify

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _echo(vocab="abc", max_len=4, implicit_bos=True, at_bos="<s>"):
    """Each position's token (model-style programs: `at_bos` at position 0)."""
    b = Builder(Domain(vocab=vocab, max_len=max_len, implicit_bos=implicit_bos))
    b.output("echo", b.map(lambda x: at_bos if x == "<s>" else x, b.tokens()))
    return b.build()


# --- exhaustive ---------------------------------------------------------------------------


def test_equal_programs_are_equivalent_over_every_input():
    result = verify(_hist(), _hist())
    assert result.equivalent and result.mode == "exhaustive"
    assert result.inputs == sum(3**n for n in range(5))  # 121: lengths 0..4 over a, b, c
    assert result.summary() == "checked 121 inputs (exhaustive, lengths 0..4): equivalent"


def test_smallest_counterexample_is_shortest_then_first_in_vocabulary_order():
    # The two differ exactly where some "b" occurs 3+ times: the shortest such input is
    # "bbb"; all 1 + 3 + 9 inputs of lengths 0..2 agree, and "bbb" is the 14th of length 3
    # (index 1*9 + 1*3 + 1 = 13 in base 3), so 13 + 14 inputs are checked.
    result = verify(_hist(max_len=5), _hist(max_len=5, cap_token="b"))
    assert not result.equivalent
    c = result.counterexample
    assert (c.input, c.a, c.b) == (["b", "b", "b"], [3, 3, 3], [2, 2, 2])
    assert result.inputs == 13 + 14
    assert result.summary() == (
        "checked 27 inputs (exhaustive, lengths 0..5): differ on input ['b', 'b', 'b']: "
        "A -> [3, 3, 3], B -> [2, 2, 2]"
    )


def test_min_and_max_len_bound_the_lengths():
    result = verify(_hist(max_len=6), _hist(max_len=6), min_len=2, max_len=3)
    assert result.inputs == 9 + 27
    # max_len defaults to the shorter side's.
    assert verify(_hist(max_len=6), _hist(max_len=3)).inputs == 1 + 3 + 9 + 27


def test_values_compare_exactly_between_programs():
    b = Builder(Domain(vocab="ab", max_len=2))
    b.output("x", b.map(lambda x: 1, b.tokens()))
    ones = b.build()
    b = Builder(Domain(vocab="ab", max_len=2))
    b.output("x", b.map(lambda x: True, b.tokens()))
    trues = b.build()
    result = verify(ones, trues)
    assert not result.equivalent and result.counterexample.input == ["a"]


def test_several_outputs_are_compared_and_the_differing_one_named():
    def prog(flip):
        b = Builder(Domain(vocab="ab", max_len=3))
        t = b.tokens()
        b.output("same", t)
        b.output("other", b.map(lambda x: x if not flip or x != "b" else "a", t))
        return b.build()

    result = verify(prog(False), prog(True))
    assert result.counterexample.output == "other" and result.counterexample.input == ["b"]
    assert "at output 'other'" in result.summary()
    assert verify(prog(False), prog(True), output="same").equivalent


def test_model_style_side_drops_bos_against_rasp_style_side():
    # Model-style echo shows "<s>" at position 0, which is not compared against a RASP-style side.
    model = _echo(implicit_bos=False, max_len=5)
    result = verify(_echo(), model)
    assert result.equivalent and result.inputs == 121
    # Two model-style sides compare every position, BOS included.
    result = verify(model, _echo(implicit_bos=False, max_len=5, at_bos="start"))
    assert not result.equivalent
    c = result.counterexample
    assert (c.input, c.a, c.b) == (["<s>"], ["<s>"], ["start"])


# --- artifact kinds -----------------------------------------------------------------------

SORT = EXAMPLES / "rasp" / "sort.rasp"


@pytest.fixture
def sort_artifacts(tmp_path):
    from tpc.frontend import rasp_file_to_ir

    program = rasp_file_to_ir(SORT, vocab=["0", "1", "2", "3"], max_len=5)  # tokens are strings
    (tmp_path / "sort.py").write_text(to_python(program))
    (tmp_path / "sort.json").write_text(to_json(program))
    return tmp_path


def test_rasp_vs_emitted_python_vs_ir_json(sort_artifacts):
    py, js = sort_artifacts / "sort.py", sort_artifacts / "sort.json"
    total = sum(4**n for n in range(6))
    for a, b in [(SORT, py), (py, js), (js, SORT)]:
        result = verify(a, b)  # the .rasp side takes the other side's vocabulary and length
        assert result.equivalent and result.inputs == total, (a, b)


def test_rasp_mutation_found_against_emitted_python(sort_artifacts, tmp_path):
    # Sorting with <= instead of < counts each token as before itself: every target position
    # is one too far, so position 0 selects nothing and gets RASP's default, the int 0 (issue
    # 10), where the token is the string "0".
    wrong = tmp_path / "wrong.rasp"
    wrong.write_text(SORT.read_text().replace("select(keys, keys, <)", "select(keys, keys, <=)"))
    result = verify(sort_artifacts / "sort.py", wrong)
    assert not result.equivalent and result.inputs == 2  # [] agrees, ["0"] does not
    c = result.counterexample
    assert (c.input, c.a, c.b) == (["0"], ["0"], [0])
    assert result.summary().endswith("differ on input ['0']: sort.py -> ['0'], wrong.rasp -> [0]")


# --- sampling -----------------------------------------------------------------------------


def test_sampling_finds_and_shrinks_a_planted_difference():
    a, b = _hist(max_len=8), _hist(max_len=8, cap_token="b")
    result = verify(a, b, exhaustive_limit=100, samples=500, seed=1)
    assert result.mode == "sampled" and not result.equivalent
    assert result.counterexample.input == ["b", "b", "b"]  # shrunk to the smallest
    assert 0 < result.inputs <= 500
    again = verify(a, b, exhaustive_limit=100, samples=500, seed=1)
    assert again.inputs == result.inputs  # derandomized by the seed


def test_sampling_equivalent_programs():
    result = verify(_hist(max_len=8), _hist(max_len=8), exhaustive_limit=100, samples=200)
    assert result.equivalent and result.mode == "sampled" and 0 < result.inputs <= 200
    shown = f"checked {result.inputs} inputs (sampled, lengths 0..8, seed 0)"
    assert result.summary().startswith(shown)


# --- checkpoints --------------------------------------------------------------------------


def _checkpoint(path, seed):
    from tests.model.tiny import tiny_checkpoint

    return tiny_checkpoint(path, seed)


def test_checkpoint_against_itself_and_another(tmp_path):
    a = _checkpoint(tmp_path / "a.pt", 0)
    result = verify(a, _checkpoint(tmp_path / "same.pt", 0))
    # Vocabulary: every token but <pad> and <s> (4), up to n_ctx - 1 = 4 tokens after BOS.
    assert result.equivalent and result.inputs == sum(4**n for n in range(5))
    other = verify(a, _checkpoint(tmp_path / "b.pt", 1))
    if not other.equivalent:  # two random models: check the reported outputs are the models'
        from tpc.model.checkpoint import load_checkpoint

        c = other.counterexample
        assert c.input[0] == "<s>"
        for path, want in ((a, c.a), (tmp_path / "b.pt", c.b)):
            model, meta = load_checkpoint(path)
            ids = torch.tensor([[meta.tokens.index(t) for t in c.input]])
            assert [meta.labels[i] for i in model.predict(ids)[0].tolist()] == want


def test_checkpoint_against_its_lifted_program(tmp_path):
    ckpt = _checkpoint(tmp_path / "m.pt", 0)
    program = lift_checkpoint(ckpt)
    (tmp_path / "m.json").write_text(to_json(program))
    (tmp_path / "m.py").write_text(to_python(program))
    total = sum(4**n for n in range(5))
    for other in (program, tmp_path / "m.json", tmp_path / "m.py"):
        result = verify(ckpt, other)
        assert result.equivalent and result.inputs == total
    # A wrong label at one class: the lifted program now differs where the model predicts it.
    from tpc.ir import Readout

    readout = next(n for n in program.nodes if isinstance(n, Readout))
    classes = tuple("9" if c == "1" else c for c in readout.classes)
    broken = program.evolve(
        nodes=[n if n is not readout else _with_classes(n, classes) for n in program.nodes]
    )
    result = verify(ckpt, broken)
    assert (
        not result.equivalent and "1" in result.counterexample.a and "9" in result.counterexample.b
    )


def _with_classes(node, classes):
    from attrs import evolve

    from tpc.ir import Categorical

    return evolve(node, classes=classes, type=Categorical(classes))


def test_checkpoint_against_rasp_compares_by_str_after_bos(tmp_path):
    ckpt = _checkpoint(tmp_path / "m.pt", 0)
    const = tmp_path / "const.rasp"
    const.write_text("out = tokens == tokens;\noutput out;\n")
    result = verify(ckpt, const, max_len=2)
    # The RASP side is compiled over the checkpoint's tokens; outputs differ (True vs a label).
    assert not result.equivalent
    c = result.counterexample
    assert c.input[0] != "<s>" and len(c.a) == len(c.b) == len(c.input)


# --- user errors and the command line -----------------------------------------------------


def test_user_errors(tmp_path):
    (tmp_path / "x.txt").write_text("")
    (tmp_path / "bad.json").write_text("{}")
    ab = _echo(vocab="ab")
    with pytest.raises(TpcError, match="unknown kind of artifact"):
        verify(tmp_path / "x.txt", ab)
    with pytest.raises(TpcError, match="missing.json: No such file"):
        verify(tmp_path / "missing.json", ab)
    with pytest.raises(TpcError, match="not a tpc IR document"):
        verify(tmp_path / "bad.json", ab)
    with pytest.raises(TpcError, match="incompatible vocabularies"):
        verify(_echo(vocab="abc"), ab)
    with pytest.raises(TpcError, match="incompatible vocabularies"):
        verify(ab, ab, vocab=["a", "z"])
    with pytest.raises(TpcError, match="longer than"):
        verify(ab, ab, max_len=9)
    with pytest.raises(TpcError, match="no output"):
        verify(ab, ab, output="nope")
    with pytest.raises(TpcError, match="pass --vocab"):
        verify(SORT, SORT)
    with pytest.raises(TpcError, match="not a loadable checkpoint"):
        (tmp_path / "junk.pt").write_text("junk")
        verify(tmp_path / "junk.pt", ab)


def test_cli(sort_artifacts, tmp_path):
    runner = CliRunner()
    py = str(sort_artifacts / "sort.py")
    ok = runner.invoke(main, ["verify", str(SORT), py, "--max-len", "3"])
    assert (
        ok.exit_code == 0
        and ok.output == "checked 85 inputs (exhaustive, lengths 0..3): equivalent\n"
    )
    wrong = tmp_path / "wrong.rasp"
    wrong.write_text(SORT.read_text().replace("select(keys, keys, <)", "select(keys, keys, <=)"))
    bad = runner.invoke(main, ["verify", py, str(wrong), "--json"])
    assert bad.exit_code == 1
    doc = json.loads(bad.output)
    # Position 0 selects nothing and gets RASP's default, the int 0 (issue 10).
    assert doc["equivalent"] is False and doc["mode"] == "exhaustive" and doc["inputs"] == 2
    assert doc["counterexample"] == {
        "input": ["0"],
        "output": None,
        "a": ["0"],
        "b": [0],
        "differs": [True],
    }
    sampled = runner.invoke(
        main,
        [
            "verify",
            py,
            str(SORT),
            "--exhaustive-limit",
            "10",
            "--samples",
            "50",
            "--seed",
            "3",
            "--vocab",
            "0 1",
        ],
    )
    assert (
        sampled.exit_code == 0 and "(sampled, lengths 0..5, seed 3): equivalent" in sampled.output
    )
    err = runner.invoke(main, ["verify", py, str(tmp_path / "nothing.pt")])
    assert err.exit_code == 2 and err.output.startswith("error: ") and err.output.count("\n") == 1


ALL_EXAMPLES = sorted((EXAMPLES / "rasp").rglob("*.rasp"))


@pytest.mark.parametrize("source", ALL_EXAMPLES, ids=lambda p: p.stem)
def test_examples_verify_against_emitted_python_and_json(source, tmp_path):
    """What CI runs on the examples: `tpc verify` of each example vs its emitted forms."""
    runner = CliRunner()
    domain = ["--vocab", "( ) { } x 1", "--max-len", "3"]
    py, js = tmp_path / "prog.py", tmp_path / "prog.json"
    for out, to in ((py, "python"), (js, "json")):
        emitted = runner.invoke(main, ["emit", str(source), "--to", to, "-o", str(out), *domain])
        assert emitted.exit_code == 0, emitted.output
    for a, b in ((source, py), (py, js)):
        result = runner.invoke(main, ["verify", str(a), str(b)])
        assert result.exit_code == 0, result.output
        assert result.output == "checked 259 inputs (exhaustive, lengths 0..3): equivalent\n"


TRAINED = sorted((EXAMPLES / "models").glob("*/model.pt"))


@pytest.mark.parametrize("ckpt", TRAINED, ids=lambda p: p.parent.name)
def test_trained_example_checkpoint_against_its_lifted_program_and_rasp(ckpt, tmp_path):
    (tmp_path / "lifted.json").write_text(to_json(lift_checkpoint(ckpt)))
    result = CliRunner().invoke(
        main, ["verify", str(ckpt), str(tmp_path / "lifted.json"), "--max-len", "3"]
    )
    assert result.exit_code == 0, result.output
    # Against the task's RASP program: the model is only mostly right; whatever the verdict,
    # a reported counterexample is what each side computes. The program runs on the model's
    # tokens typed as `tpc run --input` types them: strings, as RASP's tokens (issue 10).
    rasp = EXAMPLES / "rasp" / f"{ckpt.parent.name}.rasp"
    if rasp.is_file():
        from tpc.frontend import rasp_file_to_ir
        from tpc.load import parse_tokens
        from tpc.model.checkpoint import load_checkpoint

        result = verify(rasp, ckpt, max_len=3)
        if not result.equivalent:
            c = result.counterexample
            model, meta = load_checkpoint(ckpt)
            ids = torch.tensor([[meta.tokens.index(str(t)) for t in ["<s>", *c.input]]])
            assert c.b == [meta.labels[i] for i in model.predict(ids)[0].tolist()][1:]
            vocab = parse_tokens(" ".join(t for t in meta.tokens if t not in ("<pad>", "<s>")))
            assert "3" in vocab and 3 not in vocab and all(isinstance(t, str) for t in c.input)
            program = rasp_file_to_ir(rasp, vocab=vocab, max_len=3)
            from tpc.interp import run

            assert c.a == run(program, [c.input])[program.outputs[0][0]][0]


# --- every spelling of a model (issue 16, item 4) -----------------------------------------


@pytest.mark.parametrize("task", ["sort", "hist"])
def test_cli_takes_a_reference_run_as_lift_does(shared_dir, tmp_path, task):
    """`tpc verify` reads the paper's runs as `tpc lift` does: the run directory, or its
    model.pt with args.json beside it."""
    runner = CliRunner()
    run = shared_dir / "reference" / task
    lifted = tmp_path / "p.py"
    done = runner.invoke(main, ["lift", str(run), "-o", str(lifted)])
    assert done.exit_code == 0, done.output
    # 6 tokens may follow BOS (the run's vocabulary but <pad> and <s>).
    total = sum(6**n for n in range(4))
    for spelling in (run, run / "model.pt"):
        result = runner.invoke(main, ["verify", str(spelling), str(lifted), "--max-len", "3"])
        assert result.exit_code == 0, result.output
        assert result.output == f"checked {total} inputs (exhaustive, lengths 0..3): equivalent\n"
    # The two spellings are one model, and a different model is told apart.
    same = runner.invoke(main, ["verify", str(run), str(run / "model.pt"), "--max-len", "2"])
    assert same.exit_code == 0, same.output
    other = shared_dir / "reference" / ("hist" if task == "sort" else "sort")
    differ = runner.invoke(
        main, ["verify", str(run), str(other), "--max-len", "2", "--vocab", "0 1 2"]
    )
    assert differ.exit_code == 1 and "differ on input ['<s>']: " in differ.output


def test_model_spellings_that_are_not_models(shared_dir, tmp_path):
    runner = CliRunner()
    ab = tmp_path / "ab.json"
    ab.write_text(to_json(_echo(vocab="ab")))
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "model.pt").write_bytes((shared_dir / "reference" / "sort" / "model.pt").read_bytes())
    cases = {
        bare
        / "model.pt": "is not a tpc checkpoint (for a run of the paper's code, keep its args.json",
        bare: "is not a tpc checkpoint",
        tmp_path / "empty": "no model at",
    }
    (tmp_path / "empty").mkdir()
    for path, message in cases.items():
        result = runner.invoke(main, ["verify", str(path), str(ab)])
        assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
        assert result.output.startswith("error: ") and message in result.output


# --- a compiled checkpoint's typed values (issue 16, item 6) ------------------------------

MAKE_SORT = EXAMPLES / "rasp" / "tracr" / "make_sort.rasp"


@pytest.fixture(scope="module")
def make_sort_models(tmp_path_factory):
    """make_sort compiled over the int vocabularies of the reproduction, at max length 6."""
    out = tmp_path_factory.mktemp("make_sort")
    paths = {}
    for vocab in ("1 2 3 4 5", "1 2 10"):
        paths[vocab] = out / f"m{len(paths)}.pt"
        done = CliRunner().invoke(
            main,
            [
                "compile",
                str(MAKE_SORT),
                "--vocab",
                vocab,
                "--max-len",
                "6",
                "-o",
                str(paths[vocab]),
            ],
        )
        assert done.exit_code == 0, done.output
    return paths


@pytest.mark.parametrize(
    "vocab, total",
    [("1 2 3 4 5", sum(5**n for n in range(7))), ("1 2 10", sum(3**n for n in range(7)))],
)
def test_rasp_against_its_compiled_int_model_is_equivalent(make_sort_models, vocab, total):
    # The .rasp side was compiled over the strings "1", "2", ... (make_sort's arithmetic then
    # fails, and "10" sorts before "2"): false counterexamples. Now over the model's ints.
    result = CliRunner().invoke(main, ["verify", str(MAKE_SORT), str(make_sort_models[vocab])])
    assert result.exit_code == 0, result.output
    assert result.output == f"checked {total} inputs (exhaustive, lengths 0..6): equivalent\n"


def test_compiled_model_compares_typed_values(make_sort_models, tmp_path):
    model = make_sort_models["1 2 10"]
    # Values are typed both ways: the tokens are the strings "1" "2" "10", the outputs (through
    # tokens_int) the ints 1 2 10, and the int 10 is not the string "10".
    descending = tmp_path / "descending.rasp"
    descending.write_text(
        MAKE_SORT.read_text().replace("select(keys, keys, <)", "select(keys, keys, >)")
    )
    result = verify(model, descending)
    c = result.counterexample
    assert (
        not result.equivalent and result.inputs == 6
    )  # [], ["1"], ["10"], ["2"], ["1", "1"], then ["1", "10"]
    assert (c.input, c.a, c.b) == (["1", "10"], [1, 10], [10, 1])
    as_strings = verify(model, _echo(vocab=["1", "2", "10"], max_len=6))
    assert (
        not as_strings.equivalent
        and as_strings.counterexample.a == [1]
        and as_strings.counterexample.b == ["1"]
    )
    with pytest.raises(TpcError, match="incompatible vocabularies"):
        verify(model, _echo(vocab=[1, 2, 10], max_len=6))
    # A program whose sort key puts 10 between 1 and 2 (1.9 plus make_sort's positional
    # tie-break), as sorting the strings "1" "10" "2" would, is caught where that shows.
    between = tmp_path / "between.rasp"
    between.write_text(
        MAKE_SORT.read_text().replace(
            "make_sort(tokens_int, tokens_int, 8, 1)",
            'make_sort(tokens_int, tokens_int - 8.1 * indicator(tokens == "10"), 8, 1)',
        )
    )
    result = verify(model, between)
    c = result.counterexample
    assert not result.equivalent and (c.input, c.a, c.b) == (["10", "2"], [2, 10], [10, 2])
