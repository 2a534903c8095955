"""Every ```rasp block in docs/language.md compiles (vocabulary a b c)."""

import re
from pathlib import Path

from tpc.frontend import rasp_to_ir

DOC = Path(__file__).resolve().parents[2] / "docs" / "language.md"


def test_doc_examples_compile():
    blocks = re.findall(r"```rasp\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) >= 7
    for i, block in enumerate(blocks):
        # blocks that only build selectors get an output so that they form a program
        rasp_to_ir(block + "\nzz_doc_output = tokens;\n", f"language.md#{i}", "abc", 4)
