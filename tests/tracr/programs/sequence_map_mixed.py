"""A SequenceMap of a string and a number, formatted."""

from tracr.rasp import rasp

vocab = {"x", "y"}
max_seq_len = 4
program = rasp.SequenceMap(lambda t, i: f"{t}{i}", rasp.tokens, rasp.indices).named("tagged")
