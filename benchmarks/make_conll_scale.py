"""Write a synthetic NER set the size of CoNLL-2003 (deterministic by seed), for when the real
set is absent: train / valid / test of 14,041 / 3,250 / 3,453 sentences in CoNLL columns
(word, POS, chunk, NER tag), tags PER, LOC, ORG and MISC in BIO, a vocabulary of more than
10,000 words and sentences of 2 to 64 words (most 8 to 25).

The structure is news-like: lower-case context words with Zipf frequencies; entities of one
to three capitalised words, often after a cue ("Mr." before a person, "in" / "at" before a
place, "shares of" before a company, a nationality as MISC), and about one name in ten
shared between a person and a place, which only its cue decides. Numbers are digit runs
(the loader reads each run as `#`).

    python benchmarks/make_conll_scale.py OUT_DIR [--seed 0] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import itertools
import random
from pathlib import Path

SPLITS = {"train": 14041, "valid": 3250, "test": 3453}  # CoNLL-2003's sentence counts
MAX_WORDS = 64
CONSONANTS, VOWELS = "bcdfghklmnprstvwz", "aeiou"
FUNCTION = [
    "the",
    "a",
    "of",
    "to",
    "and",
    "in",
    "on",
    "for",
    "with",
    "said",
    "was",
    "is",
    "by",
    "from",
    "that",
    "at",
    "as",
    "it",
    "has",
    "had",
    "will",
    "after",
    "before",
]
CUES = {
    "PER": ["Mr.", "Mrs.", "coach", "minister", "striker", "president"],
    "LOC": ["in", "at", "near", "from", "to"],
    "ORG": ["shares of", "a spokesman for", "officials at", "signed with"],
    "MISC": ["the", "a"],
}
ORG_SUFFIX = ["Corp", "Inc", "FC", "Group", "Bank", "Party", "Airlines", "United"]
MISC_SUFFIX = ["ian", "ese", "ish", "an"]


def made_up(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(syllables))


def lexicon(rng: random.Random) -> dict[str, list[str]]:
    """Distinct word lists: context words and the names of each entity type."""
    seen: set[str] = set(FUNCTION)

    def fresh(count: int, shape) -> list[str]:
        words = []
        while len(words) < count:
            w = shape()
            if w not in seen:
                seen.add(w)
                words.append(w)
        return words

    words = {
        "context": fresh(6000, lambda: made_up(rng, rng.randint(2, 4))),
        "first": fresh(1500, lambda: made_up(rng, rng.randint(2, 3)).capitalize()),
        "last": fresh(2500, lambda: made_up(rng, rng.randint(2, 4)).capitalize()),
        "place": fresh(2000, lambda: made_up(rng, rng.randint(2, 4)).capitalize()),
        "org": fresh(1500, lambda: made_up(rng, rng.randint(2, 3)).capitalize()),
    }
    words["misc"] = sorted({p[:-1] + rng.choice(MISC_SUFFIX) for p in words["place"][:600]})
    words["shared"] = words["place"][:200]  # read as a person or a place by its cue
    return words


class Writer:
    def __init__(self, rng: random.Random, words: dict[str, list[str]]):
        self.rng, self.words = rng, words
        zipf = (1 / (r + 1) ** 0.9 for r in range(len(words["context"])))
        self.cumulative = list(itertools.accumulate(zipf))

    def context(self, n: int) -> list[tuple[str, str]]:
        rng = self.rng
        out = []
        for _ in range(n):
            r = rng.random()
            if r < 0.35:
                out.append(rng.choice(FUNCTION))
            elif r < 0.40:
                out.append(str(rng.choice([rng.randrange(1, 100), rng.randrange(1900, 2024)])))
            else:
                out.append(rng.choices(self.words["context"], cum_weights=self.cumulative)[0])
        return [(w, "O") for w in out]

    def entity(self, kind: str) -> list[tuple[str, str]]:
        rng, w = self.rng, self.words
        if kind == "PER":
            first = rng.choice(w["shared"] if rng.random() < 0.1 else w["first"])
            names = [first] + ([rng.choice(w["last"])] if rng.random() < 0.7 else [])
        elif kind == "LOC":
            names = [rng.choice(w["place"])]
            names += [rng.choice(w["place"])] if rng.random() < 0.1 else []
        elif kind == "ORG":
            names = [rng.choice(w["org"]) for _ in range(rng.randint(1, 2))]
            names += [rng.choice(ORG_SUFFIX)] if rng.random() < 0.6 else []
        else:
            names = [rng.choice(w["misc"])]
        cue = rng.choice(CUES[kind]).split() if rng.random() < 0.7 else []
        tagged = [(n, ("B-" if i == 0 else "I-") + kind) for i, n in enumerate(names)]
        return [(c, "O") for c in cue] + tagged

    def sentence(self) -> list[tuple[str, str]]:
        rng = self.rng
        target = min(MAX_WORDS, max(2, int(rng.lognormvariate(2.6, 0.5))))
        words: list[tuple[str, str]] = []
        while len(words) < target - 1:
            if rng.random() < 0.3:
                words += self.entity(rng.choices(["PER", "LOC", "ORG", "MISC"], [3, 3, 3, 2])[0])
            else:
                words += self.context(rng.randint(1, 4))
        return words[: MAX_WORDS - 1] + [(".", "O")]


def write_conll(path: Path, sentences) -> None:
    lines = ["-DOCSTART- -X- -X- O", ""]
    for s in sentences:
        lines += [f"{w} NN O {t}" for w, t in s] + [""]
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of CoNLL's sentence counts"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    writer = Writer(rng, lexicon(rng))
    args.out.mkdir(parents=True, exist_ok=True)
    for name, count in SPLITS.items():
        n = max(1, round(count * args.scale))
        write_conll(args.out / f"{name}.txt", [writer.sentence() for _ in range(n)])


if __name__ == "__main__":
    main()
