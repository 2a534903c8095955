"""A numerical mean of booleans (True counts 1) over equal tokens."""

from tracr.rasp import rasp

vocab = {"a", "b", "c"}
max_seq_len = 5
first_half = rasp.numerical(rasp.Map(lambda i: i < 2, rasp.indices)).named("first_half")
same = rasp.Select(rasp.tokens, rasp.tokens, rasp.Comparison.EQ)
program = rasp.numerical(rasp.Aggregate(same, first_half, default=0)).named("share_early")
