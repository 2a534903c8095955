"""A categorical Aggregate of numbers selecting one position (the last one)."""

from tracr.rasp import rasp
from tracr.compiler import lib

vocab = {1, 2, 3}
max_seq_len = 5
last = rasp.Select(rasp.indices, lib.length - 1, rasp.Comparison.EQ).named("last")
last_token = rasp.Aggregate(last, rasp.tokens).named("last_token")
program = rasp.SequenceMap(lambda t, l: t == l, rasp.tokens, last_token).named("same_as_last")
