"""Aggregate with a string default where nothing is selected."""

from tracr.rasp import rasp

vocab = {"a", "b", "c"}
max_seq_len = 5
nxt = rasp.Select(rasp.indices, rasp.indices, lambda k, q: k == q + 1)
program = rasp.Aggregate(nxt, rasp.tokens, default="end").named("next_token")
