"""Aggregate with default=None where nothing is selected (tracr's model gives 0 there)."""

from tracr.rasp import rasp

vocab = {"a", "b"}
max_seq_len = 5
prev = rasp.Select(rasp.indices, rasp.indices, lambda k, q: k == q - 1).named("prev")
program = rasp.Aggregate(prev, rasp.tokens, default=None).named("previous_token")
