"""The runtime of emitted modules, kept as a real module: the backend reads this file as source
and copies into each emitted module the definitions that module uses (and what they use).

Statements that define a program constant (VOCAB, BOS, ...) are stand-ins that let this file
import and be tested; each emitted module defines its own. For causal programs `select` and
`select_not` come from causal.py instead. Everything here is standard library only.
"""

from fractions import Fraction
import struct

# Stand-ins for the program constants every emitted module defines.
VOCAB = ()
BOS = "<s>"
MAX_LEN = 0
N_POSITIONS = 1
IMPLICIT_BOS = True
TOKENS = frozenset((BOS, *VOCAB))
UNK = "<unk>"


def encode(tokens):
    """The input checked, with BOS at position 0: a list or tuple (or a string, one token per
    character) of vocabulary tokens, equal in type and value (True, 1.0 and 1+0j are not 1)."""
    if not isinstance(tokens, (list, tuple, str)):
        raise TypeError(f"expected a list of tokens, got {type(tokens).__name__}")
    seq = [BOS, *tokens] if IMPLICIT_BOS else list(tokens)
    if not IMPLICIT_BOS and (not seq or not identical_tokens(seq[0], BOS)):
        raise ValueError(f"expected the BOS token {BOS!r} first, got {seq[:1] or 'no tokens'}")
    if len(seq) > N_POSITIONS:
        raise ValueError(f"{len(seq) - 1} tokens{'' if IMPLICIT_BOS else ' after BOS'}; "
                         f"the program accepts at most {N_POSITIONS - 1}")
    for i, token in enumerate(seq[1:], 0 if IMPLICIT_BOS else 1):  # i: the caller's position
        if identical_tokens(token, BOS):
            raise ValueError(f"BOS {BOS!r} at position {i}: only the first position holds it")
        if not any(identical_tokens(token, v) for v in VOCAB):
            raise ValueError(f"unknown token {token!r} of type {type(token).__name__} "
                             f"(vocabulary: {' '.join(map(repr, VOCAB))})")
    return seq


def identical_tokens(a, b):
    """Tokens are equal when their types and values are: True is not 1, 1.0 is not 1."""
    return type(a) is type(b) and a == b


def encode_words(tokens):
    """The input checked, with BOS at position 0 and every word outside VOCAB read as UNK."""
    return encode([tokens[0], *(t if t in TOKENS else UNK for t in tokens[1:])] if tokens else [])


def exact(x):
    """An int when a Fraction is whole."""
    return x.numerator if x.denominator == 1 else x


# NEAREST_ORDER[n][q]: the key positions in the order query q prefers them in a length-n
# input: nearest first, the earlier one on ties, q itself last.
NEAREST_ORDER = [[sorted(range(n), key=lambda k: (k == q, abs(k - q), k)) for q in range(n)]
                 for n in range(N_POSITIONS + 1)]


def tag(x):
    """Table key of a value: bools are tagged so that True and 1 stay apart."""
    return ("bool", x) if isinstance(x, bool) else x


def float32(table):
    """`table` with its scores as the float32 numbers the model stores: each decimal here is
    the shortest one that names its float32 value exactly."""
    if isinstance(table, dict):
        return {key: float32(row) for key, row in table.items()}
    if isinstance(table[0], tuple):
        return tuple(map(float32, table))
    return tuple(map(as_float32, table))


def as_float32(x):
    """A number as the float32 value the model holds it in."""
    return struct.unpack("f", struct.pack("f", float(x)))[0]


def scaled(x, weights):
    """How the model scores a number: float32(float32(x) * w) for each class."""
    x = as_float32(x)
    return [as_float32(x * w) for w in weights]


def add_scores(scores, row):
    """Scores plus a row, each sum rounded to float32 as the model adds them."""
    return [as_float32(a + b) for a, b in zip(scores, row)]


def pooled_class(scores, classes):
    """A text classifier's label at every position: the positions' class scores added in
    float32, first to last, divided by the length in float32; the first best class wins."""
    total = scores[0]
    for row in scores[1:]:
        total = add_scores(total, row)
    total = [as_float32(x / len(scores)) for x in total]
    return [classes[total.index(max(total))]] * len(scores)


def select(keys, queries, predicate):
    """Attention pattern: row q, column k is True when query q attends to key k."""
    return [[predicate(key, query) for key in keys] for query in queries]


def select_not(selector):
    return [[not s for s in row] for row in selector]


def select_and(a, b):
    return [[x and y for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]


def select_or(a, b):
    return [[x or y for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]


def nearest(selector, values, default=None):
    """Each query reads the value at its first selected key in NEAREST_ORDER; with none
    selected, `default`, or else the value at position 0 (BOS)."""
    fallback = values[0] if default is None else default
    return [next((values[k] for k in order if row[k]), fallback)
            for row, order in zip(selector, NEAREST_ORDER[len(values)])]


def summed(selector, values):
    """Each query reads the sum of the values at its selected keys (whole Fractions as ints)."""
    sums = [sum(v for v, s in zip(values, row) if s) for row in selector]
    return [x.numerator if x.denominator == 1 else x for x in sums]


def mean(selector, values, default=0):
    """Each query reads the mean of the values at its selected keys (`default` if none)."""
    out = []
    for row in selector:
        picked = [v for v, s in zip(values, row) if s]
        out.append(exact(Fraction(sum(picked), len(picked))) if picked else default)
    return out


def width(selector):
    """How many keys each query selects."""
    return [sum(row) for row in selector]
