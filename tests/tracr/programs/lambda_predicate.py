"""A Select with an arbitrary predicate: keys within 1 of the query."""

from tracr.rasp import rasp

vocab = {1, 2, 3, 4}
max_seq_len = 5
near = rasp.Select(rasp.tokens, rasp.tokens, lambda k, q: abs(k - q) <= 1).named("near")
program = rasp.SelectorWidth(near).named("near_count")
