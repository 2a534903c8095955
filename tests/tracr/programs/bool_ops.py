"""&, | and ~ on s-ops (and, or, not of values)."""

from tracr.rasp import rasp

vocab = {0, 1, 2}
max_seq_len = 5
pos = rasp.tokens > 0
even = rasp.Map(lambda x: x % 2 == 0, rasp.tokens)
program = ((pos & even) | ~rasp.Map(lambda i: i < 2, rasp.indices)).named("flags")
