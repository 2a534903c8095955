"""A numerical Map of floats averaged over the positions so far."""

from tracr.rasp import rasp

vocab = {1, 2, 3}
max_seq_len = 5
half = rasp.numerical(rasp.Map(lambda x: x / 2, rasp.tokens)).named("half")
so_far = rasp.Select(rasp.indices, rasp.indices, rasp.Comparison.LEQ).named("so_far")
program = rasp.numerical(rasp.Aggregate(so_far, half, default=0)).named("mean_half")
