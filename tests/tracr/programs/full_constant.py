"""Full (a constant s-op) in a SequenceMap and as a Select's query."""

from tracr.rasp import rasp

vocab = {1, 2, 3}
max_seq_len = 5
three = rasp.Full(3).named("three")
capped = rasp.SequenceMap(lambda x, c: min(x, c - 1), rasp.tokens, three).named("capped")
is_three = rasp.Select(rasp.tokens, three, rasp.Comparison.EQ).named("is_three")
program = rasp.SequenceMap(lambda c, n: c * 10 + n, capped, rasp.SelectorWidth(is_three)).named(
    "capped_and_threes"
)
