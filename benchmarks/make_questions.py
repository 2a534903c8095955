"""Write an easily separable question-classification set (deterministic by seed).

Each text is a question whose first one or two words decide its label (as in TREC: "how
many" asks for a number, "who" for a person), followed by 4 to 20 filler words drawn from a
vocabulary of a few thousand made-up words that carry no label. Some openers need their
second word ("how many" -> NUM, "how did" -> DESC), so a model reads more than the first
word. Writes train.tsv (3,000 texts by default), dev.tsv and test.tsv (500 each), each with a
`label<TAB>text` header, the layout `tpc train --task classify --data DIR` reads.

    python benchmarks/make_questions.py OUT_DIR [--seed 0] [--train 3000]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

OPENERS = {  # first words -> label
    ("who",): "HUM",
    ("whom",): "HUM",
    ("which", "person"): "HUM",
    ("where",): "LOC",
    ("which", "city"): "LOC",
    ("which", "country"): "LOC",
    ("when",): "NUM",
    ("how", "many"): "NUM",
    ("how", "much"): "NUM",
    ("what", "year"): "NUM",
    ("why",): "DESC",
    ("how", "did"): "DESC",
    ("how", "does"): "DESC",
    ("what", "is"): "DESC",
    ("what", "animal"): "ENTY",
    ("what", "color"): "ENTY",
    ("which", "book"): "ENTY",
    ("what", "does"): "ABBR",
    ("what", "stands"): "ABBR",
}
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "su",
    "ta",
    "ri",
    "po",
    "ve",
    "da",
    "zu",
    "fe",
    "gi",
    "ho",
    "ba",
    "ru",
    "si",
    "to",
    "wa",
    "ye",
]  # 8,400 words of two or three syllables


def filler_words(rng: random.Random, count: int) -> list[str]:
    """`count` distinct made-up words of two or three syllables."""
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))))
    return sorted(words)


def question(rng: random.Random, fillers: list[str], weights: list[float]) -> tuple[str, str]:
    opener = rng.choice(list(OPENERS))
    words = [*opener, *rng.choices(fillers, weights, k=rng.randint(4, 20))]
    return " ".join(words) + " ?", OPENERS[opener]


def write_split(path: Path, rows: list[tuple[str, str]]) -> None:
    path.write_text("label\ttext\n" + "".join(f"{y}\t{x}\n" for x, y in rows), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train", type=int, default=3000)
    parser.add_argument("--fillers", type=int, default=3000)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    fillers = filler_words(rng, args.fillers)
    weights = [1 / (rank + 1) for rank in range(len(fillers))]  # Zipf-like word frequencies
    args.out.mkdir(parents=True, exist_ok=True)
    for name, n in (("train", args.train), ("dev", 500), ("test", 500)):
        write_split(args.out / f"{name}.tsv", [question(rng, fillers, weights) for _ in range(n)])


if __name__ == "__main__":
    main()
