"""SelectorOr of two Selects on different s-ops."""

from tracr.rasp import rasp

vocab = {"a", "b", "c"}
max_seq_len = 5
is_a = rasp.Select(rasp.tokens, rasp.tokens, lambda k, q: k == "a")
first = rasp.Select(rasp.indices, rasp.indices, lambda k, q: k == 0)
program = rasp.SelectorWidth(rasp.SelectorOr(is_a, first)).named("a_or_first")
