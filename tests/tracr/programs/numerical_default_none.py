"""A numerical mean with default None: None at the first position, as tracr's evaluator."""

from tracr.rasp import rasp

vocab = {0, 1, 2}
max_seq_len = 5
vals = rasp.numerical(rasp.Map(lambda x: x, rasp.tokens)).named("vals")
earlier = rasp.Select(rasp.indices, rasp.indices, rasp.Comparison.LT).named("earlier")
program = rasp.numerical(rasp.Aggregate(earlier, vals)).named("mean_before")
