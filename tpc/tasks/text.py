"""From a directory of text files to the tokenized splits a model trains on, as the paper's
code builds them: sentences framed by ``<s>`` and ``</s>``, a vocabulary of the most frequent
training words (the rest read as ``<unk>``), labels from the training file.

- ``conll``: ``train.txt``, ``valid.txt`` (or ``dev.txt``), ``test.txt``; every run of digits
  in a word becomes ``#``; one tag per word.
- ``classify``: ``train.*``, ``valid.*`` / ``dev.*`` (optional: else 10% of train is held
  out) and ``test.*`` (``.tsv``, ``.csv``, ``.jsonl``); the label is predicted at position 0
  from the pooled outputs.

``hf:NAME`` reads the same splits from the Hugging Face hub instead (tpc/tasks/hub.py).

Sentences longer than the word limit are left out of every split, as the paper's code does
(`Dataset.info` counts them).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import torch

from tpc.errors import TpcError
from tpc.ir import BOS
from tpc.tasks import hub
from tpc.tasks.classify import SUFFIXES, Example, read_examples, tokenize
from tpc.tasks.conll import Sentence, read_conll
from tpc.tasks.dataset import Dataset, Split, split_indices
from tpc.tasks.generators import EOS, PAD, UNK
from tpc.tasks.registry import get_task

_DIGITS = re.compile(r"[0-9]+")


def normalize_word(word: str) -> str:
    """A CoNLL word as the model reads it: every run of digits becomes ``#``."""
    return _DIGITS.sub("#", word)


def _find(
    data_dir: Path, stems: tuple[str, ...], suffixes: tuple[str, ...], required: bool
) -> Path | None:
    found = [
        data_dir / f"{s}{x}" for s in stems for x in suffixes if (data_dir / f"{s}{x}").is_file()
    ]
    if len(found) > 1:
        raise TpcError(
            f"{data_dir}: more than one {stems[0]} file ({', '.join(p.name for p in found)})"
        )
    if not found and required:
        names = " or ".join(f"{s}{x}" for s in stems for x in suffixes)
        raise TpcError(f"{data_dir}: no {names}")
    return found[0] if found else None


# One labelled sequence: (input tokens, targets, source, line of each target) - the source
# (a file, or a hub split) and lines name errors.
Row = tuple[list[str], list[str], str, list[int]]


def _conll_rows(sentences: list[Sentence], source: str, line_per_word: bool = True) -> list[Row]:
    """A file has a line per word; a hub split has a row per sentence."""
    rows = []
    for s in sentences:
        lines = [s.line + i * line_per_word for i in range(len(s.words))]
        rows.append(
            ([BOS, *map(normalize_word, s.words), EOS], [PAD, *s.tags, PAD], source, [0, *lines, 0])
        )
    return rows


def _classify_rows(examples: list[Example], source: str) -> list[Row]:
    rows = []
    for ex in examples:
        words = tokenize(ex.text)
        seq = [BOS, *words, EOS]
        rows.append(
            (seq, [ex.label] + [PAD] * (len(seq) - 1), source, [ex.line] + [0] * (len(seq) - 1))
        )
    return rows


def _held_out(train: list[Row]) -> tuple[list[Row], list[Row]]:
    """(train, valid): the paper's 10% of train, random_state 0, for data without a dev split."""
    keep, held_out = split_indices(len(train), 0)
    return [train[i] for i in sorted(keep)], [train[i] for i in sorted(held_out)]


def _file_splits(task: str, data_dir: Path) -> tuple[list[Row], list[Row], list[Row]]:
    if not data_dir.is_dir():
        raise TpcError(f"--data {data_dir}: not a directory")
    if task == "conll":
        files = [
            _find(data_dir, stems, (".txt",), True)
            for stems in (("train",), ("valid", "dev"), ("test",))
        ]
        return tuple(_conll_rows(read_conll(f), str(f)) for f in files)
    train_file = _find(data_dir, ("train",), SUFFIXES, True)
    val_file = _find(data_dir, ("valid", "dev"), SUFFIXES, False)
    test_file = _find(data_dir, ("test",), SUFFIXES, True)
    train, test = (_classify_rows(read_examples(f), str(f)) for f in (train_file, test_file))
    if val_file is not None:
        return train, _classify_rows(read_examples(val_file), str(val_file)), test
    return (*_held_out(train), test)


def _hub_splits(task: str, data: str) -> tuple[list[Row], list[Row], list[Row]]:
    def to_rows(records, source):
        return (
            _conll_rows(records, source, False)
            if task == "conll"
            else _classify_rows(records, source)
        )

    train, val, test = hub.load_splits(task, data)
    rows = {
        name: to_rows(records, f"{data}/{name}")
        for name, records in (("train", train), ("validation", val), ("test", test))
        if records is not None
    }
    if val is None:
        return (*_held_out(rows["train"]), rows["test"])
    return rows["train"], rows["validation"], rows["test"]


def build_vocab(rows: list[Row], size: int) -> tuple[str, ...]:
    """``<pad>``, ``<unk>``, then the `size` most frequent training tokens (first seen first
    among equals), as the paper's tokenizer orders them."""
    counts = Counter(t for seq, *_ in rows for t in seq)
    return (PAD, UNK, *[w for w, _ in counts.most_common() if w not in (PAD, UNK)][:size])


def _encode(rows: list[Row], tokens, labels, width: int) -> Split:
    word_id, label_id = {t: i for i, t in enumerate(tokens)}, {t: i for i, t in enumerate(labels)}
    xs, ys = [], []
    for seq, targets, source, lines in rows:
        for target, line in zip(targets, lines):
            if target not in label_id:
                raise TpcError(
                    f"{source}:{line}: label {target!r} does not occur in the training file"
                )
        pad = [0] * (width - len(seq))
        xs.append([word_id.get(t, 1) for t in seq] + pad)
        ys.append([label_id[t] for t in targets] + pad)
    return Split(torch.tensor(xs), torch.tensor(ys))


def load_text_task(
    task: str, data_dir: str | Path, vocab_size: int | None = None, max_words: int | None = None
) -> Dataset:
    """The splits for `task` ("conll" or "classify") from the files in `data_dir`, or from the
    hub when it reads ``hf:NAME``; at most `vocab_size` words kept and `max_words` per
    sentence (None: the task's defaults)."""
    defaults = get_task(task)
    vocab_size = defaults.vocab_size if vocab_size is None else vocab_size
    max_words = defaults.max_length if max_words is None else max_words
    if vocab_size < 1 or max_words < 1:
        raise TpcError("--vocab-size and --max-length must be >= 1")
    parts = (
        _hub_splits(task, data_dir) if hub.is_hub(data_dir) else _file_splits(task, Path(data_dir))
    )
    kept = [[r for r in rows if len(r[0]) - 2 <= max_words] for rows in parts]
    for rows, name in zip(kept, ("train", "valid", "test")):
        if not rows:
            raise TpcError(
                f"{data_dir}: the {name} split has no sentence of at most {max_words} words"
            )
    tokens = build_vocab(kept[0], vocab_size)
    labels = (PAD, *sorted({t for _, ts, *_ in kept[0] for t in ts} - {PAD}))
    width = max(len(r[0]) for rows in kept for r in rows)
    splits = [_encode(rows, tokens, labels, width) for rows in kept]
    info = {
        "sentences": [len(r) for r in kept],
        "left_out_longer": [len(a) - len(b) for a, b in zip(parts, kept)],
    }
    return Dataset(task, tokens, labels, *splits, info=info)
