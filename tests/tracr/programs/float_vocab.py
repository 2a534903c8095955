"""A vocabulary of floats, doubled and compared."""

from tracr.rasp import rasp

vocab = {0.5, 1.5, 2.0}
max_seq_len = 4
doubled = rasp.Map(lambda x: x * 2, rasp.tokens).named("doubled")
program = rasp.Map(lambda d: d > 2, doubled).named("big")
