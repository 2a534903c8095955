"""ConstantSOp: fixed values by position (tracr checks the input's length)."""

from tracr.rasp import rasp

vocab = {0, 1}
max_seq_len = 4
weights = rasp.ConstantSOp([5, 6, 7, 8]).named("weights")
program = rasp.SequenceMap(lambda t, w: t * w, rasp.tokens, weights).named("weighted")
