"""Regression tests for what the fuzzing campaign found (issue 15): every bad input a user can
give is one `error:` line and exit 2 (no traceback, no hang), or a ValueError/TypeError from an
emitted module; nothing bad is accepted."""

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from tpc.cli import main
from tpc.load import MAX_LEN_LIMIT, RUN_MAX_LEN_LIMIT

REPO = Path(__file__).resolve().parent.parent
RASP = REPO / "examples" / "rasp"
TRAINED = REPO / "examples" / "models" / "hist" / "model.pt"
REFERENCE = REPO.parent / "shared" / "reference" / "hist"


def refused(args, message):
    r = CliRunner().invoke(main, [str(a) for a in args])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert r.exit_code == 2, (r.exit_code, r.stderr)
    assert r.stderr.startswith("error: ") and message in r.stderr, r.stderr
    return r.stderr


@pytest.mark.parametrize("args, message", [
    (["run", RASP / "sort.rasp", "-i", "1 2", "--max-len", "10000000"], f"1<=x<={RUN_MAX_LEN_LIMIT}"),
    (["run", RASP / "sort.rasp", "-i", "1 2", "--max-len", "99999999999999999999"], f"1<=x<={RUN_MAX_LEN_LIMIT}"),
    (["emit", RASP / "sort.rasp", "--max-len", str(MAX_LEN_LIMIT + 1)], f"1<=x<={MAX_LEN_LIMIT}"),
    (["emit", RASP / "sort.rasp", "--max-len", "٣"], "is not an integer (ASCII digits)"),
    (["compile", RASP / "sort.rasp", "-o", "x.pt", "--max-len", "0"], "1<=x<="),
    (["run", RASP / "sort.rasp", "-i", " ".join(["1"] * (RUN_MAX_LEN_LIMIT + 1))],
     f"supports at most {RUN_MAX_LEN_LIMIT}"),
    (["run", RASP / "sort.rasp", "-i", "1", "-O", "1"], "No such option '-O'"),
    (["train", "--task", "sort", "-o", "r", "--dataset-size", "0"], "0 is not in the range 10<="),
    (["train", "--task", "sort", "-o", "r", "--lr", "nan"], "'nan' is not a finite number"),
    (["train", "--task", "sort", "-o", "r", "--tau-end", "inf"], "'inf' is not a finite number"),
    (["train", "--task", "sort", "-o", "r", "--epochs", "٣"], "is not an integer (ASCII digits)"),
    (["train", "--task", "sort", "-o", "r", "--embed-vars", "100000"], "0<=x<=64"),
    (["train", "--task", "sort", "-o", "r", "--dataset-size", "1000000", "--max-len", "256"],
     "beyond the supported limit of 4,000,000 tokens"),
    (["train", "--task", "sort", "-o", "r", "--dataset-size", "100", "--layers", "2", "--cat-heads", "64",
      "--d-var", "1024"], "144,543,788 parameters, beyond the supported limit of 50,000,000"),
    (["verify", RASP / "sort.rasp", RASP / "sort.rasp", "--max-len", "٣"], "is not an integer (ASCII digits)"),
])
def test_bad_options_are_refused_naming_the_limit(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    refused(args, message)


def test_train_keeps_the_old_max_length_spelling():
    r = CliRunner().invoke(main, ["train", "--help"])
    assert "--max-len, --max-length" in r.stdout and "--min-len, --min-length" in r.stdout


def test_non_utf8_source_and_huge_literals(tmp_path):
    bad = tmp_path / "bad.rasp"
    bad.write_bytes(b"x = tokens;\noutput \xff x;\n")
    for command in (["check"], ["run", "-i", "1"], ["emit"], ["compile", "-o", tmp_path / "x.pt"]):
        refused([command[0], bad, *command[1:]], "bad.rasp:2:8: not UTF-8 text (byte 0xff)")
    big = tmp_path / "big.rasp"
    for literal in ("1e99999999999999999999", "9" * 500):
        big.write_text(f"y = tokens + {literal};\noutput y;\n")
        refused(["run", big, "-i", "1 2"], "big.rasp:1:14: number literal too large")


def test_declared_max_len_beyond_the_limit(tmp_path):
    src = tmp_path / "p.rasp"
    src.write_text("#!tpc max_len 100000\noutput tokens;\n")
    refused(["check", src], f"max_len 100000 is beyond the supported limit of {MAX_LEN_LIMIT}")
    refused(["run", src, "-i", "1"], f"max_len 100000 is beyond the supported limit of {RUN_MAX_LEN_LIMIT}")


# --- checkpoints -------------------------------------------------------------------------------

def corrupt(tmp_path, change):
    payload = torch.load(TRAINED, weights_only=True)
    change(payload)
    path = tmp_path / "model.pt"
    torch.save(payload, path)
    return path


def nan_in(key):
    def change(p):
        p["state"][key] = p["state"][key].clone()
        p["state"][key].view(-1)[0] = float("nan")
    return change


@pytest.mark.parametrize("change, message", [
    (nan_in("unembed"), "state.unembed: holds NaN or infinite values"),
    (lambda p: p["state"].__setitem__("unembed", torch.zeros(0)), "state.unembed: torch.float32 of shape (0,)"),
    (lambda p: p["state"].pop("unembed"), "state: missing tensor 'unembed'"),
    (lambda p: p["config"].__setitem__("n_layers", [1, 2]), "config.n_layers: expected int, got [1, 2]"),
    (lambda p: p["config"].__setitem__("d_var", 10**12), "config.d_var: expected int"),
    (lambda p: p["config"].__setitem__("causal", 1), "config.causal: expected bool"),
    (lambda p: p["config"].pop("n_ctx"), "config: missing field 'n_ctx'"),
    (lambda p: p.pop("tokens"), "tokens: expected a list of strings"),
    (lambda p: p["tokens"].append("extra"), "entries, but the model has"),
    (lambda p: p.__setitem__("labels", [1, 2]), "labels: expected a list of strings"),
    (lambda p: p.__setitem__("task", "a\nb"), "task: expected one line of text"),
])
def test_corrupt_checkpoints_are_one_line_errors_naming_file_and_key(tmp_path, change, message):
    path = corrupt(tmp_path, change)
    err = refused(["lift", path], message)
    assert str(path) in err and err.count("\n") == 1


def test_compiled_token_values_must_match_the_embedding(tmp_path):
    compiled = tmp_path / "rev.pt"
    r = CliRunner().invoke(main, ["compile", str(RASP / "reverse.rasp"), "--vocab", "a b c", "-o", str(compiled)])
    assert r.exit_code == 0, r.stderr
    payload = torch.load(compiled, weights_only=True)
    for values, message in ((payload["metrics"]["token_values"] + ["d"], "metrics.token_values: expected a list of"),
                            (payload["metrics"]["token_values"][:-1], "metrics.token_values: expected a list of"),
                            ([[1, 2]] * len(payload["tokens"]), "not an IR value")):
        torch.save({**payload, "metrics": {**payload["metrics"], "token_values": values}}, compiled)
        refused(["lift", compiled], message)


def test_a_malicious_pickle_never_runs(tmp_path):
    class Evil:
        def __reduce__(self):
            return (open, (str(tmp_path / "pwned"), "w"))

    path = tmp_path / "evil.pt"
    torch.save({"format": "tpc-transformer-program/1", "config": Evil()}, path)
    refused(["lift", path], "refused, not unpickled")
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("key, value, message", [
    ("n_layers", "2", "args.json.n_layers: expected int, got '2'"),
    ("one_hot_embed", [1], "args.json.one_hot_embed: expected bool"),
    ("dataset", None, "args.json.dataset: expected str"),
    ("n_heads_cat", 10**9, "args.json.n_heads_cat: expected int"),
])
def test_reference_args_json_fields_are_checked(tmp_path, key, value, message):
    run = tmp_path / "run"
    shutil.copytree(REFERENCE, run)
    args = json.loads((run / "args.json").read_text())
    args[key] = value
    (run / "args.json").write_text(json.dumps(args))
    refused(["lift", run], message)
    (run / "args.json").write_text(json.dumps([args]))
    refused(["lift", run], "args.json: expected a JSON object, got list")


# --- the emitted module's run() -------------------------------------------------------------

def emitted(tmp_path, args):
    path = tmp_path / "m.py"
    r = CliRunner().invoke(main, [*map(str, args), "-o", str(path)])
    assert r.exit_code == 0, r.stderr
    spec = importlib.util.spec_from_file_location("m", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_emitted_run_refuses_bad_input_with_one_clear_error(tmp_path):
    m = emitted(tmp_path, ["emit", RASP / "sort.rasp", "--vocab", "1 2 3", "--max-len", "4"])
    assert m.run(["3", "1", "2"]) == ["1", "2", "3"]  # tokens are strings, as RASP's `tokens`
    for bad, message in (([1], "unknown token 1 of type int"), ([True], "unknown token True of type bool"),
                         ([1.0], "unknown token 1.0 of type float"), ([1 + 0j], "of type complex"),
                         (["<s>", "1"], "BOS '<s>' at position 0"),
                         (["1", "2", "3", "1", "2"],
                          "input has 5 tokens after BOS; the program accepts at most 4")):
        with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
            m.run(bad)
    for bad in (5, None, {1, 2}):
        with pytest.raises(TypeError, match="expected a list of tokens"):
            m.run(bad)


def test_emitted_lifted_model_needs_bos_and_counts_the_limit_after_it(tmp_path):
    m = emitted(tmp_path, ["lift", TRAINED])
    token = next(v for v in m.VOCAB if v != m.BOS)
    assert len(m.run([m.BOS, token])) == 2
    with pytest.raises(ValueError, match="expected the BOS token '<s>' first, got no tokens"):
        m.run([])
    with pytest.raises(ValueError, match=f"after BOS; the program accepts at most {m.N_POSITIONS - 1}"):
        m.run([m.BOS] + [token] * m.N_POSITIONS)
    with pytest.raises(ValueError, match="BOS '<s>' at position 2"):
        m.run([m.BOS, token, m.BOS])
