"""Numerically encoded indices and tokens in a numerical SequenceMap, then a mean."""

from tracr.rasp import rasp

vocab = {1, 2}
max_seq_len = 5
prod = rasp.numerical(rasp.SequenceMap(lambda t, i: t * i, rasp.tokens, rasp.indices)).named("prod")
every = rasp.Select(rasp.tokens, rasp.tokens, rasp.Comparison.TRUE)
program = rasp.numerical(rasp.Aggregate(every, prod, default=0)).named("mean_prod")
