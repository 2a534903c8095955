"""SelectorAnd of two Selects on different s-ops (tracr's compiler refuses it)."""

from tracr.rasp import rasp

vocab = {"a", "b", "c"}
max_seq_len = 5
same = rasp.Select(rasp.tokens, rasp.tokens, rasp.Comparison.EQ)
before = rasp.Select(rasp.indices, rasp.indices, rasp.Comparison.LT)
program = rasp.SelectorWidth(rasp.SelectorAnd(same, before)).named("same_before")
