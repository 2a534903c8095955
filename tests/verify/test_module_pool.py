"""An emitted module's large batches run in worker processes: the same ids as one process,
and the module's failures are the same one-line errors."""

from __future__ import annotations

import numpy as np
import pytest

from tpc.errors import TpcError
from tpc.verify import python_side
from tpc.verify.module_pool import MIN_PARALLEL_POSITIONS, ModulePool, import_module, run_rows
from tpc.verify.runnables import Canon, PythonRunnable
from tpc.verify.search import enumerate_inputs

# A module as tpc emits it, in outline: BOS-free, one output; it fails on one input.
MODULE = """
VOCAB = ("a", "b", "c")
MAX_LEN = 9
IMPLICIT_BOS = True
BOS = "<s>"
OUTPUTS = ("output",)

def run_all(tokens):
    if tokens == FAILS_ON:
        raise ValueError("no")
    seen = []
    out = []
    for t in tokens:
        seen.append(t)
        out.append(seen.count(t) if WIDTH_OK else None)
    return {"output": out if WIDTH_OK else out[:-1]}
"""


def _module(tmp_path, fails_on=None, width_ok=True):
    path = tmp_path / "m.py"
    path.write_text(MODULE + f"FAILS_ON = {fails_on!r}\nWIDTH_OK = {width_ok!r}\n")
    side = PythonRunnable(path, "m.py")
    side.use_vocab(side.vocab)
    return side


def _big_batch():
    idx = enumerate_inputs(3, 8, 0, 3**8)
    assert idx.size >= MIN_PARALLEL_POSITIONS
    return idx


@pytest.fixture
def two_cores(monkeypatch):
    """Workers for every large batch, as on a machine of two cores after a long start."""
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(python_side, "POOL_AFTER_SECONDS", 0.0)


def test_a_short_check_starts_no_workers(tmp_path, monkeypatch):
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1})
    side = _module(tmp_path)
    side.run_ids(_big_batch(), ["output"], Canon(False))
    assert side._pool is False


def test_workers_give_what_one_process_gives(tmp_path, two_cores):
    side = _module(tmp_path)
    idx = _big_batch()
    canon = Canon(False)
    parallel = side.run_ids(idx, ["output"], canon)["output"]
    assert side._pool, "a batch this large runs in worker processes"
    rows = [[side.tokens[i] for i in row] for row in idx.tolist()]
    values, codes = run_rows(side.module, rows, 8, ["output"], "m.py")["output"]
    assert np.array_equal(parallel, canon.lookup(values)[codes])
    # and the values themselves: each position counts its token so far
    row = idx[-1].tolist()
    assert [values[c] for c in codes[-1]] == [row[: i + 1].count(t) for i, t in enumerate(row)]


def test_a_failure_in_a_worker_is_a_one_line_error(tmp_path, two_cores):
    side = _module(tmp_path, fails_on=["c"] * 8)  # the last input: the last worker's chunk
    with pytest.raises(TpcError, match=r"m.py failed on \['c', 'c'.*\]: ValueError: no$"):
        side.run_ids(_big_batch(), ["output"], Canon(False))


def test_too_few_values_is_an_error_in_either_process(tmp_path, two_cores):
    side = _module(tmp_path, width_ok=False)
    with pytest.raises(TpcError, match=r"returned 7 values of 'output' for the 8 positions"):
        side.run_ids(_big_batch(), ["output"], Canon(False))
    with pytest.raises(TpcError, match=r"returned 1 values of 'output' for the 2 positions"):
        side.run_ids(np.zeros((1, 2), dtype=np.int64), ["output"], Canon(False))


def test_an_unimportable_module_is_a_one_line_error(tmp_path):
    (tmp_path / "bad.py").write_text("1/0\n")
    with pytest.raises(TpcError, match="cannot import it: ZeroDivisionError"):
        import_module(tmp_path / "bad.py")


def test_one_core_runs_in_process(monkeypatch, tmp_path):
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0})
    assert ModulePool.create(str(tmp_path / "m.py")) is None
