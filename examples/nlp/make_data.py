"""Writes the tiny text data sets in this directory (deterministic; run from anywhere).

- conll/{train,valid,test}.txt: CoNLL-2003 columns (word, POS, chunk, NER tag) of template
  news sentences. Names, places and companies come from small lists; "Jordan" and "Washington"
  are people or places depending on the word before them (after "in"/"to"/"from": a place),
  so a model needs a head that reads the previous word, as the paper's NER programs do.
- classify/: reviews labelled pos or neg by whether they hold more praising than panning
  words ("not" before a word, in one clause of ten, flips it); train.tsv (header),
  dev.jsonl, test.csv: one of each format the loader reads.
- glove.txt: 8-dimensional vectors in GloVe's text format for most of the words, one
  direction per kind of word plus noise, so that initialising from them groups the kinds.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRST = ["John", "Mary", "Peter", "Anna", "David", "Laura", "Tom", "Sarah", "Paul", "Emma"]
LAST = ["Smith", "Brown", "Clark", "Lewis", "Walker", "Young", "Hall", "King"]
PLACES = ["Paris", "Berlin", "London", "Tokyo", "Madrid", "Rome", "Cairo", "Lima", "Oslo"]
AMBIGUOUS = ["Jordan", "Washington"]
COMPANIES = [
    ["Acme", "Corp"],
    ["Globex", "Inc"],
    ["Initech"],
    ["Umbrella", "Group"],
    ["Stark", "Industries"],
]
VERBS = ["said", "visited", "left", "met", "praised", "joined"]
DAYS = ["Monday", "Tuesday", "Friday", "Sunday"]


def _person(rng):
    if rng.random() < 0.15:
        return [(rng.choice(AMBIGUOUS), "B-PER")]
    words = [rng.choice(FIRST)] + ([rng.choice(LAST)] if rng.random() < 0.6 else [])
    return [(w, "B-PER" if i == 0 else "I-PER") for i, w in enumerate(words)]


def _place(rng):
    return [(rng.choice(PLACES + AMBIGUOUS), "B-LOC")]


def _company(rng):
    return [(w, "B-ORG" if i == 0 else "I-ORG") for i, w in enumerate(rng.choice(COMPANIES))]


def _o(*words):
    return [(w, "O") for w in words]


def ner_sentence(rng) -> list[tuple[str, str]]:
    kind = rng.randrange(5)
    if kind == 0:
        return _person(rng) + _o(rng.choice(VERBS)) + _place(rng) + _o("on", rng.choice(DAYS), ".")
    if kind == 1:
        return _person(rng) + _o("works", "for") + _company(rng) + _o("in") + _place(rng) + _o(".")
    if kind == 2:
        return (
            _o("shares", "of")
            + _company(rng)
            + _o("rose", str(rng.randrange(1, 99)), "percent", "in")
            + _place(rng)
            + _o(".")
        )
    if kind == 3:
        return (
            _o("talks", "in")
            + _place(rng)
            + _o("ended", "after", str(rng.randrange(2, 30)), "days", ",")
            + _person(rng)
            + _o(rng.choice(VERBS), ".")
        )
    return (
        _company(rng)
        + _o("hired")
        + _person(rng)
        + _o("from")
        + _place(rng)
        + _o("in", str(rng.randrange(1990, 2024)), ".")
    )


GOOD = ["great", "fun", "moving", "brilliant", "charming", "smart"]
BAD = ["dull", "boring", "messy", "awful", "tedious", "flat"]
NOUNS = ["movie", "film", "story", "cast", "script", "ending"]
OPENERS = ["the", "a", "this", "that"]


def review(rng) -> tuple[str, str]:
    score, words = 0, []
    for _ in range(rng.randrange(2, 5)):
        good = rng.random() < 0.5
        negate = rng.random() < 0.1
        adjective = rng.choice(GOOD if good else BAD)
        words += (
            [rng.choice(OPENERS), rng.choice(NOUNS), "was"]
            + (["not"] if negate else [])
            + [adjective]
        )
        score += (1 if good else -1) * (-1 if negate else 1)
        words.append(rng.choice([",", "and", "but"]))
    if score == 0:  # no ties: a last clause decides
        words += ["the", "ending", "was", "great" if rng.random() < 0.5 else "awful"]
        score = 1 if words[-1] == "great" else -1
    text = " ".join(words[:-1] if words[-1] in (",", "and", "but") else words) + " ."
    return text[0].upper() + text[1:], "pos" if score > 0 else "neg"


def write_conll(path: Path, sentences) -> None:
    lines = ["-DOCSTART- -X- -X- O", ""]
    for s in sentences:
        lines += [f"{w} NN I-NP {t}" for w, t in s] + [""]
    path.write_text("\n".join(lines), encoding="utf-8")


def write_glove(path: Path, rng) -> None:
    kinds = {
        "per": FIRST + LAST,
        "loc": PLACES,
        "org": [w for c in COMPANIES for w in c],
        "amb": AMBIGUOUS,
        "good": GOOD,
        "bad": BAD,
        "num": ["#"],
        "func": [
            "in",
            "on",
            "for",
            "of",
            "from",
            "to",
            "the",
            "a",
            "and",
            "but",
            "not",
            "was",
            ".",
        ],
    }
    lines = []
    for k, (kind, words) in enumerate(kinds.items()):
        for w in words:
            vec = [(1.0 if i == k % 8 else 0.0) + rng.gauss(0, 0.1) for i in range(8)]
            lines.append(" ".join([w, *(f"{x:.4f}" for x in vec)]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    rng = random.Random(12)
    (HERE / "conll").mkdir(exist_ok=True)
    for name, n in (("train", 400), ("valid", 80), ("test", 80)):
        write_conll(HERE / "conll" / f"{name}.txt", [ner_sentence(rng) for _ in range(n)])
    (HERE / "classify").mkdir(exist_ok=True)
    train, dev, test = ([review(rng) for _ in range(n)] for n in (800, 100, 100))
    (HERE / "classify" / "train.tsv").write_text(
        "label\ttext\n" + "".join(f"{y}\t{x}\n" for x, y in train), encoding="utf-8"
    )
    (HERE / "classify" / "dev.jsonl").write_text(
        "".join(json.dumps({"text": x, "label": y}) + "\n" for x, y in dev), encoding="utf-8"
    )
    with (HERE / "classify" / "test.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["text", "label"])
        out.writerows(test)
    write_glove(HERE / "glove.txt", rng)


if __name__ == "__main__":
    main()
