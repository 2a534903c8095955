"""CoNLL-2003 column files: one word per line (word first, tag last), a blank line between
sentences, ``-DOCSTART-`` lines skipped.

Tags are read as IOB1 (the original CoNLL-2003 files) or IOB2 (the Hugging Face copy the
paper's code loads): an ``I-X`` that starts an entity becomes ``B-X``, so every sentence
comes out in IOB2, the scheme the entity metric scores.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from tpc.errors import TpcError


@attrs.frozen
class Sentence:
    words: tuple[str, ...]
    tags: tuple[str, ...]
    line: int  # where it starts in its file (1-based), for errors about it


def _check_tag(tag: str, where: str) -> None:
    if tag != "O" and not (len(tag) > 2 and tag[:2] in ("B-", "I-")):
        raise TpcError(f"{where}: tag {tag!r} is not O, B-TYPE or I-TYPE")


def to_iob2(tags: list[str]) -> list[str]:
    """IOB1 or IOB2 tags as IOB2: an I-X not continuing an X entity starts one (B-X)."""
    out = []
    for i, tag in enumerate(tags):
        if tag.startswith("I-") and (i == 0 or tags[i - 1] == "O" or tags[i - 1][2:] != tag[2:]):
            tag = "B-" + tag[2:]
        out.append(tag)
    return out


def read_conll(path: str | Path) -> list[Sentence]:
    """The sentences of a CoNLL file; a bad line is a TpcError naming file:line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise TpcError(f"{path}: cannot read: {getattr(e, 'strerror', None) or e}") from None
    sentences: list[Sentence] = []
    words: list[str] = []
    tags: list[str] = []
    start = width = 0
    for number, text in enumerate([*lines, ""], 1):
        cols = text.split()
        if cols and cols[0] == "-DOCSTART-":
            cols = []
        if not cols:
            if words:
                sentences.append(Sentence(tuple(words), tuple(to_iob2(tags)), start))
            words, tags = [], []
            continue
        where = f"{path}:{number}"
        if len(cols) < 2:
            raise TpcError(f"{where}: expected a word and a tag, got {len(cols)} column")
        if width and len(cols) != width:
            raise TpcError(
                f"{where}: {len(cols)} columns where the file's lines before have {width}"
            )
        width = len(cols)
        _check_tag(cols[-1], where)
        if not words:
            start = number
        words.append(cols[0])
        tags.append(cols[-1])
    if not sentences:
        raise TpcError(f"{path}:1: no sentences")
    return sentences
