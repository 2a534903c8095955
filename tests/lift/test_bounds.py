"""Bounded lifting: an MLP table's size is known before it is built; past --max-table-rows the
lift is a one-line error naming the module (exit 2), never a traceback or the OOM killer; under
it, the table built in chunks is the one the model computes."""

import subprocess
import sys

import pytest
import torch
from click.testing import CliRunner

from tpc.cli import main
from tpc.errors import TpcError
from tpc.interp import Interpreter
from tpc.ir import SequenceMap
from tpc.lift import bounds, lift_model
from tpc.lift.bounds import table_rows
from tpc.model.checkpoint import save_checkpoint
from tpc.model.config import ModelConfig
from tpc.model.learned import TransformerProgram

TOKENS = ("<pad>", "a", "b", "c", "<s>")
LABELS = ("<pad>", "x", "y")


def _counting_model(n_ctx: int, layers: int) -> TransformerProgram:
    """Numerical heads that sum the previous layer's head (counts, sums of counts, ...) and in
    the last layer a numerical MLP reading that layer's two heads (earlier MLPs read ones)."""
    cfg = ModelConfig(
        vocab_size=len(TOKENS),
        n_classes=len(LABELS),
        n_ctx=n_ctx,
        d_var=max(5, n_ctx),
        n_layers=layers,
        n_heads_cat=0,
        n_heads_num=2,
        n_cat_mlps=0,
        n_num_mlps=1,
        mlp_vars_in=2,
        d_mlp=8,
        masked_classes=(0,),
    )
    torch.manual_seed(0)
    model = TransformerProgram(cfg).eval()
    with torch.no_grad():
        for l, layer in enumerate(model.layers):
            layer.num_v.fill_(-10)
            layer.num_v[:, 0 if l == 0 else 1 + 2 * (l - 1)] = 10  # ones, then L{l-1}.num_head0
            layer.num_mlp_read.fill_(-10)
            if l < layers - 1:  # reads ones twice: a one-row table
                layer.num_mlp_read[0, :, 0] = 10
            else:  # ones and the earlier layers' heads come first
                layer.num_mlp_read[0, 0, 1 + 2 * l] = layer.num_mlp_read[0, 1, 2 + 2 * l] = 10
    return model


def _mlp_table(program):
    return next(
        n
        for n in program.nodes
        if isinstance(n, SequenceMap) and program.origin_map[n.name] == "L1.num_mlp0"
    )


def test_the_estimate_is_the_table_built_and_the_limit_is_exact():
    model = _counting_model(n_ctx=6, layers=2)
    lifted = lift_model(model, TOKENS, LABELS)
    rows = len(_mlp_table(lifted).table)
    assert rows > 36  # sums of counts: more values than positions
    assert lift_model(model, TOKENS, LABELS, max_table_rows=rows).nodes == lifted.nodes
    with pytest.raises(TpcError, match=rf"^L1\.num_mlp0: its table would have {rows:,} rows \("):
        lift_model(model, TOKENS, LABELS, max_table_rows=rows - 1)


def test_tables_built_in_chunks_equal_the_model(monkeypatch):
    """Many chunks, the last one partial: the lifted program gives the model's labels."""
    monkeypatch.setattr(bounds, "CHUNK_ROWS", 1000)
    model = _counting_model(n_ctx=12, layers=2)
    lifted = lift_model(model, TOKENS, LABELS)
    assert len(_mlp_table(lifted).table) % 1000 and len(_mlp_table(lifted).table) > 10_000
    seqs = [["<s>", *("abc" * 4)[:n]] for n in range(12)] + [["<s>", *"a" * 11], ["<s>", *"cb" * 5]]
    ids = {t: i for i, t in enumerate(TOKENS)}
    batch = torch.tensor([[ids[t] for t in s] + [0] * (12 - len(s)) for s in seqs])
    predicted = model.predict(batch).tolist()
    want = [[LABELS[c] for c in row[: len(s)]] for row, s in zip(predicted, seqs)]
    assert Interpreter(lifted).run(seqs)["output"] == want


def test_table_rows_counts_the_numbering_maps():
    assert table_rows([7]) == 7
    assert table_rows([3, 4]) == 12
    assert table_rows([3, 4, 5]) == 60 + 12  # the (first, second) pairs are numbered first
    assert table_rows([2, 3, 4, 5]) == 120 + 6 + 24


def test_cli_past_the_limit_is_one_line_naming_the_module(tmp_path):
    path = tmp_path / "model.pt"
    save_checkpoint(path, _counting_model(n_ctx=6, layers=2), tokens=TOKENS, labels=LABELS)
    out = str(tmp_path / "p.py")
    r = CliRunner().invoke(main, ["lift", str(path), "--max-table-rows", "40", "-o", out])
    assert r.exit_code == 2
    assert len(r.output.strip().splitlines()) == 1
    assert r.output.startswith("error: L1.num_mlp0: its table would have ")
    assert "--max-length" in r.output and "--max-table-rows" in r.output
    assert not (tmp_path / "p.py").exists()


def test_a_lift_cached_under_a_larger_limit_does_not_hide_the_error(tmp_path, private_cache):
    path = tmp_path / "model.pt"
    save_checkpoint(path, _counting_model(n_ctx=6, layers=2), tokens=TOKENS, labels=LABELS)
    out = str(tmp_path / "p.py")
    assert CliRunner().invoke(main, ["lift", str(path), "-o", out]).exit_code == 0
    assert list((private_cache / "lift").glob("*.json"))  # the default limit's lift is stored
    r = CliRunner().invoke(main, ["lift", str(path), "--max-table-rows", "40", "-o", out])
    assert r.exit_code == 2
    assert r.output.startswith("error: L1.num_mlp0: its table would have ")


@pytest.mark.slow
def test_a_huge_table_is_refused_before_memory_is_spent(tmp_path):
    """Sums of sums of counts at 40 positions: the MLP's inputs take 64,001 values each (4e9
    rows, terabytes as a table). Under a 3 GB address-space limit the lift stops at once
    with the error, in a fresh process."""
    path = tmp_path / "model.pt"
    save_checkpoint(path, _counting_model(n_ctx=40, layers=3), tokens=TOKENS, labels=LABELS)
    code = (
        "import resource, sys; from tpc.cli import main; "
        "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30)); "
        f"sys.argv = ['tpc', 'lift', {str(path)!r}, '-o', {str(tmp_path / 'p.py')!r}]; main()"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 2, r.stderr
    want = "error: L2.num_mlp0: its table would have 4,096,128,001 rows "
    assert r.stderr.startswith(want), r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
