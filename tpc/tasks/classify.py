"""Text classification files: ``.tsv``, ``.csv`` or ``.jsonl``, one example per row.

CSV and TSV files either start with a header naming a ``text`` and a ``label`` column (any
order, other columns ignored) or, for TSV only, have no header and hold ``label<TAB>text``.
JSONL files hold one object per line with ``text`` and ``label``.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import attrs

from tpc.errors import TpcError

SUFFIXES = (".tsv", ".csv", ".jsonl")


@attrs.frozen
class Example:
    text: str
    label: str
    line: int


# The Penn Treebank conventions nltk's word_tokenize follows, for the cases that matter in
# sentences: clitics ('s, n't, 're, ...) and punctuation are words of their own; a period
# splits off only at the end of the text (abbreviations inside keep theirs).
_CLITICS = re.compile(r"(?i)(\w)(n't|'s|'re|'ve|'ll|'d|'m)\b")
_PUNCT = re.compile(r"([?!,;:()\[\]{}\"]|``|''|\.\.\.)")
_FINAL_PERIOD = re.compile(r"([^.])\.\s*$")


def tokenize(text: str) -> list[str]:
    """Words as nltk's Treebank tokenizer splits plain sentences (no lower-casing)."""
    text = _CLITICS.sub(r"\1 \2", text)
    text = _PUNCT.sub(r" \1 ", text)
    text = _FINAL_PERIOD.sub(r"\1 .", text)
    return text.split()


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise TpcError(f"{path}: cannot read: {getattr(e, 'strerror', None) or e}") from None


def _jsonl(path: Path) -> list[Example]:
    out = []
    for number, text in enumerate(_read_lines(path), 1):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as e:
            raise TpcError(f"{path}:{number}: not JSON ({e.msg})") from None
        if not isinstance(row, dict) or "text" not in row or "label" not in row:
            raise TpcError(f'{path}:{number}: expected an object with "text" and "label"')
        out.append(Example(str(row["text"]), str(row["label"]), number))
    return out


def _table(path: Path, delimiter: str) -> list[Example]:
    lines = _read_lines(path)
    rows = list(csv.reader(lines, delimiter=delimiter))
    numbered = [(i, r) for i, r in enumerate(rows, 1) if r and any(c.strip() for c in r)]
    if not numbered:
        return []
    header = [c.strip().lower() for c in numbered[0][1]]
    if "text" in header and "label" in header:
        text_col, label_col = header.index("text"), header.index("label")
        numbered = numbered[1:]
    elif delimiter == "\t":
        label_col, text_col = 0, 1
        header = ["label", "text"]
    else:
        raise TpcError(
            f"{path}:{numbered[0][0]}: a CSV file needs a header naming its text and label columns"
        )
    out = []
    for number, row in numbered:
        if len(row) != len(header):
            raise TpcError(
                f"{path}:{number}: {len(row)} columns where the header has {len(header)}"
            )
        out.append(Example(row[text_col], row[label_col].strip(), number))
    return out


def read_examples(path: str | Path) -> list[Example]:
    """The examples of one file; a bad row is a TpcError naming file:line."""
    path = Path(path)
    if path.suffix == ".jsonl":
        examples = _jsonl(path)
    elif path.suffix in (".tsv", ".csv"):
        examples = _table(path, "\t" if path.suffix == ".tsv" else ",")
    else:
        raise TpcError(f"{path}: expected a .tsv, .csv or .jsonl file")
    if not examples:
        raise TpcError(f"{path}:1: no examples")
    for ex in examples:
        if not ex.label:
            raise TpcError(f"{path}:{ex.line}: empty label")
    return examples
