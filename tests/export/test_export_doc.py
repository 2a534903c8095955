"""The Python examples of docs/export.md run as written, on exports of the hist model."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

from tpc.export.write import export, load_source

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "export.md"
HIST = str(ROOT / "examples" / "models" / "hist" / "model.pt")


def test_doc_examples_run(tmp_path):
    loaded = load_source(HIST)
    export(loaded, "tl", tmp_path / "hist_tl")
    export(loaded, "onnx", tmp_path / "hist_onnx")
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) == 3
    printed = []
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        for block in blocks:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(block, str(DOC), "exec"), {})
            printed.append(out.getvalue().splitlines())
    finally:
        os.chdir(here)
    labels, counts, patched = printed[0]
    assert printed[1] == [labels]  # onnxruntime gives TransformerLens's labels
    assert len(printed[2]) == 3 and printed[2][0] == labels  # the same input, padded
    assert [len(row.split(",")) for row in printed[2]] == [5, 2, 4]  # its real positions
    assert counts == "[1, 2, 1, 2, 1]"  # position 0 counts itself; "1" occurs twice
    assert patched != labels
