"""Selector widths of 10 and more (tracr's selector width breaks there)."""

from tracr.rasp import rasp

vocab = {"a", "b"}
max_seq_len = 12
same = rasp.Select(rasp.tokens, rasp.tokens, rasp.Comparison.EQ)
program = rasp.SelectorWidth(same).named("count_same")
