"""LinearSequenceMap of two numerical s-ops."""

from tracr.rasp import rasp

vocab = {1, 2, 3}
max_seq_len = 5
toks = rasp.numerical(rasp.Map(lambda x: x, rasp.tokens)).named("toks")
idx = rasp.numerical(rasp.Map(lambda i: i, rasp.indices)).named("idx")
program = rasp.numerical(rasp.LinearSequenceMap(toks, idx, 2, -1)).named("two_t_minus_i")
