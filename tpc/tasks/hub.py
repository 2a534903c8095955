"""Text tasks from the Hugging Face hub: ``--data hf:NAME`` loads the paper's data sets
(conll2003, trec, rotten_tomatoes, SetFit/subj, ag_news) by their hub names through the
``datasets`` library, which needs the network on first use (then its cache).

The splits come back as the records the local files give (`conll.Sentence`,
`classify.Example`), so both sources share one path from there on: label ids become the data
set's label names, and a record's "line" is its row number in the split.
"""

from __future__ import annotations

from tpc.errors import TpcError
from tpc.tasks.classify import Example
from tpc.tasks.conll import Sentence, to_iob2

PREFIX = "hf:"
# Column names as the hub's copies spell them (trec's coarse label is the paper's).
TEXT_COLUMNS = ("text", "sentence")
LABEL_COLUMNS = ("label", "coarse_label")


def is_hub(data: str) -> bool:
    return str(data).startswith(PREFIX)


def load_splits(task: str, data: str) -> tuple[list, list | None, list]:
    """(train, validation or None, test) records of the hub data set named by ``data``."""
    name = data[len(PREFIX) :]
    try:
        import datasets  # lazy: an optional extra, and slow to import
    except ImportError:
        raise TpcError(
            f"--data {data}: needs the datasets library (pip install 'tpc[hf]')"
        ) from None
    try:
        splits = datasets.load_dataset(name)
    except Exception as e:  # the library's own errors (network, unknown name) vary by version
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise TpcError(f"--data {data}: cannot load it from the hub: {first}") from None
    for needed in ("train", "test"):
        if needed not in splits:
            raise TpcError(f"--data {data}: the data set has no {needed!r} split")
    read = _sentences if task == "conll" else _examples
    val = read(data, "validation", splits["validation"]) if "validation" in splits else None
    return read(data, "train", splits["train"]), val, read(data, "test", splits["test"])


def _names(split, column: str) -> list[str] | None:
    """The class names of an integer label column (or of a sequence of them), if it has them."""
    feature = split.features[column]
    feature = getattr(feature, "feature", feature)  # a sequence of labels: its element
    return list(feature.names) if hasattr(feature, "names") else None


def _column(data: str, split_name: str, split, choices: tuple[str, ...]) -> str:
    for column in choices:
        if column in split.column_names:
            return column
    raise TpcError(
        f"--data {data}: split {split_name!r} has no {' or '.join(map(repr, choices))} column"
    )


def _name(label, names: list[str] | None, where: str) -> str:
    """A label id's class name (an id outside the classes, like GLUE's -1 for unlabelled test
    rows, is an error naming the row)."""
    if names is None:
        return str(label)
    if not (isinstance(label, int) and 0 <= label < len(names)):
        raise TpcError(f"{where}: label {label!r} is not one of the {len(names)} classes")
    return names[label]


def _sentences(data: str, split_name: str, split) -> list[Sentence]:
    for column in ("tokens", "ner_tags"):
        _column(data, split_name, split, (column,))
    names = _names(split, "ner_tags")
    where = f"{data}/{split_name}"
    return [
        Sentence(
            tuple(row["tokens"]),
            tuple(to_iob2([_name(t, names, f"{where}:{i}") for t in row["ner_tags"]])),
            i,
        )
        for i, row in enumerate(split, 1)
        if row["tokens"]
    ]


def _examples(data: str, split_name: str, split) -> list[Example]:
    text, label = (_column(data, split_name, split, c) for c in (TEXT_COLUMNS, LABEL_COLUMNS))
    names = _names(split, label)
    # SetFit's copies store plain ints beside a label_text column that names them.
    named = names is None and "label_text" in split.column_names
    where = f"{data}/{split_name}"
    return [
        Example(
            row[text], row["label_text"] if named else _name(row[label], names, f"{where}:{i}"), i
        )
        for i, row in enumerate(split, 1)
    ]
