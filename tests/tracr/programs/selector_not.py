"""SelectorNot: the positions holding another token."""

from tracr.rasp import rasp

vocab = {"a", "b", "c"}
max_seq_len = 5
same = rasp.Select(rasp.tokens, rasp.tokens, rasp.Comparison.EQ)
program = rasp.SelectorWidth(rasp.SelectorNot(same)).named("others")
