"""A causal program: the previous token and how many tokens so far equal this one."""

from tracr.rasp import rasp
from tracr.compiler import lib

vocab = {1, 2, 3}
max_seq_len = 5
causal = True
prev = lib.shift_by(1, rasp.tokens)
seen = rasp.SelectorWidth(rasp.Select(rasp.tokens, rasp.tokens, rasp.Comparison.EQ))
program = rasp.SequenceMap(lambda p, s: (p or 0) * 10 + s, prev, seen).named("prev_and_seen")
