"""`tpc export`: TransformerLens and ONNX exports agree with the model on every input, read
back the values `tpc trace` shows, patch like `tpc ablate`, and reload what they saved."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from tpc.artifact import Choices, load
from tpc.export import load_tl
from tpc.export.write import export, load_source
from tpc.inspect.ablate import ablated, units
from tpc.inspect.trace import trace
from tpc.interp import Interpreter
from tpc.verify import verify
from tpc.verify.runnables import ExportRunnable

ROOT = Path(__file__).resolve().parents[2]
HIST = str(ROOT / "examples" / "models" / "hist" / "model.pt")  # categorical + numerical heads
SORT = str(ROOT.parent / "shared" / "reference" / "sort")  # categorical only


@pytest.fixture(scope="module")
def hist_tl(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "hist_tl"
    export(load_source(HIST), "tl", out)
    return out


@pytest.fixture(scope="module")
def hist_onnx(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "hist_onnx"
    export(load_source(HIST), "onnx", out)
    return out


def test_tl_and_onnx_equal_the_model_on_every_input(hist_tl, hist_onnx):
    for side in (hist_tl, hist_onnx / "model.onnx"):
        result = verify(HIST, side, max_len=4)
        # 6 tokens, lengths 0..4
        assert result.equivalent and result.mode == "exhaustive" and result.inputs == 1555


def test_a_compiled_program_with_computed_keys_equals_its_source(tmp_path):
    # sort: counting heads whose keys are MLP outputs (prep blocks), a nearest head
    rasp = str(ROOT / "examples" / "rasp" / "sort.rasp")
    loaded = load_source(rasp, vocab=["a", "b", "c"], max_len=5)
    w = export(loaded, "onnx", tmp_path / "sort")
    assert any("prep" in b.role for b in w.blocks)
    result = verify(rasp, tmp_path / "sort", vocab=["a", "b", "c"], max_len=5)
    assert result.equivalent and result.inputs == sum(3**n for n in range(6))


def test_vocab_and_labels_describe_the_files(hist_tl):
    vocab = json.loads((hist_tl / "vocab.json").read_text())
    labels = json.loads((hist_tl / "labels.json").read_text())
    config = json.loads((hist_tl / "config.json").read_text())
    assert vocab["bos"] in vocab["tokens"] and vocab["pad"] in vocab["tokens"]
    assert vocab["bos"] != vocab["pad"] and vocab["padding"] == "right"
    assert len(vocab["outputs"]) == config["d_vocab_out"]
    dims = [d for v in labels["variables"].values() for d in v["dims"]]
    assert sorted(dims) == list(range(config["d_model"]))
    assert labels["heads"]["L0.num_head0"] == {"layer": 0, "head": 1}


def test_reload_gives_identical_logits(hist_tl):
    model, again = load_tl(hist_tl), load_tl(hist_tl)
    ids = torch.tensor([[ExportRunnable(hist_tl, "x")._bos_id, 3, 4, 3, 5]])
    logits = model(ids, return_type="logits")
    assert torch.equal(logits, again(ids, return_type="logits"))
    with pytest.warns(DeprecationWarning):  # transformer-lens 3.x announces 4.0
        fresh = type(model)(model.cfg)  # the same config, random weights: the reload really loaded
    assert not torch.equal(logits, fresh(ids, return_type="logits"))


def _decode(cache, labels, name):
    """A variable's value at every position, from the final residual stream's dimensions."""
    entry = labels["variables"][name]
    resid = cache[f"blocks.{len(labels['blocks']) - 1}.hook_resid_post"][0]
    return [entry["values"][i] for i in resid[:, entry["dims"]].argmax(-1).tolist()]


def test_run_with_cache_reads_what_trace_shows(hist_tl):
    labels = json.loads((hist_tl / "labels.json").read_text())
    vocab = json.loads((hist_tl / "vocab.json").read_text())
    text = ["<s>", "1", "2", "1", "3", "1"]
    _, cache = load_tl(hist_tl).run_with_cache(torch.tensor([[vocab["tokens"][t] for t in text]]))
    shown = {
        v["origin"]: v["values"] for v in trace(load(HIST, Choices(level=0)), text)["variables"]
    }
    for name in ("L0.cat_head0", "L0.num_head0"):  # categorical, numerical
        assert _decode(cache, labels, name) == shown[name]
    assert len(set(shown["L0.num_head0"])) > 1


def test_patching_a_head_changes_exactly_what_ablate_predicts(tmp_path):
    export(load_source(SORT), "tl", tmp_path / "sort")
    model = load_tl(tmp_path / "sort")
    labels = json.loads((tmp_path / "sort" / "labels.json").read_text())
    vocab = json.loads((tmp_path / "sort" / "vocab.json").read_text())
    program = load(SORT, Choices(level=0))
    rng = np.random.RandomState(0)
    words = [t for t in vocab["tokens"] if t not in ("<pad>", "<s>")]
    inputs = [["<s>", *rng.choice(words, 5)] for _ in range(64)]
    ids = torch.tensor([[vocab["tokens"][t] for t in row] for row in inputs])
    unit = next(u for u in units(program) if u.module == "L1.cat_head2")
    value = program[unit.node].type.values[0]
    want = Interpreter(ablated(program, unit, value)).run(inputs)[program.main_output]
    layer, head = labels["heads"]["L1.cat_head2"]["layer"], labels["heads"]["L1.cat_head2"]["head"]
    index = labels["variables"]["L1.cat_head2"]["values"].index(str(value))

    def constant(z, hook):
        z[:, :, head] = 0.0
        z[:, :, head, index] = 1.0
        return z

    logits = model.run_with_hooks(
        ids, return_type="logits", fwd_hooks=[(f"blocks.{layer}.attn.hook_z", constant)]
    )
    got = [[vocab["outputs"][c] for c in row] for row in logits.argmax(-1).tolist()]
    assert got == [[str(v) for v in row] for row in want]
    plain = Interpreter(program).run(inputs)[program.main_output]
    assert got != [[str(v) for v in row] for row in plain]  # the patch changed something


def test_an_existing_directory_that_is_no_export_is_refused(tmp_path):
    from click.testing import CliRunner

    from tpc.cli import main

    (tmp_path / "keep").mkdir()
    (tmp_path / "keep" / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["export", HIST, "--to", "tl", "-o", str(tmp_path / "keep")])
    assert result.exit_code == 2 and "not an earlier export" in result.output
    assert (tmp_path / "keep" / "notes.txt").read_text() == "mine"


def test_export_takes_threads_like_the_other_model_commands(tmp_path):
    from click.testing import CliRunner

    from tpc.cli import main

    assert "--threads" in CliRunner().invoke(main, ["export", "--help"]).output
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["export", HIST, "--to", "tl", "-o", str(out), "--threads", "0"]
    )
    assert result.exit_code == 2 and "--threads" in result.output and not out.exists()
