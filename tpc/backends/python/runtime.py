"""The runtime of emitted modules, kept as a real module: the backend reads this file as source
and copies into each emitted module the definitions that module uses (and what they use).

Statements that define a program constant (VOCAB, BOS, ...) are stand-ins that let this file
import and be tested; each emitted module defines its own. For causal programs `select` and
`select_not` come from causal.py instead, and `encode` from implicit_bos.py for programs whose
callers leave BOS out. Everything here is standard library only.
"""

from array import array
from fractions import Fraction

# Stand-ins for the program constants every emitted module defines.
VOCAB = ()
BOS = "<s>"
MAX_LEN = 0
N_POSITIONS = 1
TOKENS = frozenset((BOS, *VOCAB))
UNK = "<unk>"


def encode(tokens):
    """The input checked (tokens of VOCAB in type and value), BOS at position 0."""
    if not isinstance(tokens, (list, tuple, str)):
        raise TypeError(f"expected a list of tokens, got {type(tokens).__name__}")
    seq = list(tokens)
    if not seq or not identical_tokens(seq[0], BOS):
        got = seq[:1] or "no tokens"
        raise ValueError(f"expected the BOS token {BOS!r} first, got {got}")
    if len(seq) > N_POSITIONS:
        raise ValueError(
            f"input has {len(seq) - 1} tokens after BOS; "
            f"the program accepts at most {N_POSITIONS - 1}"
        )
    for i, token in enumerate(seq[1:], 1):
        if identical_tokens(token, BOS):
            raise ValueError(f"BOS {BOS!r} at position {i}: only position 0 holds it")
        if not any(identical_tokens(token, v) for v in VOCAB):
            raise ValueError(
                f"unknown token {token!r} of type {type(token).__name__} "
                f"(vocabulary: {' '.join(map(repr, VOCAB))})"
            )
    return seq


def identical_tokens(a, b):
    return type(a) is type(b) and a == b  # True is not 1


def encode_words(tokens):
    """The input checked, BOS at position 0, every word outside VOCAB read as UNK."""
    if not tokens:
        return encode([])
    return encode([tokens[0], *(t if t in TOKENS else UNK for t in tokens[1:])])


def exact(x):
    return x.numerator if x.denominator == 1 else x  # whole Fraction: int


# NEAREST_ORDER[n][q]: the keys query q prefers, best first (nearest, earlier, q last).
NEAREST_ORDER = [
    [sorted(range(n), key=lambda k: (k == q, abs(k - q), k)) for q in range(n)]
    for n in range(N_POSITIONS + 1)
]


def tag(x):
    return ("bool", x) if isinstance(x, bool) else x  # True and 1 stay apart


def float32(table):
    """`table` with its scores as the model's float32 numbers (written shortest)."""
    if isinstance(table, dict):
        return {key: float32(row) for key, row in table.items()}
    if isinstance(table[0], tuple):
        return tuple(map(float32, table))
    return tuple(array("f", table))


# An array of C floats rounds each number put in to float32 as the model does and reads back
# exactly; one array per row of scores costs half what a struct call per score does.
def as_float32(x):
    return array("f", (float(x),))[0]


def scaled(x, weights):
    """How the model scores a number: float32(float32(x) * w) for each class."""
    x = as_float32(x)
    return array("f", [x * w for w in weights]).tolist()


def add_scores(scores, row):
    """Scores plus a row, each sum rounded to float32 as the model adds them."""
    return array("f", [a + b for a, b in zip(scores, row)]).tolist()


def pooled_class(scores, classes):
    """A text classifier's label at every position: the positions' scores added in
    float32 first to last, divided by the length in float32; the first best class wins.
    """
    total = scores[0]
    for row in scores[1:]:
        total = add_scores(total, row)
    total = array("f", [x / len(scores) for x in total]).tolist()
    return [classes[total.index(max(total))]] * len(scores)


def select(keys, queries, predicate):  # row q, column k: does query q attend to key k
    return [[predicate(key, query) for key in keys] for query in queries]


def select_not(selector):
    return [[not s for s in row] for row in selector]


def select_and(a, b):
    return [[x and y for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]


def select_or(a, b):
    return [[x or y for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]


def nearest(selector, values, default=None):
    """The first selected key's value (NEAREST_ORDER); none: default, else BOS's."""
    fallback = values[0] if default is None else default
    return [
        next((values[k] for k in order if row[k]), fallback)
        for row, order in zip(selector, NEAREST_ORDER[len(values)])
    ]


def summed(selector, values):
    """The sum of the values at each query's selected keys (whole Fractions as ints)."""
    sums = [sum(v for v, s in zip(values, row) if s) for row in selector]
    return [x.numerator if x.denominator == 1 else x for x in sums]


def mean(selector, values, default=0):
    """The mean of the values at each query's selected keys (`default` if none)."""
    out = []
    for row in selector:
        picked = [v for v, s in zip(values, row) if s]
        out.append(exact(Fraction(sum(picked), len(picked))) if picked else default)
    return out


def width(selector):
    return [sum(row) for row in selector]  # keys each query selects
