"""Example generators of the paper's synthetic tasks.

Each generator draws from a seeded legacy ``numpy.random.RandomState`` in the same order as the
reference implementation, so a given (size, lengths, seed) yields the same examples. An example
is a pair (input tokens, target labels) of equal length; ``<pad>`` targets are not scored.
"""

from __future__ import annotations

import string
from collections import Counter

import numpy as np

from tpc.ir import BOS

EOS, PAD, UNK = "</s>", "<pad>", "<unk>"

Example = tuple[list[str], list[str]]


def _digits(n: int) -> np.ndarray:
    return np.array([str(i) for i in range(n)])


def reverse(vocab_size, size, min_length, max_length, rng) -> list[Example]:
    vocab = _digits(vocab_size - 3)
    out = []
    for _ in range(size):
        xs = rng.choice(vocab, size=rng.randint(min_length, max_length - 1)).tolist()
        out.append(([BOS, *xs, EOS], [PAD, *xs[::-1], PAD]))
    return out


def sort(vocab_size, size, min_length, max_length, rng) -> list[Example]:
    vocab = _digits(vocab_size - 3)
    out = []
    for _ in range(size):
        xs = rng.choice(vocab, size=rng.randint(min_length, max_length - 1)).tolist()
        out.append(([BOS, *xs, EOS], [PAD, *sorted(xs), PAD]))
    return out


def _bos_sequences(vocab_size, size, min_length, max_length, rng):
    """Yield token lists for the tasks whose input is ``<s> x1..xm`` (m < max_length)."""
    vocab = _digits(vocab_size - 2)
    for _ in range(size):
        yield rng.choice(vocab, size=rng.randint(min_length, max_length)).tolist()


def hist(vocab_size, size, min_length, max_length, rng) -> list[Example]:
    out = []
    for xs in _bos_sequences(vocab_size, size, min_length, max_length, rng):
        counts = Counter(xs)
        out.append(([BOS, *xs], [PAD, *(str(counts[x]) for x in xs)]))
    return out


def double_hist(vocab_size, size, min_length, max_length, rng) -> list[Example]:
    out = []
    for xs in _bos_sequences(vocab_size, size, min_length, max_length, rng):
        counts = Counter(xs)
        sharing = Counter(counts.values())
        out.append(([BOS, *xs], [PAD, *(str(sharing[counts[x]]) for x in xs)]))
    return out


def most_freq(vocab_size, size, min_length, max_length, rng) -> list[Example]:
    out = []
    for xs in _bos_sequences(vocab_size, size, min_length, max_length, rng):
        counts = Counter(xs)
        first = {x: xs.index(x) for x in counts}
        ranked = sorted(counts, key=lambda x: (-counts[x], first[x]))
        out.append(([BOS, *xs], [PAD, *ranked, *[BOS] * (len(xs) - len(ranked))]))
    return out


_BRACKETS = [("(", ")"), ("{", "}")]


def _nested_brackets(kinds, max_depth, min_depth, rng) -> list[str]:
    """A balanced string: each step appends a pair or wraps everything so far in one."""
    s: list[str] = []
    for _ in range(rng.randint(min_depth, max_depth + 1)):
        left, right = _BRACKETS[rng.randint(0, kinds)]
        s = s + [left, right] if rng.randint(0, 2) == 0 else [left, *s, right]
    return s


def dyck_labels(s: list[str]) -> list[str]:
    """Per prefix: T (balanced), P (still completable) or F (never balanced again)."""
    opening = {")": "(", "}": "{"}
    stack: list[str] = []
    labels: list[str] = []
    for c in s:
        if c not in opening:
            stack.append(c)
            labels.append("P")
        elif not stack or stack[-1] != opening[c]:
            return labels + ["F"] * (len(s) - len(labels))
        else:
            stack.pop()
            labels.append("P" if stack else "T")
    return labels


def _dyck(kinds, size, min_length, max_length, rng) -> list[Example]:
    vocab = [c for pair in _BRACKETS[:kinds] for c in pair]
    n = max_length - 1
    out = []
    for _ in range(size):
        if rng.randint(2):
            s = _nested_brackets(kinds, max_length // 2, min_length // 2, rng)
            if len(s) < n:
                s = s + rng.choice(vocab, size=n - len(s)).tolist()
            s = s[:n]
        else:
            s = rng.choice(vocab, size=n).tolist()
        out.append(([BOS, *s], [PAD, *dyck_labels(s)]))
    return out


def dyck1(vocab_size, size, min_length, max_length, rng) -> list[Example]:
    return _dyck(1, size, min_length, max_length, rng)


def dyck2(vocab_size, size, min_length, max_length, rng) -> list[Example]:
    return _dyck(2, size, min_length, max_length, rng)


def induction(vocab_size, size, min_length, max_length, rng) -> list[Example]:
    """Letter/number pairs; after a repeated letter, predict the number that followed it.

    Like the reference, this generator skips duplicate inputs itself and gives up after
    ``2 * size`` duplicates, so it may return fewer than ``size`` examples.
    """
    n = (vocab_size - 2) // 2
    letters = np.array(list(string.ascii_lowercase[:n]))
    numbers = _digits(n)
    out: list[Example] = []
    seen: set[str] = set()
    duplicates = 0
    while len(out) < size:
        pairs = rng.randint(min_length // 2, max_length // 2 + 1)
        number_of = rng.randint(0, len(numbers), size=len(letters))
        s, t = [BOS], [PAD]
        for c in rng.randint(0, n, size=pairs):
            s += [str(letters[c]), str(numbers[number_of[c]])]
            t += [s[-1] if s[-2] in s[:-2] else UNK, PAD]
        if rng.randint(0, 2):
            s, t = [BOS, str(rng.choice(numbers)), *s[1:]], [PAD, *t]
        else:
            c = rng.randint(0, n)
            s.append(str(letters[c]))
            t.append(str(numbers[number_of[c]]) if s[-1] in s[:-2] else UNK)
        key = "".join(s)
        if key in seen:
            duplicates += 1
            if duplicates > 2 * size:
                break
            continue
        seen.add(key)
        out.append((s, t))
    return out
